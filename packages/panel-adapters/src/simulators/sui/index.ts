export { SuiSimulator, createSuiSimulator, type SuiQuirks, type SuiSimulatorOptions } from './simulator.js';
export { DEFAULT_SUI_INBOUNDS, type SimSuiClient, type SimSuiInbound, type SimSuiLink } from './state.js';
