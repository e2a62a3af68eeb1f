export { MarzneshinSimulator, createMarzneshinSimulator, MARZNESHIN_DEFAULT_SERVICES, type MarzneshinSimulatorOptions, type MarzneshinSimService, type MarzneshinSimUser } from './simulator.js';
