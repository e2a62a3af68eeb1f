/**
 * The Marzneshin adapter (v0.6.3+ and master; see `docs/marzneshin.md`). Targets are services
 * (`service_ids`); users are global and keyed by their lower-case username.
 */
import {
  PANEL_ADAPTER_API_VERSION,
  PanelConflictError,
  PanelNotFoundError,
  ValidationError,
  type CallContext,
  type ClientLinks,
  type ClientListPage,
  type ClientPatch,
  type ClientRef,
  type ClientSpec,
  type PanelAdapter,
  type PanelCapabilities,
  type PanelHealthReport,
  type RemoteClient,
  type RemoteTarget,
  type TargetRef,
} from '@panelkit/sdk';
import { measureHealth } from '../http/health.js';
import type { PanelHttp, PanelRequest, PanelResponse } from '../http/index.js';
import type { PanelLogin } from '../http/credentials.js';
import { connectWithToken, tokenPanelCapabilities, type TokenPanelOptions } from '../marzban-family/connection.js';
import { errorOf, expectOk, isOk } from '../marzban-family/responses.js';
import type { TokenSession } from '../marzban-family/token-session.js';
import { UserReads } from '../marzban-family/user-reads.js';
import { KEY_VARIANTS, createBody, isOurKey, modifyBody, toRemoteClient } from './mapping.js';
import { AdminSchema, EmptySchema, ServicesPageSchema, UserSchema, UsersPageSchema, type MarzneshinUser } from './schemas.js';

export interface MarzneshinAdapterOptions extends TokenPanelOptions {
  /** The login of an admin with `modify_users_access` (form login at `POST /api/admins/token`). */
  readonly auth: PanelLogin;
}

/** `GET /api/users` refuses `size` above 100 (422). */
export const MARZNESHIN_MAX_PAGE = 100;
/**
 * `order_by` takes one column; `username` is the only unique one offered, so it is the only order
 * in which offset pages are stable (`created_at` ties would be returned in an unspecified order).
 */
export const MARZNESHIN_LIST_ORDER = 'username';

export class MarzneshinAdapter implements PanelAdapter {
  readonly kind = 'marzneshin';
  readonly apiVersion = PANEL_ADAPTER_API_VERSION;
  readonly capabilities: PanelCapabilities;
  readonly #http: PanelHttp;
  readonly #session: TokenSession;
  readonly #users: UserReads<MarzneshinUser>;
  readonly #subscriptionBase: string;

  constructor(options: MarzneshinAdapterOptions) {
    this.capabilities = tokenPanelCapabilities(options.maxConcurrency ?? 4);
    const { http, session } = connectWithToken(this.kind, 'api/admins/token', options);
    this.#http = http;
    this.#session = session;
    this.#users = new UserReads(http, UserSchema, userPath);
    this.#subscriptionBase = options.subscriptionBaseUrl ?? options.baseUrl;
  }

  health(ctx: CallContext): Promise<PanelHealthReport> {
    return measureHealth(async () => {
      expectOk(await this.#send({ operation: 'health', method: 'GET', path: 'api/admins/current' }, ctx), AdminSchema, this.#http.context('health'));
      // Marzneshin's OpenAPI version is always 0.1.0, so there is no release to report.
      return { ok: true, version: null, message: null };
    });
  }

  listTargets(ctx: CallContext): Promise<RemoteTarget[]> {
    return this.#http.retrying(ctx, async (attempt) => {
      const targets: RemoteTarget[] = [];
      for (let page = 1; ; page++) {
        const response = await this.#send({ operation: 'listTargets', method: 'GET', path: 'api/services', query: { page, size: MARZNESHIN_MAX_PAGE } }, attempt);
        const body = expectOk(response, ServicesPageSchema, this.#http.context('listTargets'));
        for (const service of body.items) {
          targets.push({ remoteRef: String(service.id), name: service.name, protocol: 'mixed', enabled: true, clientCount: service.user_ids.length, remoteMeta: { serviceId: service.id } });
        }
        if (page >= body.pages || body.items.length === 0) return targets;
      }
    });
  }

