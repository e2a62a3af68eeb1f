/**
 * Stateful panel simulators (one per kind) that speak the panels' real wire protocol, for tests
 * and demos. Serve one with `serveOnLocalhost(sim.handle)` or, in msw tests, with `mswHandler` from
 * `@panelkit/panel-adapters/msw`. Only the simulators, their options and what their methods take
 * and return are public; their internals (state, sessions, routers) are not.
 */
export {
  serveOnLocalhost,
  type FetchHandler,
  type RequestCounts,
  type RunningSimulator,
  type SimulatorBaseOptions,
} from './simulators/harness/index.js';
export {
  SuiSimulator,
  createSuiSimulator,
  type SimSuiClient,
  type SimSuiInbound,
  type SimSuiLink,
  type SuiQuirks,
  type SuiSimulatorOptions,
} from './simulators/sui/index.js';
export {
  MARZBAN_SIM_PROTOCOLS,
  MarzbanSimulator,
  createMarzbanSimulator,
  type MarzbanQuirks,
  type MarzbanRandomPick,
  type MarzbanSimInbound,
  type MarzbanSimNextPlan,
  type MarzbanSimProtocol,
  type MarzbanSimProxy,
  type MarzbanSimStatus,
  type MarzbanSimUser,
  type MarzbanSimulatorOptions,
} from './simulators/marzban/index.js';
export {
  MarzneshinSimulator,
  createMarzneshinSimulator,
  type MarzneshinSimAdmin,
  type MarzneshinSimInbound,
  type MarzneshinSimService,
  type MarzneshinSimUser,
  type MarzneshinSimulatorOptions,
} from './simulators/marzneshin/index.js';
export {
  PasarGuardSimulator,
  createPasarGuardSimulator,
  type PasarGuardSimGroup,
  type PasarGuardSimInbound,
  type PasarGuardSimStatus,
  type PasarGuardSimUser,
  type PasarGuardSimulatorOptions,
  type PasarGuardSimProtocol,
  type PasarGuardSimProxySettings,
  type PasarGuardSimNextPlan,
  type PasarGuardRandomPick,
  type PasarGuardHwidSettings,
  type PasarGuardSimHwid,
  type PasarGuardSimWireGuardCore,
  type PasarGuardSimWireGuardCoreInput,
  type PasarGuardSimWireGuardHost,
  type PasarGuardWireGuardNodeConfig,
} from './simulators/pasarguard/index.js';
export {
  XuiSimulator,
  createXuiSimulator,
  type XuiInboundSeed,
  type XuiQuirks,
  type XuiRawClient,
  type XuiSimInbound,
  type XuiSimTraffic,
  type XuiSimulatorOptions,
  type XuiSubscriptionConfig,
  type XuiSubscriptionOptions,
  type XuiVersionTraits,
} from './simulators/xui/index.js';
export {
  XuiCore,
  freeLocalPort,
  startLinkClient,
  type LinkClient,
  type XuiCoreInboundStatus,
  type XuiCoreOptions,
  type XuiCoreTrafficReport,
} from './simulators/xui/index.js';
export type { PasarGuardOnlineIps } from './simulators/pasarguard/online-ips.js';
export type { RemnawaveConnections, RemnawaveSimHandler, RemnawaveSimNode } from './simulators/remnawave/connections.js';
export type { XuiClientIps } from './simulators/xui/client-ips.js';
export {
  RemnawaveSimulator,
  createRemnawaveSimulator,
  type RemnawaveSimHost,
  type RemnawaveSimInbound,
  type RemnawaveSimSquad,
  type RemnawaveSimStatus,
  type RemnawaveSimUser,
  type RemnawaveSimulatorOptions,
  type RemnawaveHwidSettings,
  type RemnawaveSimDevice,
} from './simulators/remnawave/index.js';
