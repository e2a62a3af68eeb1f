/**
 * `defineHttpPanelAdapter`: the boilerplate of an HTTP panel adapter done once (login sharing, the HTTP client,
 * error mapping, idempotent writes and the lost answer), so an author writes only the panel's calls. Retries,
 * backoff, concurrency and the timeout are the engine's. See docs/guides/writing-a-panel-adapter.md.
 */
import { PanelConflictError, PanelConnectionError, PanelNotFoundError, PanelOutcomeUnknownError } from '@panelkit/sdk';
import {
  PANEL_ADAPTER_API_VERSION,
  type CallContext,
  type ClientLinks,
  type ClientListPage,
  type ClientPatch,
  type ClientRef,
  type ClientSpec,
  type PanelAdapter,
  type PanelCapabilities,
  type PanelErrorContext,
  type RemoteClient,
  type RemoteTarget,
  type TargetRef,
} from '@panelkit/sdk/adapter';
import type { z } from 'zod';
import { measureHealth } from './health.js';
import { parseJson } from './parse.js';
import { PanelHttp, type PanelHttpOptions } from './panel-http.js';
import { errorForStatus } from './status-errors.js';
import type { PanelRequest, PanelResponse, RawExchange, SessionStrategy } from './types.js';

/** What every adapter built with {@link defineHttpPanelAdapter} takes: where the panel is. */
export type HttpPanelAdapterOptions = Omit<PanelHttpOptions, 'kind' | 'maxConcurrency' | 'cookies' | 'initialCookies'>;

/**
 * The HTTP calls an author's code makes, with the factory's rules applied: a non-2xx status becomes the SDK's
 * panel error for it (`errorForStatus`), network failures and timeouts are `PanelConnectionError` /
 * `PanelTimeoutError`, and an empty `200` (the answer was lost on the way) is recognised.
 */
export interface HttpPanelApi {
  /** The HTTP client underneath, for what the helpers do not cover. */
  readonly http: PanelHttp;
  /** The error context for an operation (panel kind, id, operation name). */
  context(operation: string): PanelErrorContext;
  /** A read: the body parsed with `schema`. An empty `200` is a retryable `PanelConnectionError` (the answer was lost). */
  read<S extends z.ZodType>(request: PanelRequest, schema: S, ctx: CallContext): Promise<z.output<S>>;
  /**
   * A write: resolves with the response on a 2xx. An empty `200` means the panel may have applied the write and
   * the answer was lost: it throws `PanelOutcomeUnknownError`, which the factory settles by reading back (a panel
   * whose successful writes answer an empty `200` should answer `204`, or read the client back itself).
   */
  write(request: PanelRequest, ctx: CallContext): Promise<PanelResponse>;
}

/** How the panel is logged in to: a token from `login`, sent as a bearer header, renewed on a 401. */
export interface BearerLogin {
  /** Logs in with `raw.exchange` (unqueued, unauthenticated) and returns the token; throw a `PanelAuthError` when refused. */
  login(raw: RawExchange, ctx: CallContext): Promise<string>;
}

/**
 * The panel's own calls: all an author writes. Each is one attempt (`ctx.attempt` numbers it; the engine retries
 * under the same idempotency key), with `api` doing the HTTP. Writes need not be idempotent or read anything back: the factory adopts an existing client, settles a
 * lost answer by reading the client back, and returns what the panel holds.
 */
export interface HttpPanelCalls {
  /** One cheap authenticated call that proves the panel answers; returns the panel's version when it tells. */
  probe(api: HttpPanelApi, ctx: CallContext): Promise<{ version: string | null }>;
  /** Every target clients can be placed on. */
  listTargets(api: HttpPanelApi, ctx: CallContext): Promise<RemoteTarget[]>;
  /** The client, or `null` when the panel has none by that username. */
  getClient(api: HttpPanelApi, ref: ClientRef, ctx: CallContext): Promise<RemoteClient | null>;
  /** Creates one client; a panel that refuses a taken username should answer 409 (`PanelConflictError`). */
  createClient(api: HttpPanelApi, target: TargetRef, spec: ClientSpec, ctx: CallContext): Promise<void>;
  /** Applies the fields present in `patch`; a missing client is a 404 (`PanelNotFoundError`). */
  updateClient(api: HttpPanelApi, ref: ClientRef, patch: ClientPatch, ctx: CallContext): Promise<void>;
  /** Sets used traffic to zero and changes nothing else. */
  resetUsage(api: HttpPanelApi, ref: ClientRef, ctx: CallContext): Promise<void>;
  /** Removes the client; a 404 (`PanelNotFoundError`) counts as done. */
  deleteClient(api: HttpPanelApi, ref: ClientRef, ctx: CallContext): Promise<void>;
  /** One page of every client on the panel. */
  listClients(api: HttpPanelApi, request: { cursor: string | null; limit?: number }, ctx: CallContext): Promise<ClientListPage>;
  /** The client's subscription URL and share links. */
  links(api: HttpPanelApi, ref: ClientRef, ctx: CallContext): Promise<ClientLinks>;
}

