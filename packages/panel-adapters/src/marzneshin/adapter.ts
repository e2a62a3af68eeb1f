/**
 * The Marzneshin adapter (v0.6.3+ and master; see `docs/marzneshin.md`). Targets are services
 * (`service_ids`); users are global and keyed by their lower-case username.
 */
import { PanelConflictError, PanelNotFoundError, PanelRejectedError, ValidationError } from '@panelkit/sdk';
import {
  PANEL_ADAPTER_API_VERSION,
  type CallContext,
  type ClientLinks,
  type ClientListPage,
  type ClientPatch,
  type ClientRef,
  type ClientSpec,
  type CreatedClient,
  type PanelAdapter,
  type PanelCapabilities,
  type PanelHealthReport,
  type RemoteClient,
  type RemoteTarget,
  type TargetRef,
} from '@panelkit/sdk/adapter';
import { measureHealth } from '../http/health.js';
import type { PanelHttp, PanelRequest, PanelResponse } from '../http/index.js';
import type { PanelLogin } from '../http/credentials.js';
import { connectWithToken, tokenPanelCapabilities, type TokenPanelOptions } from '../marzban-family/connection.js';
import { errorOf, expectOk, isOk } from '../marzban-family/responses.js';
import type { TokenSession } from '../marzban-family/token-session.js';
import { MarzneshinAdminAccess, adminRefusal } from './admin-access.js';
import { KEY_VARIANTS, createBody, isOurKey, modifyBody, toRemoteClient } from './mapping.js';
import { EmptySchema, ServicesPageSchema, UserSchema, UsersPageSchema, type MarzneshinUser } from './schemas.js';
import { shareLinksOf } from './share-links.js';
import { MarzneshinUserReads, nameOf, userPath } from './user-reads.js';

/** How to reach a Marzneshin panel: the `TokenPanelOptions` shared with Marzban, and the admin to log in as. */
export interface MarzneshinAdapterOptions extends TokenPanelOptions {
  /**
   * A sudo admin, or a non-sudo one with `modify_users_access` and at least one service (form login at
   * `POST /api/admins/token`). A non-sudo admin sees and changes only its own users; `health()` reports
   * an admin that cannot run a shop as not ok, saying why.
   */
  readonly auth: PanelLogin;
}

/** `GET /api/users` refuses `size` above 100 (422). */
export const MARZNESHIN_MAX_PAGE = 100;
/**
 * `order_by` takes one column; `username` is the only unique one offered, so it is the only order
 * in which offset pages are stable (`created_at` ties would be returned in an unspecified order).
 */
export const MARZNESHIN_LIST_ORDER = 'username';

/**
 * The Marzneshin adapter: token login, users placed on a service (the target), in-place updates, bulk
 * usage, start on first use. Create it with {@link createMarzneshinAdapter}.
 */
export class MarzneshinAdapter implements PanelAdapter {
  readonly kind = 'marzneshin';
  readonly apiVersion = PANEL_ADAPTER_API_VERSION;
  readonly capabilities: PanelCapabilities;
  readonly #http: PanelHttp;
  readonly #session: TokenSession;
  readonly #users: MarzneshinUserReads;
  readonly #access: MarzneshinAdminAccess;
  readonly #subscriptionBase: string;

  constructor(options: MarzneshinAdapterOptions) {
    this.capabilities = tokenPanelCapabilities(options.maxConcurrency ?? 4);
    const { http, session } = connectWithToken(this.kind, 'api/admins/token', options);
    this.#http = http;
    this.#session = session;
    this.#access = new MarzneshinAdminAccess(http);
    this.#users = new MarzneshinUserReads(http, this.#access);
    this.#subscriptionBase = options.subscriptionBaseUrl ?? options.baseUrl;
  }

