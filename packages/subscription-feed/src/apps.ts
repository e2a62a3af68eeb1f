/**
 * `@panelkit/subscription-feed/apps`: the catalogue of client apps (platforms, the format each reads, each one's
 * one-tap import link) for a link's page, a bot's buttons or an e-mail.
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