/** What {@link defineHttpPanelAdapter} needs to know about a panel kind. */
export interface HttpPanelAdapterDefinition<O extends HttpPanelAdapterOptions> {
  /** The panel kind (`Panel.kind`). */
  readonly kind: string;
  /** What the panel can do (see `PanelCapabilities`); the engine admits `maxConcurrency` calls at once. */
  readonly capabilities: PanelCapabilities;
  /** Whether the panel keeps its session in cookies (a cookie jar is kept per adapter). */
  readonly cookies?: boolean;
  /** How to authenticate: a bearer-token login, or a full `SessionStrategy`; absent for a panel with no auth. */
  readonly auth?: (options: O) => BearerLogin | SessionStrategy;
  /** The panel's calls. */
  readonly calls: HttpPanelCalls;
}

/**
 * Builds an adapter factory from a panel's calls, the way better-auth's `createAdapterFactory` does for storages.
 * The factory does what every HTTP adapter must:
 *
 * - one `PanelHttp` per adapter: one request at a time per call, bounded by the call's signal, nothing secret logged;
 * - login sharing: one login in flight for all callers, one fresh login and one repeat on a 401, a second 401 is a
 *   `PanelAuthError` (a custom `SessionStrategy` may define "session lost" otherwise);
 * - errors: non-2xx statuses and network failures become the SDK's panel errors, with `retryable` set;
 * - one attempt per call: the engine retries a failed call as a unit, under the same idempotency key, with
 *   `ctx.attempt` counting (a retryable error is thrown as it is);
 * - idempotent writes: `createClients` adopts a client that exists, and a write whose answer was lost (an empty
 *   `200`, a timeout, a dropped connection) is settled by reading the client back rather than guessed at;
 * - `health` never throws: a failure is `{ ok: false, message }`.
 */
export function defineHttpPanelAdapter<O extends HttpPanelAdapterOptions>(
  definition: HttpPanelAdapterDefinition<O>,
): (options: O) => PanelAdapter {
  return (options) => new HttpDefinedAdapter(definition, options);
}

class HttpDefinedAdapter<O extends HttpPanelAdapterOptions> implements PanelAdapter {
  readonly kind: string;
  readonly apiVersion = PANEL_ADAPTER_API_VERSION;
  readonly capabilities: PanelCapabilities;
  readonly #calls: HttpPanelCalls;
  readonly #http: PanelHttp;
  readonly #api: HttpPanelApi;

