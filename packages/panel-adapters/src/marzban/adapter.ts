/**
 * The Marzban adapter (0.8.x; 0.7 differs only in ways this adapter's requests never trigger, see
 * `docs/marzban.md`). Users are global on Marzban: the username is the key, a "target" only chooses
 * the inbound tags per protocol.
 */
import { PanelConflictError, PanelOutcomeUnknownError, ValidationError } from '@panelkit/sdk';
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
  type PanelHealthReport,
  type CreatedClient,
  type RemoteClient,
  type RemoteTarget,
  type TargetRef,
} from '@panelkit/sdk/adapter';
import { AttemptMemos } from '../http/attempt-memos.js';
import { measureHealth } from '../http/health.js';
import { KeyedMutex, type PanelHttp, type PanelRequest, type PanelResponse } from '../http/index.js';
import { connectWithToken, tokenPanelCapabilities, type TokenPanelOptions } from '../marzban-family/connection.js';
import { errorOf, expectOk, isOk } from '../marzban-family/responses.js';
import type { TokenSession } from '../marzban-family/token-session.js';
import { UserReads } from '../marzban-family/user-reads.js';
import { nextOffset, readIsolated } from '../marzban-family/isolated-pages.js';
import { createBody, isOurs, modifyBody, preservedFields, toRemoteClient } from './mapping.js';
import { AdminSchema, DeletedSchema, InboundsSchema, OpenApiInfoSchema, UserSchema, UsersPageSchema, type MarzbanUser } from './schemas.js';
import { listTargets as targetsFromInbounds } from './targets.js';
import { parseTargetMeta } from './target-meta.js';

/** How to reach a Marzban panel (v0.7–v0.8): the `TokenPanelOptions` shared with its forks, and the admin to log in as. */
export interface MarzbanAdapterOptions extends TokenPanelOptions {
  /** The panel's URL, e.g. `https://panel.example.com:8000` (a base path is kept). */
  readonly baseUrl: string;
  /** Where relative subscription URLs are resolved (Marzban's `XRAY_SUBSCRIPTION_URL_PREFIX` may be empty). Default `baseUrl`. */
  readonly subscriptionBaseUrl?: string;
  /** Requests in flight at once. Default 4: Marzban's handlers are synchronous and SQLite serialises writes. */
  readonly maxConcurrency?: number;
  /** Users per `GET /api/users` page when the caller names no limit. Default 500, at most 1000. */
  readonly pageSize?: number;
}

/**
 * `sort=created_at,username`: creation order keeps pages in place while users are added (new ones
 * land on the last page), and the username (unique) breaks ties, so the order is total and the
 * pages are stable. `created_at` alone has ties (second precision on MySQL, bulk imports).
 */
export const MARZBAN_LIST_SORT = 'created_at,username';
const MAX_PAGE = 1000;

/**
 * The Marzban adapter: token login, users placed on inbound sets (`MarzbanTargetMeta`), in-place
 * updates, bulk usage, start on first use (`on_hold`), unstable share links. Create it with {@link
 * createMarzbanAdapter}.
 */
export class MarzbanAdapter implements PanelAdapter {
  readonly kind = 'marzban';
  readonly apiVersion = PANEL_ADAPTER_API_VERSION;
  readonly capabilities: PanelCapabilities;
  readonly #http: PanelHttp;
  readonly #session: TokenSession;
  readonly #users: UserReads<MarzbanUser>;
  readonly #subscriptionBase: string;
  readonly #pageSize: number;
  #version: Promise<string | null> | undefined;
  /** Read-modify-write operations on one user run one at a time (see `updateClient`). */
  readonly #perUser = new KeyedMutex();
  /** What a reset knew before its first attempt, across the engine's attempts (see `AttemptMemos`). */
  readonly #resets = new AttemptMemos<{ before?: MarzbanUser }>();

  constructor(options: MarzbanAdapterOptions) {
    // Share links are built afresh per read with a random Reality sid/sni, host and address (§9.2).
    this.capabilities = tokenPanelCapabilities(options.maxConcurrency ?? 4, { stableShareLinks: false });
    const { http, session } = connectWithToken(this.kind, 'api/admin/token', options);
    this.#http = http;
    this.#session = session;
    this.#users = new UserReads(http, UserSchema, (username) => `api/user/${encodeURIComponent(username)}`);
    this.#subscriptionBase = options.subscriptionBaseUrl ?? options.baseUrl;
    this.#pageSize = Math.min(MAX_PAGE, Math.max(1, options.pageSize ?? 500));
  }

