export { XuiSimulator, createXuiSimulator, type XuiSimulatorOptions, type XuiQuirks } from './simulator.js';
export { traitsOf, parseVersion, type XuiVersionTraits } from './version.js';
export type { InboundSeed, RawClient, SimInbound, SimTraffic } from './state.js';
