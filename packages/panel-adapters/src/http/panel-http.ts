/**
 * The HTTP layer every adapter talks through: one per adapter instance.
 *
 * - `exchange(request, ctx)`: one raw round trip (ofetch, cookie jar, timeout, no redirects
 *   followed, no auth, no queue, no retry). Network failures become `PanelConnectionError` /
 *   `PanelTimeoutError`; an HTTP status is never an error here.
 * - `send(request, ctx)`: an authenticated exchange in the per-panel queue. Logs in (single
 *   flight) when the session strategy says so; when a response means the session was lost, logs
 *   in once more and repeats the request once; a second loss is a `PanelAuthError`.
 * - `retrying(ctx, operation)`: the SDK's retry policy around a whole logical operation (so a
 *   create that reads back before writing is retried as a unit).
 *
 * Nothing here logs or throws a header, a cookie or a body: only method, path, status and timing.
 */
import { PanelAuthError, PanelConnectionError, PanelTimeoutError, silentLogger, type Logger, type PanelErrorContext } from '@panelkit/sdk';
import { DEFAULT_RETRY_POLICY, withRetry, type CallContext, type RandomSource, type RetryPolicy } from '@panelkit/sdk/adapter';
import { ofetch, type $Fetch } from 'ofetch';
import PQueue from 'p-queue';
import { CookieJar } from 'tough-cookie';
import { AbortFanout } from './abort-fanout.js';
import type { PanelRequest, PanelResponse, RawExchange, SessionStrategy } from './types.js';

/** Options of {@link PanelHttp}: where the panel is, timeouts, concurrency, retries and cookies. */
export interface PanelHttpOptions {
  /** The panel kind, for errors and logs. */
  readonly kind: string;
  /** The shop's id for this panel, for errors and logs. */
  readonly panelId?: string;
  /** The panel's full base URL, base path included (`https://host:2053/Xk3…/`). */
  readonly baseUrl: string;
  /** Per request. Default 15 s. */
  readonly timeoutMs?: number;
  /** Requests in flight at once. */
  readonly maxConcurrency: number;
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
  /** Test hooks for the retry policy. */
  readonly random?: RandomSource;
  /** Waits between retries; must reject when the signal aborts. Inject in tests so nothing sleeps. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export class PanelHttp implements RawExchange {
  readonly kind: string;
  readonly panelId: string | undefined;
  readonly baseUrl: string;
  readonly retryPolicy: RetryPolicy;
  readonly #timeoutMs: number;
  readonly #fetch: $Fetch;
  readonly #queue: PQueue;
  /** Queued requests wait on a child of the caller's signal, so one signal holds one listener (see `AbortFanout`). */
  readonly #aborts = new AbortFanout();
  readonly #jar: CookieJar | undefined;
  readonly #initialCookies: readonly string[];
  readonly #headers: Readonly<Record<string, string>>;
  readonly #logger: Logger;
  readonly #session: SessionStrategy | undefined;
  readonly #random: RandomSource | undefined;
  readonly #sleep: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  #login: Promise<void> | undefined;

  constructor(options: PanelHttpOptions, session?: SessionStrategy) {
    this.kind = options.kind;
    this.panelId = options.panelId;
    this.baseUrl = withTrailingSlash(options.baseUrl);
    this.retryPolicy = options.retry ?? DEFAULT_RETRY_POLICY;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#queue = new PQueue({ concurrency: Math.max(1, options.maxConcurrency) });
    this.#initialCookies = options.initialCookies ?? [];
    this.#jar = options.cookies ? this.#freshJar() : undefined;
    this.#headers = options.headers ?? {};
    this.#logger = options.logger ?? silentLogger;
    this.#session = session;
    this.#random = options.random;
    this.#sleep = options.sleep;
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

  /** Requests waiting for or holding a queue slot. */
  get pending(): number {
    return this.#queue.size + this.#queue.pending;
  }

  /**
   * One raw round trip: no login, no queue, no retry. Network failures throw
   * `PanelConnectionError`/`PanelTimeoutError`; any HTTP status is returned, not thrown.
   */
  async exchange(request: PanelRequest, ctx: CallContext): Promise<PanelResponse> {
    const url = new URL(request.path.replace(/^\//, ''), this.baseUrl).toString();
    const headers: Record<string, string> = { accept: 'application/json', ...this.#headers, ...request.headers };
    const cookie = this.#jar ? await this.#jar.getCookieString(url) : '';
    if (cookie) headers.cookie = headers.cookie ? `${headers.cookie}; ${cookie}` : cookie;
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = AbortSignal.any([ctx.signal, timeout]);
    const started = performance.now();
    const errorContext = this.context(request.operation, ctx.attempt === undefined ? {} : { attempt: ctx.attempt });
    let raw: Response;
    try {
      raw = await this.#fetch.raw(url, {
        method: request.method,
        headers,
        ...bodyOf(request),
        ...(request.query ? { query: cleanQuery(request.query) } : {}),
        responseType: 'text',
        signal,
      });
    } catch (error) {
      if (ctx.signal.aborted) throw abortReason(ctx.signal, errorContext);
      if (timeout.aborted) throw new PanelTimeoutError(`no answer within ${this.#timeoutMs} ms`, errorContext);
      throw new PanelConnectionError('could not reach the panel', errorContext, { details: { reason: networkReason(error) } });
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

  /** An authenticated exchange in the per-panel queue (see the file header). */
  send(request: PanelRequest, ctx: CallContext): Promise<PanelResponse> {
    const { signal, release } = this.#aborts.follow(ctx.signal);
    return this.#queue.add(() => this.#authenticated(request, ctx), { signal }).finally(release);
  }

  /** Runs a whole logical operation under the retry policy; `ctx.attempt` counts attempts. */
  retrying<T>(ctx: CallContext, operation: (ctx: CallContext) => Promise<T>): Promise<T> {
    return withRetry((attempt) => operation({ ...ctx, attempt }), {
      policy: this.retryPolicy,
      signal: ctx.signal,
      ...(this.#random ? { random: this.#random } : {}),
      ...(this.#sleep ? { sleep: this.#sleep } : {}),
      onRetry: ({ attempt, delayMs, error }) =>
        this.#logger.warn(
          { panel: this.kind, panelId: this.panelId, attempt, delayMs, code: (error as { code?: string }).code },
          'retrying panel call',
        ),
    });
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

function abortReason(signal: AbortSignal, context: PanelErrorContext): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason;
  return new PanelConnectionError('the call was cancelled', context, { retryable: false });
}

/** A short, safe description of a network failure (error codes only; messages can echo URLs). */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.name : 'unknown';
}
