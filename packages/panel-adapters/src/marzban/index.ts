export { MarzbanAdapter, createMarzbanAdapter, MARZBAN_LIST_SORT, type MarzbanAdapterOptions } from './adapter.js';
export { MarzbanTargetMetaSchema, type MarzbanTargetMeta } from './target-meta.js';
export type { LoginRationing } from '../marzban-family/token-session.js';
export type { TokenPanelOptions } from '../marzban-family/connection.js';
