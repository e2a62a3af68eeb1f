/**
 * The HTTP layer every adapter talks through: one per adapter instance.
 *
 * - `exchange(request, ctx)`: one raw round trip (ofetch, cookie jar, no redirects followed, no
 *   auth, no retry), bounded only by the caller's signal, through the panels' connection pool
 *   (`panel-dispatcher.ts`: idle connections dropped before a panel would close them). The one
 *   exception to "no retry": a request that died on a reused kept-alive socket before any byte of its
 *   answer is sent once more at once when no byte of it was written, or when it is idempotent
 *   (`stale-socket.ts`); a write that may have reached the panel never is. Network failures become
 *   `PanelConnectionError` (retryable; for a write that was sent, its outcome is unknown and the adapter
 *   reads the panel back); the signal aborting with a timeout becomes `PanelTimeoutError`; an HTTP
 *   status is never an error here.
 * - `send(request, ctx)`: an authenticated exchange. Logs in (single flight) when the session
 *   strategy says so; when a response means the session was lost, logs in once more and repeats
 *   the request once (part of one logical call); a second loss is a `PanelAuthError`. Requests of
 *   one call (one `ctx.signal`) go one at a time.
 * - `attempt(ctx, operation)`: one attempt of a whole logical operation, numbered by the caller.
 *
 * The engine owns retries, backoff, concurrency and the timeout (one policy, the panel slots, one
 * `AbortSignal` a call): an adapter makes one attempt per call, and the panel sees at most one request
 * per call the engine admitted.
 *
 * Nothing here logs or throws a header, a cookie or a body: only method, path, status and timing.
 */
import { PanelAuthError, PanelConnectionError, PanelTimeoutError, silentLogger, type Logger, type PanelErrorContext } from '@panelkit/sdk';
import { DEFAULT_RETRY_POLICY, type CallContext, type RandomSource, type RetryPolicy } from '@panelkit/sdk/adapter';
import { ofetch, type $Fetch } from 'ofetch';
import { CookieJar } from 'tough-cookie';
import { CallLanes } from './call-lanes.js';
import { panelDispatcher } from './panel-dispatcher.js';
import { StaleSocketTrace, tracingDispatcher } from './stale-socket.js';
import type { PanelRequest, PanelResponse, RawExchange, SessionStrategy } from './types.js';

/** Options of {@link PanelHttp}: where the panel is, cookies, headers and logs. */
export interface PanelHttpOptions {
  /** The panel kind, for errors and logs. */
  readonly kind: string;
  /** The shop's id for this panel, for errors and logs. */
  readonly panelId?: string;
  /** The panel's full base URL, base path included (`https://host:2053/Xk3…/`). */
  readonly baseUrl: string;
  /**
   * @deprecated Ignored: the caller's `CallContext.signal` is the one timeout (the engine's
   * `panelCallTimeoutMs`). Outside the engine, pass e.g. `AbortSignal.timeout(ms)`.
   */
  readonly timeoutMs?: number;
  /** @deprecated Ignored here: the engine admits `capabilities.maxConcurrency` calls at once (its panel slots). */
  readonly maxConcurrency?: number;
  /** @deprecated Ignored: the engine retries (`policy.jobRetry` for jobs, `policy.panelReadRetry` for its reads). */
  readonly retry?: RetryPolicy;
  /** Keep a cookie jar (session panels). */
  readonly cookies?: boolean;
  /** Cookies to hold from the start, e.g. `lang=en-US`. */
  readonly initialCookies?: readonly string[];
  /** Sent with every request. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Replaces the global fetch (tests, proxies). */
  readonly fetch?: typeof globalThis.fetch;
  readonly logger?: Logger;
  /** @deprecated Ignored (the engine retries). */
  readonly random?: RandomSource;
  /** @deprecated Ignored (the engine retries). */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The HTTP client of one adapter: see the file header. */
export class PanelHttp implements RawExchange {
  readonly kind: string;
  readonly panelId: string | undefined;
  readonly baseUrl: string;
  /** @deprecated The adapter no longer retries; kept for compatibility, always the SDK's default policy. */
  readonly retryPolicy: RetryPolicy = DEFAULT_RETRY_POLICY;
  readonly #fetch: $Fetch;
  /** One request at a time per call, so the panel sees no more requests than the engine admitted calls. */
  readonly #lanes = new CallLanes();
  readonly #jar: CookieJar | undefined;
  readonly #initialCookies: readonly string[];
  readonly #headers: Readonly<Record<string, string>>;
  readonly #logger: Logger;
  readonly #session: SessionStrategy | undefined;
  #login: Promise<void> | undefined;

