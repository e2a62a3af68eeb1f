/**
 * `@panelkit/subscription-feed`: the answer at a buyer's subscription link for every client app, framework-free.
 * `createFeedHandler` ties the link token, the SDK's device rule and the feed together; `feedAnswer` is the pure
 * answer for hosts that read the subscriptions themselves; `createConfigFilesHandler` gives the link's WireGuard
 * configs (one `.conf`, or all in a zip), at the addresses `configFileUrl` and `configsZipUrl` build, for the parts
 * `servesConfigFile` names. The client apps' catalogue is at `./apps`, the format
 * builders at `./formats`.
 */
export {
  appHeaders,
  type FeedFacts,
  feedAnswer,
  isBrowser,
  routingOf,
  servedInfo,
  UPDATE_INTERVAL_HOURS,
  wantsRouting,
} from './answer.js';
export { APP_MANAGEMENT_OFF, APP_MANAGEMENT_SWITCHES, type AppManagement, isHappProviderId } from './app-management.js';
export { createConfigFilesHandler, type FeedFileAnswer, type FeedFileRequest } from './config-files.js';
export {
  CONFIGS_ZIP_PATH,
  configFileOf,
  configFilePath,
  configFileUrl,
  configsZipUrl,
  isUsablePart,
  servesConfigFile,
} from './config-paths.js';
export { checkDevice, type DeviceVerdict, type FeedDevices } from './devices.js';
export {
  deviceLimited,
  type LinkFeed,
  LINKED_STATUSES,
  linkFeed,
  SHOWN_STATUSES,
  servedToDevice,
  type UserInfo,
  usableOf,
} from './feed/feed.js';
export type { PlanRouting } from './feed/link-routing.js';
export { BLOCK_REASONS, type BlockReason, type LinkGate, placeholderLinks } from './feed/placeholder.js';
export { type DirectRouting, isRoutingPreset, ROUTING_PRESETS, type RoutingPreset } from './feed/routing.js';
export { FEED_TEXTS, type FeedTextOverrides, type FeedTexts, feedTexts } from './feed/texts.js';
export {
  createFeedHandler,
  type FeedHandlerOptions,
  type FeedKit,
  type FeedLinkRequest,
  type FeedNotice,
  type FeedPageView,
} from './handler.js';
export { KIND_APPS, type KindApp, type KindAppKind, type KindImportForm, kindAppsFor } from './kind-apps.js';
export { type FeedAnswer, type FeedRequest, headerOf } from './request.js';
