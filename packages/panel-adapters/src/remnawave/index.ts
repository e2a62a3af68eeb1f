export { RemnawaveAdapter, createRemnawaveAdapter, REMNAWAVE_MAX_PAGE, type RemnawaveAdapterOptions } from './adapter.js';
export { REMNAWAVE_NEVER } from './mapping.js';
