export { MarzbanSimulator, createMarzbanSimulator, type MarzbanSimulatorOptions, type MarzbanQuirks } from './simulator.js';
export {
  DEFAULT_INBOUNDS as MARZBAN_DEFAULT_INBOUNDS,
  SIM_PROTOCOLS as MARZBAN_SIM_PROTOCOLS,
  type SimInbound as MarzbanSimInbound,
  type SimUser as MarzbanSimUser,
  type SimProtocol as MarzbanSimProtocol,
  type SimProxy as MarzbanSimProxy,
  type SimStatus as MarzbanSimStatus,
  type SimNextPlan as MarzbanSimNextPlan,
} from './state.js';
export type { RandomPick as MarzbanRandomPick } from './links.js';
