import type { CallContext } from '@panelkit/sdk/adapter';

/** The HTTP methods panel APIs use. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A query-string value; `undefined` omits the key, arrays repeat it. */
export type QueryValue = string | number | boolean | readonly (string | number)[] | undefined;

/** One request, relative to the panel's base URL. */
export interface PanelRequest {
  /** Names the adapter operation in errors and logs, e.g. `createClients`. */
  readonly operation: string;
  readonly method: HttpMethod;
  /** Relative to the base URL, without a leading slash: `panel/api/inbounds/list`. */
  readonly path: string;
  /** Arrays repeat the key (`username=a&username=b`). */
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** Sent as `application/json`. */
  readonly json?: unknown;
  /** Sent as `application/x-www-form-urlencoded`. */
  readonly form?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** The path as log lines show it, when `path` holds a credential (a subscription key…). Default `path`. */
  readonly logPath?: string;
  /**
   * Sending the request twice has the effect of sending it once, in this panel's API: `PanelHttp` may then send it
   * once more at once when a kept-alive connection died under it before any byte of the answer, even if the request
   * had been written (see `stale-socket.ts`). Default: true for a `GET` (every panel API here reads with it), false
   * for any other method, so set it on a `POST` that only reads. Leave it unset on writes: a write whose answer was
   * lost is settled by reading the panel back, and a repeat of a create makes a second client on a panel whose
   * names are not unique (S-UI).
   */
  readonly idempotent?: boolean;
}

/** A response as read off the wire; statuses are not errors at this level. */
export interface PanelResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The raw body text ('' when empty). */
  readonly body: string;
}

/**
 * How an adapter authenticates. `PanelHttp` calls `login` single-flight before the first request
 * and again (once) when `isAuthLost` says a response means the session or token was lost.
 */
export interface SessionStrategy {
  /** True when no usable session or token is held and `login` must run before a request. */
  needsLogin(): boolean;
  /** Establish the session. Use `raw.exchange` only (it is unqueued and unauthenticated). */
  login(raw: RawExchange, ctx: CallContext): Promise<void>;
  /** Headers that authenticate a request (a bearer token, a CSRF header…); cookies come from the jar. */
  authHeaders(request: PanelRequest): Record<string, string>;
  /** Whether this response means "not logged in" (so one fresh login may fix it). */
  isAuthLost(response: PanelResponse, request: PanelRequest): boolean;
  /** Forget the current session or token. */
  invalidate(): void;
}

/** The unauthenticated, unqueued exchange a `SessionStrategy` logs in with. */
export interface RawExchange {
  /** One unqueued, unauthenticated round trip (see `PanelHttp.exchange`). */
  exchange(request: PanelRequest, ctx: CallContext): Promise<PanelResponse>;
  /** The session cookie jar, when the panel uses cookies. */
  clearCookies(): void;
}
