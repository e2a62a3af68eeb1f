export { SuiAdapter, createSuiAdapter } from './adapter.js';
export type { SuiAdapterOptions } from './options.js';
export { buildSuiConfig, SUI_CONFIG_KEYS, type SuiClientConfig, type SuiConfigKey } from './credentials.js';
