export { MarzneshinSimulator, createMarzneshinSimulator, type MarzneshinSimulatorOptions } from './simulator.js';
export { MARZNESHIN_DEFAULT_SERVICES, type MarzneshinSimService, type MarzneshinSimUser } from './state.js';
