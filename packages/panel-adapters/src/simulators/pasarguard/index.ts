export { PasarGuardSimulator, createPasarGuardSimulator, type PasarGuardSimulatorOptions } from './simulator.js';
export type {
  SimGroup as PasarGuardSimGroup,
  SimInbound as PasarGuardSimInbound,
  SimStatus as PasarGuardSimStatus,
  SimUser as PasarGuardSimUser,
} from './state.js';
