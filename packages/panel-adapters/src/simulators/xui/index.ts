export { XuiSimulator, createXuiSimulator, type XuiSimulatorOptions, type XuiQuirks } from './simulator.js';
export { traitsOf as xuiVersionTraits, parseVersion as parseXuiVersion, type XuiVersionTraits } from './version.js';
export {
  XuiState,
  type InboundSeed as XuiInboundSeed,
  type RawClient as XuiRawClient,
  type SimInbound as XuiSimInbound,
  type SimTraffic as XuiSimTraffic,
} from './state.js';
export { XuiSessions, type AuthResult as XuiAuthResult } from './sessions.js';
export { xuiSubscriptionHandler, type XuiSubscriptionOptions } from './subscription-service.js';
export {
  XuiCore,
  startLinkClient,
  freeLocalPort,
  buildCoreConfig as buildXuiCoreConfig,
  type LinkClient,
  type XuiCoreOptions,
  type CoreTrafficReport as XuiCoreTrafficReport,
  type CoreInboundStatus as XuiCoreInboundStatus,
  type CoreConfig as XuiCoreConfig,
} from './core/index.js';
export { subscriptionUri as xuiSubscriptionUri, type XuiSubscriptionConfig } from './sub-settings.js';