  constructor(definition: HttpPanelAdapterDefinition<O>, options: O) {
    this.kind = definition.kind;
    this.capabilities = Object.freeze({ ...definition.capabilities });
    this.#calls = definition.calls;
    const auth = definition.auth?.(options);
    this.#http = new PanelHttp(
      { ...options, kind: definition.kind, cookies: definition.cookies ?? false },
      auth === undefined ? undefined : 'needsLogin' in auth ? auth : bearerSession(auth),
    );
    this.#api = httpApi(this.#http);
  }

  health(ctx: CallContext) {
    return measureHealth(async () => ({ ok: true, message: null, ...(await this.#attempt(ctx, (c) => this.#calls.probe(this.#api, c))) }));
  }

  listTargets(ctx: CallContext): Promise<RemoteTarget[]> {
    return this.#attempt(ctx, (c) => this.#calls.listTargets(this.#api, c));
  }

  getClient(ref: ClientRef, ctx: CallContext): Promise<RemoteClient | null> {
    return this.#attempt(ctx, (c) => this.#calls.getClient(this.#api, ref, c));
  }

  async createClients(target: TargetRef, specs: readonly ClientSpec[], ctx: CallContext): Promise<RemoteClient[]> {
    const created: RemoteClient[] = [];
    for (const spec of specs) created.push(await this.#attempt(ctx, (c) => this.#createOne(target, spec, c)));
    return created;
  }

  updateClient(ref: ClientRef, patch: ClientPatch, ctx: CallContext): Promise<RemoteClient> {
    // Setting fields is idempotent: a lost answer is settled by sending the same patch again.
    return this.#attempt(ctx, async (c) => {
      await this.#calls.updateClient(this.#api, ref, patch, c);
      return this.#readBack(ref, c, 'updateClient');
    });
  }

  resetUsage(ref: ClientRef, ctx: CallContext): Promise<void> {
    return this.#attempt(ctx, (c) => this.#calls.resetUsage(this.#api, ref, c));
  }

  deleteClient(ref: ClientRef, ctx: CallContext): Promise<void> {
    return this.#attempt(ctx, async (c) => {
      try {
        await this.#calls.deleteClient(this.#api, ref, c);
      } catch (error) {
        if (!(error instanceof PanelNotFoundError)) throw error;
      }
    });
  }

  listClients(request: { cursor?: string | null; limit?: number }, ctx: CallContext): Promise<ClientListPage> {
    const page = { cursor: request.cursor ?? null, ...(request.limit === undefined ? {} : { limit: request.limit }) };
    return this.#attempt(ctx, (c) => this.#calls.listClients(this.#api, page, c));
  }

  links(ref: ClientRef, ctx: CallContext): Promise<ClientLinks> {
    return this.#attempt(ctx, (c) => this.#calls.links(this.#api, ref, c));
  }

  /** Creates one client, or adopts it when it exists (already, or because a lost answer hid that the create applied). */
  async #createOne(target: TargetRef, spec: ClientSpec, ctx: CallContext): Promise<RemoteClient> {
    const ref: ClientRef = { target, username: spec.identity.username };
    if ((ctx.attempt ?? 1) > 1) {
      const existing = await this.#calls.getClient(this.#api, ref, ctx);
      if (existing) return existing;
    }
    try {
      await this.#calls.createClient(this.#api, target, spec, ctx);
    } catch (error) {
      if (!(error instanceof PanelConflictError) && !isLostAnswer(error)) throw error;
      const existing = await this.#calls.getClient(this.#api, ref, ctx);
      if (existing) return existing;
      throw error;
    }
    return this.#readBack(ref, ctx, 'createClients');
  }

  async #readBack(ref: ClientRef, ctx: CallContext, operation: string): Promise<RemoteClient> {
    const client = await this.#calls.getClient(this.#api, ref, ctx);
    if (client) return client;
    throw new PanelNotFoundError('the client is not on the panel after the write', this.#http.context(operation));
  }

  #attempt<T>(ctx: CallContext, operation: (ctx: CallContext) => Promise<T>): Promise<T> {
    return this.#http.attempt(ctx, operation);
  }
}

/** A thrown error that leaves a write's outcome unknown: the panel may have applied it. */
function isLostAnswer(error: unknown): boolean {
  return error instanceof PanelOutcomeUnknownError || (error instanceof PanelConnectionError && error.retryable);
}

function httpApi(http: PanelHttp): HttpPanelApi {
  const checked = async (request: PanelRequest, ctx: CallContext): Promise<PanelResponse> => {
    const response = await http.send(request, ctx);
    if (response.status < 200 || response.status > 299) throw errorForStatus(response, http.context(request.operation));
    return response;
  };
  const lost = (response: PanelResponse) => response.status === 200 && response.body.trim() === '';
  return {
    http,
    context: (operation) => http.context(operation),
    async read(request, schema, ctx) {
      const response = await checked(request, ctx);
      if (lost(response))
        throw new PanelConnectionError('the panel answered an empty 200: the answer was lost', http.context(request.operation));
      return parseJson(response, schema, http.context(request.operation));
    },
    async write(request, ctx) {
      const response = await checked(request, ctx);
      if (lost(response)) {
        throw new PanelOutcomeUnknownError('the panel answered an empty 200: the write may have applied', http.context(request.operation));
      }
      return response;
    },
  };
}

/**
 * A bearer token from `auth.login`, renewed on a 401. A 401 for a request sent with an older token (another call
 * already logged in again meanwhile) keeps the current token, so concurrent callers share one fresh login.
 */
function bearerSession(auth: BearerLogin): SessionStrategy {
  let token: string | undefined;
  let staleLoss = false;
  const sentWith = new WeakMap<PanelRequest, string>();
  return {
    needsLogin: () => token === undefined,
    async login(raw, ctx) {
      // A request sent before a newer login needs only that newer token, not another login.
      if (token !== undefined) return;
      token = await auth.login(raw, ctx);
    },
    authHeaders(request): Record<string, string> {
      if (token === undefined) return {};
      sentWith.set(request, token);
      return { authorization: `Bearer ${token}` };
    },
    isAuthLost(response, request) {
      if (response.status !== 401) return false;
      const used = sentWith.get(request);
      staleLoss = used !== undefined && token !== undefined && used !== token;
      return true;
    },
    invalidate() {
      if (staleLoss) staleLoss = false;
      else token = undefined;
    },
  };
}