  async createClients(target: TargetRef, specs: readonly ClientSpec[], ctx: CallContext): Promise<RemoteClient[]> {
    const serviceId = serviceOf(target);
    const created: RemoteClient[] = [];
    for (const spec of specs) {
      const user = await this.#http.retrying(ctx, (attempt) => this.#createOne(spec, serviceId, attempt));
      created.push(toRemoteClient(user, { target, username: user.username }));
    }
    return created;
  }

  async getClient(ref: ClientRef, ctx: CallContext): Promise<RemoteClient | null> {
    const user = await this.#http.retrying(ctx, (attempt) => this.#users.get(ref.username, 'getClient', attempt));
    return user ? toRemoteClient(user, ref) : null;
  }

  async updateClient(ref: ClientRef, patch: ClientPatch, ctx: CallContext): Promise<RemoteClient> {
    const user = await this.#http.retrying(ctx, async (attempt) => {
      const body = modifyBody(nameOf(ref.username), patch);
      let current: MarzneshinUser | null = null;
      if (body !== null) {
        const response = await this.#send({ operation: 'updateClient', method: 'PUT', path: userPath(ref.username), json: body }, attempt);
        current = this.#userOr404(response, ref.username, 'updateClient');
      }
      if (patch.enabled !== undefined) current = (await this.#setEnabled(ref.username, patch.enabled, 'updateClient', attempt)) ?? current;
      return current ?? (await this.#users.require(ref.username, 'updateClient', attempt));
    });
    return toRemoteClient(user, ref);
  }

