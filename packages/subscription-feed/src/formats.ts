/**
 * `@panelkit/subscription-feed/formats`: the builders the answer is made of, for a host that writes a profile
 * outside a link request (a page's routing card, a download, a test): the format an app reads, the body for share
 * links in a format, Clash.Meta and sing-box profiles, and the `routing` header and Happ's routing deep link; and
 * the delivery forms of parts that are not Xray users: a WireGuard/AmneziaWG `.conf` (`wireGuardConf`, named by
 * `wireGuardConfName`), a zip of them (`configsZip`) and a Telegram proxy's `tg://` and `https://t.me` links
 * (`telegramProxyLinks`).
 */
export { clashProfile } from './feed/clash.js';
export { type FeedFormat, feedBody, feedFormat } from './feed/client-format.js';
export { type ConfigFile, configsZip } from './feed/configs-zip.js';
export { happRoutingLinkOf, routingHeader } from './feed/routing-apps.js';
export { type DirectRouting, directRoutingOf, type RoutingCountry } from './feed/routing.js';
export { singBoxProfile, type SingBoxVersion } from './feed/sing-box.js';
export { type TelegramProxyLinks, telegramProxyLinks } from './feed/telegram-proxy.js';
export { wireGuardConf } from './feed/wireguard-conf.js';
export { wireGuardConfName } from './feed/wireguard-conf-name.js';
