export { RemnawaveSimulator, createRemnawaveSimulator, type RemnawaveSimulatorOptions } from './simulator.js';
export {
  REMNAWAVE_DEFAULT_HOSTS,
  REMNAWAVE_DEFAULT_INBOUNDS,
  REMNAWAVE_DEFAULT_SQUADS,
  type RemnawaveSimHost,
  type RemnawaveSimInbound,
  type RemnawaveSimSquad,
  type RemnawaveSimStatus,
  type RemnawaveSimUser,
} from './state.js';
export {
  REMNAWAVE_DEFAULT_HWID_SETTINGS,
  type RemnawaveHwidSettings,
  type RemnawaveSimDevice,
} from './hwid.js';