  health(ctx: CallContext): Promise<PanelHealthReport> {
    return measureHealth(async () => {
      expectOk(await this.#send({ operation: 'health', method: 'GET', path: 'api/admin' }, ctx), AdminSchema, this.#http.context('health'));
      return { ok: true, version: await this.#panelVersion(ctx), message: null };
    });
  }

  /** One target per protocol of the panel's inbounds (`remoteMeta` selects its tags). */
  listTargets(ctx: CallContext): Promise<RemoteTarget[]> {
    return this.#http.attempt(ctx, async (attempt) => {
      const response = await this.#send({ operation: 'listTargets', method: 'GET', path: 'api/inbounds' }, attempt);
      return targetsFromInbounds(expectOk(response, InboundsSchema, this.#http.context('listTargets')));
    });
  }

  /** Each client comes with its links: the create's `UserResponse` carries `links` and `subscription_url`. */
  async createClients(target: TargetRef, specs: readonly ClientSpec[], ctx: CallContext): Promise<CreatedClient[]> {
    const meta = parseTargetMeta(target);
    const created: CreatedClient[] = [];
    for (const spec of specs) {
      const user = await this.#http.attempt(ctx, (attempt) => this.#createOne(spec, createBody(spec, meta), attempt));
      created.push({ ...toRemoteClient(user, { target, username: user.username }), links: this.#linksOf(user) });
    }
    return created;
  }

  async getClient(ref: ClientRef, ctx: CallContext): Promise<RemoteClient | null> {
    const user = await this.#http.attempt(ctx, (attempt) => this.#users.get(ref.username, 'getClient', attempt));
    return user ? toRemoteClient(user, ref) : null;
  }

  /**
   * Reads the user, then PUTs the changes with what every PUT must repeat (`preservedFields`). Runs
   * one at a time per user, so a concurrent reset's status restore cannot undo this change.
   */
  async updateClient(ref: ClientRef, patch: ClientPatch, ctx: CallContext): Promise<RemoteClient> {
    const user = await this.#http.attempt(ctx, (attempt) =>
      this.#perUser.run(ref.username.toLowerCase(), async () => {
        const current = await this.#users.require(ref.username, 'updateClient', attempt);
        const body = modifyBody(current, patch);
        return body === null ? current : this.#modify(ref.username, body, 'updateClient', attempt);
      }),
    );
    return toRemoteClient(user, ref);
  }

  /**
   * Changes usage only. `POST …/reset` also sets every status except `expired` to `active` (issue
   * #1672, in 0.7 and 0.8): a disabled user would be re-enabled and an on-hold one would start a
   * period that never ends; and it deletes the user's `next_plan`. One PUT right after puts back the
   * status and the plan. The user is read once, before the first attempt (kept across the engine's
   * attempts under one idempotency key, see `AttemptMemos`): a retry after a lost answer would otherwise
   * read what the reset itself just changed.
   */
  async resetUsage(ref: ClientRef, ctx: CallContext): Promise<void> {
    await this.#resets.run(
      ctx,
      (): { before?: MarzbanUser } => ({}),
      (state) =>
        this.#http.attempt(ctx, (attempt) => this.#perUser.run(ref.username.toLowerCase(), () => this.#reset(ref, state, attempt))),
    );
  }

  async #reset(ref: ClientRef, state: { before?: MarzbanUser }, ctx: CallContext): Promise<void> {
    const before = (state.before ??= await this.#users.require(ref.username, 'resetUsage', ctx));
    const path = `api/user/${encodeURIComponent(ref.username)}/reset`;
    const after = expectOk(
      await this.#send({ operation: 'resetUsage', method: 'POST', path }, ctx),
      UserSchema,
      this.#http.context('resetUsage'),
    );
    const restore: Record<string, unknown> = {};
    if (before.status === 'disabled' && after.status !== 'disabled') {
      restore.status = 'disabled';
    } else if (before.status === 'on_hold' && after.status !== 'on_hold' && before.on_hold_expire_duration) {
      Object.assign(restore, { status: 'on_hold', expire: 0, on_hold_expire_duration: before.on_hold_expire_duration });
    }
    if (before.next_plan && !after.next_plan) restore.next_plan = before.next_plan;
    if (Object.keys(restore).length > 0) await this.#modify(ref.username, { ...preservedFields(after), ...restore }, 'resetUsage', ctx);
  }

  /** A 500 here usually comes after the delete was committed (issues #1621, #2023…): read back. */
  async deleteClient(ref: ClientRef, ctx: CallContext): Promise<void> {
    await this.#http.attempt(ctx, async (attempt) => {
      const path = `api/user/${encodeURIComponent(ref.username)}`;
      const response = await this.#send({ operation: 'deleteClient', method: 'DELETE', path }, attempt);
      if (isOk(response)) {
        expectOk(response, DeletedSchema, this.#http.context('deleteClient'));
        return;
      }
      if (response.status === 404) return;
      const error = errorOf(response, this.#http.context('deleteClient'));
      if (response.status < 500) throw error;
      const still = await this.#users.readBack(ref.username, 'deleteClient', attempt, error);
      if (still !== null) throw error;
    });
  }