  /** Not ok, with the reason, for an admin that cannot run a shop (non-sudo without `modify_users_access` or services). */
  health(ctx: CallContext): Promise<PanelHealthReport> {
    return measureHealth(async () => {
      const refusal = adminRefusal(await this.#access.current('health', ctx));
      // Marzneshin's OpenAPI version is always 0.1.0, so there is no release to report.
      return { ok: refusal === null, version: null, message: refusal };
    });
  }

  /** One target per service on the panel (`remoteRef` is the service id). */
  listTargets(ctx: CallContext): Promise<RemoteTarget[]> {
    return this.#http.attempt(ctx, async (attempt) => {
      const targets: RemoteTarget[] = [];
      for (let page = 1; ; page++) {
        const response = await this.#send(
          { operation: 'listTargets', method: 'GET', path: 'api/services', query: { page, size: MARZNESHIN_MAX_PAGE } },
          attempt,
        );
        const body = expectOk(response, ServicesPageSchema, this.#http.context('listTargets'));
        for (const service of body.items) {
          targets.push({
            remoteRef: String(service.id),
            name: service.name,
            protocol: 'mixed',
            enabled: true,
            clientCount: service.user_ids.length,
            remoteMeta: { serviceId: service.id },
          });
        }
        if (page >= body.pages || body.items.length === 0) return targets;
      }
    });
  }

  /**
   * One create per user (Marzneshin has no batch create), each with its links: the subscription URL from the
   * create's own answer (its `key`), and the share links from one `…/links` read (none, and no read, for a user
   * that starts inactive). So an order costs two calls, not three: no read of the user it was just given.
   */
  async createClients(target: TargetRef, specs: readonly ClientSpec[], ctx: CallContext): Promise<CreatedClient[]> {
    const serviceId = serviceOf(target);
    const created: CreatedClient[] = [];
    for (const spec of specs) {
      const client = await this.#http.attempt(ctx, async (attempt) => {
        const user = await this.#createOne(spec, serviceId, attempt);
        const links = await this.#linksOf(user, 'createClients', attempt);
        return { ...toRemoteClient(user, { target, username: user.username }), links };
      });
      created.push(client);
    }
    return created;
  }

  async getClient(ref: ClientRef, ctx: CallContext): Promise<RemoteClient | null> {
    const user = await this.#http.attempt(ctx, (attempt) => this.#users.get(ref.username, 'getClient', attempt));
    return user ? toRemoteClient(user, ref) : null;
  }

  async updateClient(ref: ClientRef, patch: ClientPatch, ctx: CallContext): Promise<RemoteClient> {
    const user = await this.#http.attempt(ctx, async (attempt) => {
      const body = modifyBody(nameOf(ref.username), patch);
      let current: MarzneshinUser | null = null;
      if (body !== null) {
        const response = await this.#send({ operation: 'updateClient', method: 'PUT', path: userPath(ref.username), json: body }, attempt);
        current = await this.#userOr404(response, ref.username, 'updateClient', attempt);
      }
      if (patch.enabled !== undefined) current = (await this.#setEnabled(ref.username, patch.enabled, 'updateClient', attempt)) ?? current;
      return current ?? (await this.#users.require(ref.username, 'updateClient', attempt));
    });
    return toRemoteClient(user, ref);
  }

  /** Only `used_traffic` changes; Marzneshin's reset has no status side effects (unlike Marzban's). */
  async resetUsage(ref: ClientRef, ctx: CallContext): Promise<void> {
    await this.#http.attempt(ctx, async (attempt) => {
      const response = await this.#send({ operation: 'resetUsage', method: 'POST', path: `${userPath(ref.username)}/reset` }, attempt);
      await this.#userOr404(response, ref.username, 'resetUsage', attempt);
    });
  }

  /** A soft delete on the panel (the name is free again at once); a missing user is success. */
  async deleteClient(ref: ClientRef, ctx: CallContext): Promise<void> {
    await this.#http.attempt(ctx, async (attempt) => {
      const response = await this.#send({ operation: 'deleteClient', method: 'DELETE', path: userPath(ref.username) }, attempt);
      if (response.status === 404 || (await this.#access.hidesUser(response, 'deleteClient', true, attempt))) return;
      if (isOk(response)) {
        expectOk(response, EmptySchema, this.#http.context('deleteClient'));
        return;
      }
      const error = errorOf(response, this.#http.context('deleteClient'));
      if (response.status < 500) throw error;
      if ((await this.#users.readBack(ref.username, 'deleteClient', attempt, error)) !== null) throw error;
    });
  }

  async listClients(request: { cursor?: string | null; limit?: number }, ctx: CallContext): Promise<ClientListPage> {
    const [page, size] = parseCursor(request.cursor, Math.min(MARZNESHIN_MAX_PAGE, Math.max(1, request.limit ?? MARZNESHIN_MAX_PAGE)));
    const body = await this.#http.attempt(ctx, async (attempt) => {
      const query = { page, size, order_by: MARZNESHIN_LIST_ORDER };
      const response = await this.#send({ operation: 'listClients', method: 'GET', path: 'api/users', query }, attempt);
      return expectOk(response, UsersPageSchema, this.#http.context('listClients'));
    });
    return {
      items: body.items.map((user) => toRemoteClient(user)),
      nextCursor: body.items.length > 0 && page < body.pages ? `${page + 1}:${size}` : null,
    };
  }

  /**
   * `{prefix}/sub/{username}/{key}` (stable until revoked, unless the prefix holds `*`), and the links
   * from `…/links`: none while the user is inactive, when the panel serves a placeholder instead.
   */
  async links(ref: ClientRef, ctx: CallContext): Promise<ClientLinks> {
    return this.#http.attempt(ctx, async (attempt) =>
      this.#linksOf(await this.#users.require(ref.username, 'links', attempt), 'links', attempt),
    );
  }

  /**
   * The links of `user` as read (the create's answer, or a read): the subscription URL from its `key`, and the
   * share links from `…/links`, not asked for while the user is inactive (the answer would be the placeholder).
   */
  async #linksOf(user: MarzneshinUser, operation: string, ctx: CallContext): Promise<ClientLinks> {
    const subscriptionUrl = user.subscription_url ? new URL(user.subscription_url, this.#subscriptionBase).toString() : null;
    if (!user.is_active) return { subscriptionUrl, shareLinks: [] };
    // The key is the user's subscription credential: it stays out of the log line.
    const path = `sub/${encodeURIComponent(user.username)}/${encodeURIComponent(user.key)}/links`;
    const logPath = `sub/${encodeURIComponent(user.username)}/[key]/links`;
    const response = await this.#send({ operation, method: 'GET', path, logPath, headers: { accept: 'text/plain' } }, ctx);
    if (!isOk(response)) throw errorOf(response, this.#http.context(operation));
    return { subscriptionUrl, shareLinks: shareLinksOf(user, response.body) };
  }

  get loginCount(): number {
    return this.#session.acceptedLogins;
  }

  /**
   * One create. A 409 whose user cannot be read means a removed (soft-deleted) row holds the key (or,
   * for a non-sudo admin, that another admin's user holds the name), so the next derived key is tried;
   * every attempt is deterministic, so a retry converges.
   */
  async #createOne(spec: ClientSpec, serviceId: number, ctx: CallContext): Promise<MarzneshinUser> {
    const context = this.#http.context('createClients');
    let user: MarzneshinUser | undefined;
    let createdHere = false;
    for (let variant = 0; variant < KEY_VARIANTS && user === undefined; variant++) {
      const json = createBody(spec, serviceId, variant);
      const response = await this.#send({ operation: 'createClients', method: 'POST', path: 'api/users', json }, ctx);
      if (isOk(response)) {
        user = expectOk(response, UserSchema, context);
        createdHere = true;
      } else if (response.status === 409) {
        const existing = await this.#users.get(spec.identity.username, 'createClients', ctx);
        if (existing !== null) user = this.#ours(existing, spec);
      } else if (response.status >= 500) {
        const error = errorOf(response, context);
        const existing = await this.#users.readBack(spec.identity.username, 'createClients', ctx, error);
        if (existing === null) throw error;
        user = this.#ours(existing, spec);
        createdHere = true; // by this call's own write, whose answer was lost
      } else throw errorOf(response, context);
    }
    if (user === undefined) {
      throw new PanelConflictError(
        `${spec.identity.username} is taken by a user this admin cannot see (another admin's), ` +
          'or every key derived for it is held by a removed user',
        { ...context, status: 409 },
      );
    }
    await this.#expectService(user, serviceId, createdHere, ctx);
    if (!spec.enabled && user.enabled) user = (await this.#setEnabled(user.username, false, 'createClients', ctx)) ?? user;
    return user;
  }

  /**
   * Marzneshin drops a service id that does not exist, or that a non-sudo admin may not use, and creates
   * the user without it. Such a user has no links: it is removed again when this call made it (so the
   * bad target changes nothing), and the create fails.
   */
  async #expectService(user: MarzneshinUser, serviceId: number, createdHere: boolean, ctx: CallContext): Promise<void> {
    if (user.service_ids.includes(serviceId)) return;
    if (createdHere) {
      // Best effort: left behind, the user is adopted by a retry and refused again, the same way.
      await this.#send({ operation: 'createClients', method: 'DELETE', path: userPath(user.username) }, ctx).catch(() => undefined);
    }
    const message = `service ${serviceId} does not exist on the panel or this admin may not use it (the panel dropped it)`;
    throw new PanelRejectedError(message, this.#http.context('createClients'), [{ path: 'service_ids', message }]);
  }

  #ours(user: MarzneshinUser, spec: ClientSpec): MarzneshinUser {
    if (isOurKey(user.key, spec.identity)) return user;
    throw new PanelConflictError(
      `a different user named ${spec.identity.username} already exists on the panel`,
      this.#http.context('createClients', { status: 409 }),
    );
  }

  /** `POST …/enable|disable`; a 409 means it already is in that state (success, `null` = not read). */
  async #setEnabled(username: string, enabled: boolean, operation: string, ctx: CallContext): Promise<MarzneshinUser | null> {
    const response = await this.#send({ operation, method: 'POST', path: `${userPath(username)}/${enabled ? 'enable' : 'disable'}` }, ctx);
    if (response.status === 409) return null;
    return this.#userOr404(response, username, operation, ctx);
  }

  /** The user a write answered with; a 404, or a non-sudo admin's 403 for a user it cannot see, is `PanelNotFoundError`. */
  async #userOr404(response: PanelResponse, username: string, operation: string, ctx: CallContext): Promise<MarzneshinUser> {
    if (response.status === 404 || (await this.#access.hidesUser(response, operation, true, ctx))) {
      throw new PanelNotFoundError(`user ${username} is not on the panel`, this.#http.context(operation, { status: 404 }));
    }
    return expectOk(response, UserSchema, this.#http.context(operation));
  }

  #send(request: PanelRequest, ctx: CallContext): Promise<PanelResponse> {
    return this.#http.send(request, ctx);
  }
}

function serviceOf(target: TargetRef): number {
  const fromMeta = target.remoteMeta.serviceId;
  const id = typeof fromMeta === 'number' ? fromMeta : Number(target.remoteRef);
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new ValidationError(`target ${target.remoteRef} is not a Marzneshin service`, [
      { path: 'remoteMeta.serviceId', message: 'expected a service id' },
    ]);
  }
  return id;
}

function parseCursor(cursor: string | null | undefined, size: number): [number, number] {
  if (!cursor) return [1, size];
  const match = /^(\d+):(\d+)$/.exec(cursor);
  if (!match) throw new ValidationError('not a Marzneshin page cursor', [{ path: 'cursor', message: 'expected page:size' }]);
  return [Number(match[1]), Math.min(MARZNESHIN_MAX_PAGE, Number(match[2]))];
}

/**
 * Builds an adapter for one Marzneshin panel from its URL and an admin's credentials (see
 * `MarzneshinAdapterOptions.auth` for what a non-sudo admin needs). Nothing is sent until the first
 * call.
 */
export function createMarzneshinAdapter(options: MarzneshinAdapterOptions): MarzneshinAdapter {
  return new MarzneshinAdapter(options);
}