  /** Only `used_traffic` changes; Marzneshin's reset has no status side effects (unlike Marzban's). */
  async resetUsage(ref: ClientRef, ctx: CallContext): Promise<void> {
    await this.#http.retrying(ctx, async (attempt) => {
      const response = await this.#send({ operation: 'resetUsage', method: 'POST', path: `${userPath(ref.username)}/reset` }, attempt);
      this.#userOr404(response, ref.username, 'resetUsage');
    });
  }

  /** A soft delete on the panel (the name is free again at once); a missing user is success. */
  async deleteClient(ref: ClientRef, ctx: CallContext): Promise<void> {
    await this.#http.retrying(ctx, async (attempt) => {
      const response = await this.#send({ operation: 'deleteClient', method: 'DELETE', path: userPath(ref.username) }, attempt);
      if (response.status === 404) return;
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
    const body = await this.#http.retrying(ctx, async (attempt) => {
      const query = { page, size, order_by: MARZNESHIN_LIST_ORDER };
      const response = await this.#send({ operation: 'listClients', method: 'GET', path: 'api/users', query }, attempt);
      return expectOk(response, UsersPageSchema, this.#http.context('listClients'));
    });
    return {
      items: body.items.map((user) => toRemoteClient(user)),
      nextCursor: body.items.length > 0 && page < body.pages ? `${page + 1}:${size}` : null,
    };
  }

  /** `{prefix}/sub/{username}/{key}` (stable until revoked), and the links from `…/links`. */
  async links(ref: ClientRef, ctx: CallContext): Promise<ClientLinks> {
    return this.#http.retrying(ctx, async (attempt) => {
      const user = await this.#users.require(ref.username, 'links', attempt);
      // The key is the user's subscription credential: it stays out of the log line.
      const path = `sub/${encodeURIComponent(user.username)}/${encodeURIComponent(user.key)}/links`;
      const logPath = `sub/${encodeURIComponent(user.username)}/[key]/links`;
      const response = await this.#send({ operation: 'links', method: 'GET', path, logPath, headers: { accept: 'text/plain' } }, attempt);
      if (!isOk(response)) throw errorOf(response, this.#http.context('links'));
      return {
        subscriptionUrl: user.subscription_url ? new URL(user.subscription_url, this.#subscriptionBase).toString() : null,
        shareLinks: response.body.split('\n').map((line) => line.trim()).filter((line) => line.includes('://')),
      };
    });
  }

  get loginCount(): number {
    return this.#session.acceptedLogins;
  }

  /**
   * One create. A 409 whose user cannot be read means a removed (soft-deleted) row holds the key,
   * so the next derived key is tried; every attempt is deterministic, so a retry converges.
   */
  async #createOne(spec: ClientSpec, serviceId: number, ctx: CallContext): Promise<MarzneshinUser> {
    const context = this.#http.context('createClients');
    let user: MarzneshinUser | undefined;
    for (let variant = 0; variant < KEY_VARIANTS && user === undefined; variant++) {
      const json = createBody(spec, serviceId, variant);
      const response = await this.#send({ operation: 'createClients', method: 'POST', path: 'api/users', json }, ctx);
      if (isOk(response)) user = expectOk(response, UserSchema, context);
      else if (response.status === 409) {
        const existing = await this.#users.get(spec.identity.username, 'createClients', ctx);
        if (existing !== null) user = this.#ours(existing, spec);
      } else if (response.status >= 500) {
        const error = errorOf(response, context);
        const existing = await this.#users.readBack(spec.identity.username, 'createClients', ctx, error);
        if (existing === null) throw error;
        user = this.#ours(existing, spec);
      } else throw errorOf(response, context);
    }
    if (user === undefined) {
      throw new PanelConflictError(`every key derived for ${spec.identity.username} is held by a removed user; rotate its credentials`, { ...context, status: 409 });
    }
    if (!spec.enabled && user.enabled) user = (await this.#setEnabled(user.username, false, 'createClients', ctx)) ?? user;
    return user;
  }

  #ours(user: MarzneshinUser, spec: ClientSpec): MarzneshinUser {
    if (isOurKey(user.key, spec.identity)) return user;
    throw new PanelConflictError(`a different user named ${spec.identity.username} already exists on the panel`, this.#http.context('createClients', { status: 409 }));
  }

  /** `POST …/enable|disable`; a 409 means it already is in that state (success, `null` = not read). */
  async #setEnabled(username: string, enabled: boolean, operation: string, ctx: CallContext): Promise<MarzneshinUser | null> {
    const response = await this.#send({ operation, method: 'POST', path: `${userPath(username)}/${enabled ? 'enable' : 'disable'}` }, ctx);
    if (response.status === 409) return null;
    return this.#userOr404(response, username, operation);
  }

  #userOr404(response: PanelResponse, username: string, operation: string): MarzneshinUser {
    if (response.status === 404) throw new PanelNotFoundError(`user ${username} is not on the panel`, this.#http.context(operation, { status: 404 }));
    return expectOk(response, UserSchema, this.#http.context(operation));
  }

  #send(request: PanelRequest, ctx: CallContext): Promise<PanelResponse> {
    return this.#http.send(request, ctx);
  }
}

/** Marzneshin lower-cases names on create and looks them up case-sensitively. */
function nameOf(username: string): string {
  return username.toLowerCase();
}

function userPath(username: string): string {
  return `api/users/${encodeURIComponent(nameOf(username))}`;
}

function serviceOf(target: TargetRef): number {
  const fromMeta = target.remoteMeta.serviceId;
  const id = typeof fromMeta === 'number' ? fromMeta : Number(target.remoteRef);
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new ValidationError(`target ${target.remoteRef} is not a Marzneshin service`, [{ path: 'remoteMeta.serviceId', message: 'expected a service id' }]);
  }
  return id;
}

function parseCursor(cursor: string | null | undefined, size: number): [number, number] {
  if (!cursor) return [1, size];
  const match = /^(\d+):(\d+)$/.exec(cursor);
  if (!match) throw new ValidationError('not a Marzneshin page cursor', [{ path: 'cursor', message: 'expected page:size' }]);
  return [Number(match[1]), Math.min(MARZNESHIN_MAX_PAGE, Number(match[2]))];
}

export function createMarzneshinAdapter(options: MarzneshinAdapterOptions): MarzneshinAdapter {
  return new MarzneshinAdapter(options);
}
