/**
 * `@panelkit/subscription-feed/formats`: the builders the answer is made of, for a host that writes a profile
 * outside a link request (a page's routing card, a download, a test): the format an app reads, the body for share
 * links in a format, Clash.Meta and sing-box profiles, and the `routing` header and Happ's routing deep link.
 */
export { clashProfile } from './feed/clash.js';
export { type FeedFormat, feedBody, feedFormat } from './feed/client-format.js';
export { happRoutingLinkOf, routingHeader } from './feed/routing-apps.js';
export { type DirectRouting, directRoutingOf, type RoutingCountry } from './feed/routing.js';
export { singBoxProfile, type SingBoxVersion } from './feed/sing-box.js';