  async listClients(request: { cursor?: string | null; limit?: number }, ctx: CallContext): Promise<ClientListPage> {
    const offset = request.cursor ? Number.parseInt(request.cursor, 10) : 0;
    if (!Number.isSafeInteger(offset) || offset < 0)
      throw new ValidationError('not a Marzban page cursor', [{ path: 'cursor', message: 'expected an offset' }]);
    const limit = Math.min(MAX_PAGE, Math.max(1, request.limit ?? this.#pageSize));
    const range = await readIsolated(
      offset,
      limit,
      (user: MarzbanUser) => user.username,
      (start, size, c, retried) => this.#page(start, size, c, retried),
      ctx,
    );
    return {
      items: range.rows.map((user) => toRemoteClient(user)),
      nextCursor: nextOffset(offset, limit, range),
      ...(range.unreadable.length > 0 ? { unreadable: range.unreadable } : {}),
    };
  }

  /** One `GET /api/users` page; retried when `retried` (see `readIsolated`). */
  async #page(offset: number, limit: number, ctx: CallContext, retried: boolean): Promise<{ rows: MarzbanUser[]; total: number }> {
    const once = async (attempt: CallContext) => {
      const query = { offset, limit, sort: MARZBAN_LIST_SORT };
      const response = await this.#send({ operation: 'listClients', method: 'GET', path: 'api/users', query }, attempt);
      const page = expectOk(response, UsersPageSchema, this.#http.context('listClients'));
      return { rows: page.users, total: page.total };
    };
    return retried ? this.#http.attempt(ctx, once) : once(ctx);
  }

  /** Marzban mints a new subscription token on every read; the URL changes, the old ones keep working. */
  async links(ref: ClientRef, ctx: CallContext): Promise<ClientLinks> {
    const user = await this.#http.attempt(ctx, (attempt) => this.#users.require(ref.username, 'links', attempt));
    return this.#linksOf(user);
  }

  /** A user's links as an answer carries them: the subscription URL made absolute (it is relative without `XRAY_SUBSCRIPTION_URL_PREFIX`). */
  #linksOf(user: MarzbanUser): ClientLinks {
    return {
      subscriptionUrl: user.subscription_url ? new URL(user.subscription_url, this.#subscriptionBase).toString() : null,
      shareLinks: user.links,
    };
  }

  /** Logins the panel accepted from this adapter (each one was reported to the owner's Telegram). */
  get loginCount(): number {
    return this.#session.acceptedLogins;
  }

  async #createOne(spec: ClientSpec, body: Record<string, unknown>, ctx: CallContext): Promise<MarzbanUser> {
    const context = this.#http.context('createClients');
    const response = await this.#send({ operation: 'createClients', method: 'POST', path: 'api/user', json: body }, ctx);
    let user: MarzbanUser;
    if (isOk(response)) {
      user = expectOk(response, UserSchema, context);
    } else if (response.status === 409) {
      user = await this.#adopt(
        spec,
        ctx,
        new PanelOutcomeUnknownError('the user existed a moment ago and is gone now', { ...context, status: 409 }),
      );
    } else if (response.status >= 500) {
      // 0.8 commits the row before building the response: a 500 may hide a created user.
      const error = errorOf(response, context);
      const existing = await this.#users.readBack(spec.identity.username, 'createClients', ctx, error);
      if (existing === null) throw error;
      user = this.#ours(existing, spec);
    } else {
      throw errorOf(response, context);
    }
    if (!spec.enabled && user.status !== 'disabled') {
      user = await this.#modify(user.username, { ...preservedFields(user), status: 'disabled' }, 'createClients', ctx);
    }
    return user;
  }

  async #adopt(spec: ClientSpec, ctx: CallContext, ifGone: Error): Promise<MarzbanUser> {
    const existing = await this.#users.get(spec.identity.username, 'createClients', ctx);
    if (existing === null) throw ifGone;
    return this.#ours(existing, spec);
  }

  #ours(user: MarzbanUser, spec: ClientSpec): MarzbanUser {
    if (isOurs(user, spec.identity)) return user;
    throw new PanelConflictError(
      `a different user named ${spec.identity.username} already exists on the panel`,
      this.#http.context('createClients', { status: 409 }),
    );
  }

  async #modify(username: string, body: Record<string, unknown>, operation: string, ctx: CallContext): Promise<MarzbanUser> {
    const response = await this.#send({ operation, method: 'PUT', path: `api/user/${encodeURIComponent(username)}`, json: body }, ctx);
    return expectOk(response, UserSchema, this.#http.context(operation));
  }

  #send(request: PanelRequest, ctx: CallContext): Promise<PanelResponse> {
    return this.#http.send(request, ctx);
  }

  /** `info.version` of the unauthenticated `GET /openapi.json`, asked once; `null` when unavailable. */
  #panelVersion(ctx: CallContext): Promise<string | null> {
    this.#version ??= this.#http
      .exchange({ operation: 'health', method: 'GET', path: 'openapi.json' }, ctx)
      .then((response) => (isOk(response) ? OpenApiInfoSchema.parse(JSON.parse(response.body)).info.version : null))
      .catch(() => null);
    return this.#version.then((version) => {
      if (version === null) this.#version = undefined;
      return version;
    });
  }
}

/**
 * Builds an adapter for one Marzban panel from its URL and admin credentials. Nothing is sent until
 * the first call; a refused login throws `PanelAuthError` then, and is rationed (`LoginRationing`).
 */
export function createMarzbanAdapter(options: MarzbanAdapterOptions): MarzbanAdapter {
  return new MarzbanAdapter(options);
}
