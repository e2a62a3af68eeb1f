/**
 * `@panelkit/subscription-feed/apps`: the catalogue of client apps (platforms, the format each reads, each one's
 * one-tap import link) for a link's page, a bot's buttons or an e-mail; and the apps for WireGuard, AmneziaWG and
 * Telegram-proxy parts (`KIND_APPS`), which read no subscription link.
 */
export {
  appsFor,
  CLIENT_APPS,
  type ClientApp,
  clientApp,
  HAPP_ROUTING_OFF,
  happRoutingLink,
  type ImportTarget,
  importableApps,
  importLinkOf,
  PLATFORMS,
  type Platform,
  platformOf,
} from './client-apps.js';
export { KIND_APPS, type KindApp, type KindAppKind, type KindImportForm, kindAppsFor } from './kind-apps.js';
