export { PanelHttp, type PanelHttpOptions } from './panel-http.js';
export { AttemptMemos } from './attempt-memos.js';
export { KeyedMutex } from './keyed-mutex.js';
export { errorForStatus, parseRetryAfter } from './status-errors.js';
export { parseJson, readJson, looksLikeHtml } from './parse.js';
export type { HttpMethod, PanelRequest, PanelResponse, QueryValue, RawExchange, SessionStrategy } from './types.js';
export type { PanelConnectionOptions } from './connection-options.js';
export { isPanelAuth, requireLogin, requireToken, type PanelAuth, type PanelLogin, type PanelToken } from './credentials.js';
export {
  defineHttpPanelAdapter,
  type BearerLogin,
  type HttpPanelAdapterDefinition,
  type HttpPanelAdapterOptions,
  type HttpPanelApi,
  type HttpPanelCalls,
} from './define-adapter.js';
