/**
 * The PasarGuard adapter (`PasarGuard/panel` v1–v5; see `docs/pasarguard.md`). PasarGuard is
 * Marzban's maintained fork: the same token login and user routes, with groups instead of inbound
 * sets (a target is a group), `proxy_settings` for every protocol, tz-aware datetimes, HWID device
 * limits, a reset that keeps the user's status (and deletes its next plan, which the adapter puts back),
 * and id routes (`/api/user/by-id/{id}`) that replace the username routes in v6.
 */
import { PanelConflictError, PanelOutcomeUnknownError, PanelRejectedError, ValidationError } from '@panelkit/sdk';
import {
  PANEL_ADAPTER_API_VERSION,
  type CallContext,
  type ClientLinks,
  type ClientListPage,
  type ClientPatch,
  type ClientRef,
  type ClientSpec,
  type Expiry,
  type PanelAdapter,
  type PanelCapabilities,
  type PanelHealthReport,
  type RemoteClient,
  type RemoteDevice,
  type RemoteTarget,
  type TargetRef,
} from '@panelkit/sdk/adapter';
import { measureHealth } from '../http/health.js';
import { connectionHttpOptions } from '../http/connection-options.js';
import { ConfigurationError } from '@panelkit/sdk';
import { KeyedMutex, PanelHttp, type PanelRequest, type PanelResponse } from '../http/index.js';
import { connectWithToken, tokenPanelCapabilities, type TokenPanelOptions } from '../marzban-family/connection.js';
import { nextOffset, readIsolated } from '../marzban-family/isolated-pages.js';
import { errorOf, expectOk, isOk } from '../marzban-family/responses.js';
import type { TokenSession } from '../marzban-family/token-session.js';
import { ApiKeySession, isApiKey, looksLikeApiKey, type PasarGuardApiKey } from './api-key.js';
import { createBody, expiryOf, isOurs, modifyBody, preservedFields, toRemoteClient } from './mapping.js';
import { listUserDevices, removeUserDevice, resetUserDevices, type DeviceAnswer } from './devices.js';
import { UserRoutes } from './user-routes.js';
import { AdminSchema, GroupsPageSchema, OpenApiInfoSchema, UserSchema, UsersPageSchema, type PasarGuardUser } from './schemas.js';

/** How to reach a PasarGuard panel: the `TokenPanelOptions` shared with Marzban, with an admin login or an API key. */
export interface PasarGuardAdapterOptions extends Omit<TokenPanelOptions, 'auth'> {
  /**
   * An admin's `{ username, password }` (form login at `POST /api/admin/token`, rationed), or an API key
   * made in the panel, `{ apiKey: 'pg_key_…' }` (no login at all; a refused key is a `PanelAuthError`).
   */
  readonly auth: TokenPanelOptions['auth'] | PasarGuardApiKey;
  /** Users per `GET /api/users` page when the caller names no limit. Default 500, at most 1000. */
  readonly pageSize?: number;
}

/** Creation order keeps pages in place while users are added; the username (unique) breaks ties. */
export const PASARGUARD_LIST_SORT = 'created_at,username';
const MAX_PAGE = 1000;

/**
 * The PasarGuard adapter: token login, users placed in a group (the target), in-place updates, bulk
 * usage, start on first use (`on_hold`), device limits (`hwid_limit`), share links that differ per
 * read (random SNI, short id and address per host). Create it with {@link createPasarGuardAdapter}.
 */
export class PasarGuardAdapter implements PanelAdapter {
  readonly kind = 'pasarguard';
  readonly apiVersion = PANEL_ADAPTER_API_VERSION;
  #capabilities: PanelCapabilities;
  readonly #http: PanelHttp;
  /** The login session; `null` with an API key. */
  readonly #session: TokenSession | null;
  readonly #users: UserRoutes;
  readonly #subscriptionBase: string;
  readonly #pageSize: number;
  #version: Promise<string | null> | undefined;
  /** Read-modify-write operations on one user run one at a time. */
  readonly #perUser = new KeyedMutex();

