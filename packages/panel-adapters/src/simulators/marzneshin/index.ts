export { MarzneshinSimulator, createMarzneshinSimulator, type MarzneshinSimulatorOptions } from './simulator.js';
export { proxyPassword, proxyUuid } from './share.js';
export {
  MARZNESHIN_DEFAULT_INBOUNDS,
  MARZNESHIN_DEFAULT_SERVICES,
  type MarzneshinSimAdmin,
  type MarzneshinSimInbound,
  type MarzneshinSimService,
  type MarzneshinSimUser,
} from './state.js';
