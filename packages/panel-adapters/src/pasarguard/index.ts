export { PasarGuardAdapter, createPasarGuardAdapter, PASARGUARD_LIST_SORT, type PasarGuardAdapterOptions } from './adapter.js';
export type { PasarGuardApiKey } from './api-key.js';
