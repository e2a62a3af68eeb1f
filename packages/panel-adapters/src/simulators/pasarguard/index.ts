export { PasarGuardSimulator, createPasarGuardSimulator, type PasarGuardSimulatorOptions } from './simulator.js';
export type {
  SimGroup as PasarGuardSimGroup,
  SimInbound as PasarGuardSimInbound,
  SimStatus as PasarGuardSimStatus,
  SimUser as PasarGuardSimUser,
  SimProtocol as PasarGuardSimProtocol,
  SimProxySettings as PasarGuardSimProxySettings,
  SimNextPlan as PasarGuardSimNextPlan,
} from './state.js';
export type { RandomPick as PasarGuardRandomPick } from './links.js';
export { PASARGUARD_DEFAULT_HWID_SETTINGS, type PasarGuardHwidSettings, type SimHwid as PasarGuardSimHwid } from './hwid.js';
export type { SimWireGuardCore as PasarGuardSimWireGuardCore, SimWireGuardHost as PasarGuardSimWireGuardHost } from './wg-cores.js';
export type {
  SimWireGuardCoreInput as PasarGuardSimWireGuardCoreInput,
  WireGuardNodeConfig as PasarGuardWireGuardNodeConfig,
} from './wg-state.js';