  constructor(options: PanelHttpOptions, session?: SessionStrategy) {
    this.kind = options.kind;
    this.panelId = options.panelId;
    this.baseUrl = withTrailingSlash(options.baseUrl);
    this.#initialCookies = options.initialCookies ?? [];
    this.#jar = options.cookies ? this.#freshJar() : undefined;
    this.#headers = options.headers ?? {};
    this.#logger = options.logger ?? silentLogger;
    this.#session = session;
    const fetchImpl = options.fetch;
    this.#fetch = ofetch.create(
      { baseURL: this.baseUrl, retry: false, ignoreResponseError: true, redirect: 'manual' },
      fetchImpl ? { fetch: fetchImpl } : undefined,
    );
  }

  /** Context for errors raised about this panel. */
  context(operation: string, extra: Partial<PanelErrorContext> = {}): PanelErrorContext {
    return { panelKind: this.kind, ...(this.panelId === undefined ? {} : { panelId: this.panelId }), operation, ...extra };
  }

  /** An absolute URL for a path under the base URL (for links shown to users). */
  url(path: string): string {
    return new URL(path.replace(/^\//, ''), this.baseUrl).toString();
  }

  clearCookies(): void {
    if (this.#jar) this.#jarReset();
  }

  /** Requests waiting for their call's lane or in flight. */
  get pending(): number {
    return this.#lanes.pending;
  }

  /**
   * One raw round trip: no login, no lane, no retry, bounded by `ctx.signal` alone. Network failures
   * throw `PanelConnectionError`, the signal's timeout `PanelTimeoutError`; any HTTP status is returned.
   */
  async exchange(request: PanelRequest, ctx: CallContext): Promise<PanelResponse> {
    const url = new URL(request.path.replace(/^\//, ''), this.baseUrl).toString();
    const headers: Record<string, string> = { accept: 'application/json', ...this.#headers, ...request.headers };
    const cookie = this.#jar ? await this.#jar.getCookieString(url) : '';
    if (cookie) headers.cookie = headers.cookie ? `${headers.cookie}; ${cookie}` : cookie;
    const signal = ctx.signal;
    if (signal.aborted) throw abortReason(signal, this.context(request.operation));
    const started = performance.now();
    const errorContext = this.context(request.operation, ctx.attempt === undefined ? {} : { attempt: ctx.attempt });
    const send = (trace: StaleSocketTrace): Promise<Response> => {
      const pool = panelDispatcher();
      const dispatcher = pool === undefined ? undefined : tracingDispatcher(trace, pool);
      return this.#fetch.raw(url, {
        method: request.method,
        headers,
        ...bodyOf(request),
        ...(request.query ? { query: cleanQuery(request.query) } : {}),
        responseType: 'text',
        signal,
        ...(dispatcher ? { dispatcher } : {}),
      });
    };
    const idempotent = request.idempotent ?? request.method === 'GET';
    let raw: Response;
    let trace = new StaleSocketTrace();
    try {
      raw = await send(trace).catch((error: unknown) => {
        if (signal.aborted || !trace.mayResend(error, idempotent)) throw error;
        // A kept-alive socket that died under a request that did not leave, or that may be repeated (stale-socket.ts).
        this.#logger.debug(
          { panel: this.kind, panelId: this.panelId, op: request.operation },
          'panel closed a kept-alive connection; resending once',
        );
        trace = new StaleSocketTrace();
        return send(trace);
      });
    } catch (error) {
      if (signal.aborted) throw abortReason(signal, errorContext);
      // Whether the request left is known only once undici took a socket for it (not for a refused connection).
      const sent = trace.connected ? trace.requestWritten() : undefined;
      throw new PanelConnectionError(sent ? 'the connection closed before the panel answered' : 'could not reach the panel', errorContext, {
        details: { reason: networkReason(error), ...(sent === undefined ? {} : { requestSent: sent }) },
      });
    }
    const body = typeof (raw as { _data?: unknown })._data === 'string' ? ((raw as { _data?: string })._data ?? '') : '';
    if (this.#jar) {
      for (const setCookie of raw.headers.getSetCookie()) await this.#jar.setCookie(setCookie, url, { ignoreError: true });
    }
    this.#logger.debug(
      {
        panel: this.kind,
        panelId: this.panelId,
        op: request.operation,
        method: request.method,
        path: request.logPath ?? request.path,
        status: raw.status,
        ms: Math.round(performance.now() - started),
      },
      'panel request',
    );
    return { status: raw.status, headers: raw.headers, body };
  }

  /** An authenticated exchange, in its call's lane (see the file header). */
  send(request: PanelRequest, ctx: CallContext): Promise<PanelResponse> {
    return this.#lanes.run(ctx.signal, () => {
      if (ctx.signal.aborted) throw abortReason(ctx.signal, this.context(request.operation));
      return this.#authenticated(request, ctx);
    });
  }