  constructor(options: PasarGuardAdapterOptions) {
    this.#capabilities = tokenPanelCapabilities(options.maxConcurrency ?? 4, {
      stableShareLinks: false,
      deviceLimit: true,
      // v4.0 on; turned off once the panel shows it has no device routes.
      deviceList: true,
      deviceRemoval: true,
    });
    if (isApiKey(options.auth)) {
      if (!looksLikeApiKey(options.auth.apiKey)) throw new ConfigurationError('a PasarGuard API key is pg_key_ and a uuid');
      let http: PanelHttp | undefined;
      const session = new ApiKeySession(options.auth.apiKey, (operation) => (http as PanelHttp).context(operation));
      http = new PanelHttp(connectionHttpOptions(this.kind, options), session);
      this.#http = http;
      this.#session = null;
    } else {
      const { http, session } = connectWithToken(this.kind, 'api/admin/token', { ...options, auth: options.auth });
      this.#http = http;
      this.#session = session;
    }
    this.#users = new UserRoutes(this.#http);
    this.#subscriptionBase = options.subscriptionBaseUrl ?? options.baseUrl;
    this.#pageSize = Math.min(MAX_PAGE, Math.max(1, options.pageSize ?? 500));
  }

  /** What the panel can do; `deviceList` and `deviceRemoval` turn false once the panel is known to be older than v4.0. */
  get capabilities(): PanelCapabilities {
    return this.#capabilities;
  }

  health(ctx: CallContext): Promise<PanelHealthReport> {
    return measureHealth(async () => {
      expectOk(await this.#send({ operation: 'health', method: 'GET', path: 'api/admin' }, ctx), AdminSchema, this.#http.context('health'));
      return { ok: true, version: await this.#panelVersion(ctx), message: null };
    });
  }

  /** One target per group (`remoteRef` is the group id); a disabled group is offered as not enabled. */
  listTargets(ctx: CallContext): Promise<RemoteTarget[]> {
    return this.#http.attempt(ctx, async (attempt) => {
      const response = await this.#send({ operation: 'listTargets', method: 'GET', path: 'api/groups' }, attempt);
      const body = expectOk(response, GroupsPageSchema, this.#http.context('listTargets'));
      return body.groups.map((group) => ({
        remoteRef: String(group.id),
        name: group.name,
        protocol: 'mixed',
        enabled: !group.is_disabled,
        clientCount: group.total_users,
        remoteMeta: { groupId: group.id },
      }));
    });
  }

  async createClients(target: TargetRef, specs: readonly ClientSpec[], ctx: CallContext): Promise<RemoteClient[]> {
    const groupId = groupOf(target);
    const created: RemoteClient[] = [];
    for (const spec of specs) {
      const user = await this.#http.attempt(ctx, (attempt) => this.#createOne(spec, groupId, attempt));
      created.push(toRemoteClient(user, { target, username: user.username }));
    }
    return created;
  }

  async getClient(ref: ClientRef, ctx: CallContext): Promise<RemoteClient | null> {
    const user = await this.#http.attempt(ctx, (attempt) => this.#users.find(ref, 'getClient', attempt));
    return user ? toRemoteClient(user, ref) : null;
  }

  /**
   * `GET /api/user/{id}/hwids`: the devices the panel registered on its own `/sub` link (with HWID on and the
   * user's `hwid_limit` not 0, which the adapter sends for a client without a device limit); none for a user not
   * on the panel, or on a panel before v4.0.
   */
  async listDevices(ref: ClientRef, ctx: CallContext): Promise<RemoteDevice[]> {
    return this.#http.attempt(ctx, async (attempt) => {
      const user = await this.#users.find(ref, 'listDevices', attempt);
      if (user === null) return [];
      return this.#devices(await listUserDevices(this.#http, user, attempt)) ?? [];
    });
  }

  /** `DELETE /api/user/{id}/hwids/{hwid}`; a device or user the panel does not hold is success. */
  async removeDevice(ref: ClientRef, hwid: string, ctx: CallContext): Promise<void> {
    await this.#http.attempt(ctx, async (attempt) => {
      const user = await this.#users.find(ref, 'removeDevice', attempt);
      if (user !== null) this.#devices(await removeUserDevice(this.#http, user, hwid, attempt));
    });
  }

  /** `POST /api/user/{id}/hwids/reset`; a user the panel does not hold is success. */
  async resetDevices(ref: ClientRef, ctx: CallContext): Promise<void> {
    await this.#http.attempt(ctx, async (attempt) => {
      const user = await this.#users.find(ref, 'resetDevices', attempt);
      if (user !== null) this.#devices(await resetUserDevices(this.#http, user, attempt));
    });
  }

  /** The answer of a device route; a panel without them (before v4.0) keeps no devices, and is not asked again. */
  #devices<T>(answer: DeviceAnswer<T>): T | undefined {
    if (answer.routes) return answer.value;
    this.#capabilities = { ...this.#capabilities, deviceList: false, deviceRemoval: false };
    return undefined;
  }

  /** Reads the user, then PUTs the changes with its `next_plan` (a PUT without it deletes it). One at a time per user. */
  async updateClient(ref: ClientRef, patch: ClientPatch, ctx: CallContext): Promise<RemoteClient> {
    const user = await this.#http.attempt(ctx, (attempt) =>
      this.#perUser.run(ref.username.toLowerCase(), async () => {
        const current = await this.#users.require(ref, 'updateClient', attempt);
        const body = modifyBody(current, patch);
        if (body === null) return current;
        const updated = await this.#modify(current, body, 'updateClient', attempt);
        return this.#notOnHoldAgain(updated, patch.expiry ?? expiryOf(current), attempt);
      }),
    );
    return toRemoteClient(user, ref);
  }

  /**
   * Enabling a disabled user lets the panel choose its status (`_resolve_enabled_user_status`): a
   * user that once waited for first use still holds its on-hold duration and comes back `on_hold`
   * even with a fixed expiry (or none). One more PUT makes it `active`, as asked, keeping its
   * `expire`. Never for a client meant to wait for first use (`wanted`, the expiry it had or is
   * given): `active` there is applied with no `expire`, unlimited time.
   */
  async #notOnHoldAgain(user: PasarGuardUser, wanted: Expiry, ctx: CallContext): Promise<PasarGuardUser> {
    if (user.status !== 'on_hold' || wanted.type === 'after_first_use') return user;
    return this.#modify(user, { ...preservedFields(user), status: 'active' }, 'updateClient', ctx);
  }

  /**
   * Only `used_traffic` changes (a `limited` user becomes `active`); status and expiry stay. The
   * panel's reset also deletes the admin's next plan (`_reset_user_traffic_and_log`): it is read
   * first and put back with one more PUT, as the update path keeps it. One at a time per user.
   */
  async resetUsage(ref: ClientRef, ctx: CallContext): Promise<void> {
    await this.#http.attempt(ctx, (attempt) =>
      this.#perUser.run(ref.username.toLowerCase(), async () => {
        const current = await this.#users.require(ref, 'resetUsage', attempt);
        const response = await this.#users.send(current, { operation: 'resetUsage', method: 'POST', suffix: '/reset' }, attempt);
        const reset = expectOk(response, UserSchema, this.#http.context('resetUsage'));
        if (current.next_plan && !reset.next_plan) await this.#modify(current, preservedFields(current), 'resetUsage', attempt);
      }),
    );
  }

  /**
   * Finds the user (by the ref's id, checked, else by name), then deletes it by id: `204` on
   * success; a missing user is success; a 5xx is read back (the delete may be committed).
   */
  async deleteClient(ref: ClientRef, ctx: CallContext): Promise<void> {
    await this.#http.attempt(ctx, async (attempt) => {
      const user = await this.#users.find(ref, 'deleteClient', attempt);
      if (user === null) return;
      const response = await this.#users.send(user, { operation: 'deleteClient', method: 'DELETE' }, attempt);
      if (isOk(response) || response.status === 404) return;
      const error = errorOf(response, this.#http.context('deleteClient'));
      if (response.status < 500) throw error;
      const left = await this.#users.readBack({ username: user.username, remoteClientId: String(user.id) }, 'deleteClient', attempt, error);
      if (left !== null) throw error;
    });
  }

  /** Offset pages in creation order; a row the panel fails to return is skipped and reported (`unreadable`). */
  async listClients(request: { cursor?: string | null; limit?: number }, ctx: CallContext): Promise<ClientListPage> {
    const offset = request.cursor ? Number.parseInt(request.cursor, 10) : 0;
    if (!Number.isSafeInteger(offset) || offset < 0 || (request.cursor && !/^\d+$/.test(request.cursor)))
      throw new ValidationError('not a PasarGuard page cursor', [{ path: 'cursor', message: 'expected an offset' }]);
    const limit = Math.min(MAX_PAGE, Math.max(1, request.limit ?? this.#pageSize));
    const range = await readIsolated(
      offset,
      limit,
      (user: PasarGuardUser) => user.username,
      (start, size, c, retried) => this.#page(start, size, c, retried),
      ctx,
    );
    return {
      items: range.rows.map((user) => toRemoteClient(user)),
      nextCursor: nextOffset(offset, limit, range),
      ...(range.unreadable.length > 0 ? { unreadable: range.unreadable } : {}),
    };
  }

  async #page(offset: number, limit: number, ctx: CallContext, retried: boolean): Promise<{ rows: PasarGuardUser[]; total: number }> {
    const once = async (attempt: CallContext) => {
      const query = { offset, limit, sort: PASARGUARD_LIST_SORT };
      const response = await this.#send({ operation: 'listClients', method: 'GET', path: 'api/users', query }, attempt);
      const page = expectOk(response, UsersPageSchema, this.#http.context('listClients'));
      return { rows: page.users, total: page.total };
    };
    return retried ? this.#http.attempt(ctx, once) : once(ctx);
  }

  /**
   * The subscription URL from the user (a fresh signed token per read; older ones keep working) and
   * the share links from the admin's `GET /api/user/{id}/subscription/links` (plain text, one per
   * line), which registers no device, unlike a client's fetch of the subscription.
   */
  async links(ref: ClientRef, ctx: CallContext): Promise<ClientLinks> {
    return this.#http.attempt(ctx, async (attempt) => {
      const user = await this.#users.require(ref, 'links', attempt);
      const path = `api/user/${user.id}/subscription/links`;
      const response = await this.#send({ operation: 'links', method: 'GET', path, headers: { accept: 'text/plain' } }, attempt);
      if (!isOk(response)) throw errorOf(response, this.#http.context('links'));
      return {
        subscriptionUrl: user.subscription_url ? new URL(user.subscription_url, this.#subscriptionBase).toString() : null,
        shareLinks: response.body
          .split(/\r?\n/)
          .map((line) => line.trim())
          .filter((line) => /^[a-z][a-z0-9+.-]*:\/\//i.test(line)),
      };
    });
  }

  /** Logins the panel accepted from this adapter (none with an API key). */
  get loginCount(): number {
    return this.#session?.acceptedLogins ?? 0;
  }

  async #createOne(spec: ClientSpec, groupId: number, ctx: CallContext): Promise<PasarGuardUser> {
    const context = this.#http.context('createClients');
    const response = await this.#send(
      { operation: 'createClients', method: 'POST', path: 'api/user', json: createBody(spec, groupId) },
      ctx,
    );
    let user: PasarGuardUser;
    if (isOk(response)) {
      user = expectOk(response, UserSchema, context);
    } else if (response.status === 409) {
      const existing = await this.#users.byName(spec.identity.username, 'createClients', ctx);
      if (existing === null)
        throw new PanelOutcomeUnknownError('the user existed a moment ago and is gone now', { ...context, status: 409 });
      user = this.#ours(existing, spec);
    } else if (response.status === 404) {
      // `validate_all_groups`: "Group not found". The target is wrong, not the user.
      const error = errorOf(response, context);
      throw new PanelRejectedError(`group ${groupId} is not on the panel`, { ...context, status: 404 }, [
        { path: 'group_ids', message: error.message },
      ]);
    } else if (response.status >= 500) {
      const error = errorOf(response, context);
      const existing = await this.#users.readBack({ username: spec.identity.username }, 'createClients', ctx, error);
      if (existing === null) throw error;
      user = this.#ours(existing, spec);
    } else {
      throw errorOf(response, context);
    }
    if (!spec.enabled && user.status !== 'disabled') {
      user = await this.#modify(user, { ...preservedFields(user), status: 'disabled' }, 'createClients', ctx);
    }
    return user;
  }

  #ours(user: PasarGuardUser, spec: ClientSpec): PasarGuardUser {
    if (isOurs(user, spec.identity)) return user;
    throw new PanelConflictError(
      `a different user named ${spec.identity.username} already exists on the panel`,
      this.#http.context('createClients', { status: 409 }),
    );
  }

  async #modify(user: PasarGuardUser, body: Record<string, unknown>, operation: string, ctx: CallContext): Promise<PasarGuardUser> {
    const response = await this.#users.send(user, { operation, method: 'PUT', json: body }, ctx);
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

function groupOf(target: TargetRef): number {
  const fromMeta = target.remoteMeta.groupId;
  const id = typeof fromMeta === 'number' ? fromMeta : Number(target.remoteRef);
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new ValidationError(`target ${target.remoteRef} is not a PasarGuard group`, [
      { path: 'remoteMeta.groupId', message: 'expected a group id' },
    ]);
  }
  return id;
}

/**
 * Builds an adapter for one PasarGuard panel from its URL and an admin's username and password
 * (form login at `POST /api/admin/token`). Nothing is sent until the first call; a refused login
 * throws `PanelAuthError` then, and is rationed (`LoginRationing`).
 */
export function createPasarGuardAdapter(options: PasarGuardAdapterOptions): PasarGuardAdapter {
  return new PasarGuardAdapter(options);
}