  /**
   * One attempt of a whole logical operation (a create that reads back first is one unit), numbered
   * by the caller's `ctx.attempt` (1 when absent): a later attempt knows an earlier one may have applied.
   */
  attempt<T>(ctx: CallContext, operation: (ctx: CallContext) => Promise<T>): Promise<T> {
    return operation(ctx.attempt === undefined ? { ...ctx, attempt: 1 } : ctx);
  }

  async #authenticated(request: PanelRequest, ctx: CallContext): Promise<PanelResponse> {
    const session = this.#session;
    if (!session) return this.exchange(request, ctx);
    if (session.needsLogin()) await this.#singleFlightLogin(ctx);
    const first = await this.exchange(withAuth(request, session), ctx);
    if (!session.isAuthLost(first, request)) return first;
    session.invalidate();
    this.#logger.info({ panel: this.kind, panelId: this.panelId, op: request.operation }, 'panel session lost; logging in again');
    await this.#singleFlightLogin(ctx);
    const second = await this.exchange(withAuth(request, session), ctx);
    if (session.isAuthLost(second, request)) {
      session.invalidate();
      throw new PanelAuthError(
        'panel refused the request right after a fresh login',
        this.context(request.operation, { status: second.status }),
      );
    }
    return second;
  }

  #singleFlightLogin(ctx: CallContext): Promise<void> {
    const session = this.#session;
    if (!session) return Promise.resolve();
    if (!this.#login) {
      this.#jarReset();
      this.#login = session.login(this, ctx).finally(() => {
        this.#login = undefined;
      });
    }
    return this.#login;
  }

  #freshJar(): CookieJar {
    const jar = new CookieJar();
    for (const cookie of this.#initialCookies) jar.setCookieSync(cookie, this.baseUrl, { ignoreError: true });
    return jar;
  }

  #jarReset(): void {
    if (!this.#jar) return;
    this.#jar.removeAllCookiesSync();
    for (const cookie of this.#initialCookies) this.#jar.setCookieSync(cookie, this.baseUrl, { ignoreError: true });
  }
}

function withAuth(request: PanelRequest, session: SessionStrategy): PanelRequest {
  const auth = session.authHeaders(request);
  return Object.keys(auth).length === 0 ? request : { ...request, headers: { ...request.headers, ...auth } };
}

function bodyOf(request: PanelRequest): { body?: URLSearchParams | Record<string, unknown> } {
  if (request.form !== undefined) return { body: new URLSearchParams(request.form as Record<string, string>) };
  if (request.json !== undefined) return { body: request.json as Record<string, unknown> };
  return {};
}

function cleanQuery(query: PanelRequest['query']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) out[key] = value;
  return out;
}

function withTrailingSlash(url: string): string {
  const parsed = new URL(url);
  if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
  return parsed.toString();
}

/**
 * Why the call was aborted: the engine's own reason (its `PanelTimeoutError`, a shutdown error) as it is;
 * a plain timeout signal (`AbortSignal.timeout`) as a retryable `PanelTimeoutError`; anything else as a
 * cancelled call, not retried.
 */
function abortReason(signal: AbortSignal, context: PanelErrorContext): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'TimeoutError' && !(reason instanceof PanelTimeoutError)) {
    return new PanelTimeoutError("no answer before the caller's timeout", context);
  }
  if (reason instanceof Error && reason.name !== 'AbortError') return reason;
  return new PanelConnectionError('the call was cancelled', context, { retryable: false });
}

/** A short, safe description of a network failure (error codes only; messages can echo URLs). */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.name : 'unknown';
}
