/**
 * The PasarGuard adapter (`PasarGuard/panel` v1–v5; see `docs/pasarguard.md`). PasarGuard is
 * Marzban's maintained fork: the same token login and user routes, with groups instead of inbound
 * sets (a target is a group), `proxy_settings` for every protocol, tz-aware datetimes, HWID device
 * limits, a reset that keeps the user's status (and deletes its next plan, which the adapter puts back),
 * and id routes (`/api/user/by-id/{id}`) that replace the username routes in v6.
 */
import { type JsonObject, PanelConflictError, PanelOutcomeUnknownError, PanelRejectedError, ValidationError } from '@panelkit/sdk';
import { type EntitlementKind, PanelPoolExhaustedError } from '@panelkit/sdk/kinds';
import {
  PANEL_ADAPTER_API_VERSION,
  isClientList,
  type CallContext,
  type ClientAddressReading,
  type ClientAddressScope,
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
import { ConfigurationError, PanelUnsupportedError, systemClock, type Clock } from '@panelkit/sdk';
import { KeyedMutex, PanelHttp, type PanelRequest, type PanelResponse } from '../http/index.js';
import { connectWithToken, tokenPanelCapabilities, type TokenPanelOptions } from '../marzban-family/connection.js';
import { nextOffset, readIsolated } from '../marzban-family/isolated-pages.js';
import { errorOf, expectOk, isOk } from '../marzban-family/responses.js';
import { detailText } from '../marzban-family/error-detail.js';
import type { TokenSession } from '../marzban-family/token-session.js';
import { ApiKeySession, isApiKey, looksLikeApiKey, type PasarGuardApiKey } from './api-key.js';
import { createBody, expiryOf, isOurs, modifyBody, preservedFields, toRemoteClient } from './mapping.js';
import { listUserDevices, removeUserDevice, resetUserDevices, type DeviceAnswer } from './devices.js';
import { isMissingRoute, UserRoutes } from './user-routes.js';
import { PASARGUARD_CLIENT_ADDRESSES, UserIpListAllSchema, pasarGuardReading } from './client-addresses.js';
import {
  AdminSchema,
  CoresPageSchema,
  GroupsPageSchema,
  OpenApiInfoSchema,
  SubnetsSchema,
  UserSchema,
  UsersPageSchema,
  type PasarGuardSubnet,
  type PasarGuardUser,
} from './schemas.js';
import {
  groupKinds,
  isKeyTaken,
  isPoolExhausted,
  linksOfKind,
  peerOf,
  poolOf,
  wireGuardCores,
  wireGuardKeysOf,
  wireGuardMeta,
  type WireGuardCoreInfo,
} from './wireguard.js';

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
  readonly #clock: Clock;
  #version: Promise<string | null> | undefined;
  /** Read-modify-write operations on one user run one at a time. */
  readonly #perUser = new KeyedMutex();
  /** The kinds each group hands out (absent: Xray only), from the last read of groups and cores. */
  #groupKinds = new Map<number, readonly EntitlementKind[]>();

  constructor(options: PasarGuardAdapterOptions) {
    this.#capabilities = tokenPanelCapabilities(options.maxConcurrency ?? 4, {
      stableShareLinks: false,
      deviceLimit: true,
      // v4.0 on; turned off once the panel shows it has no device routes.
      deviceList: true,
      deviceRemoval: true,
    });
    this.#capabilities = {
      ...this.#capabilities,
      // WireGuard users follow the same status rules: expiry, limits and on hold apply (the panel sends active and
      // on-hold users to the node, and the node's per-peer stats set `online_at`, which starts an on-hold user);
      // no device limit. No `amneziawg`: no PasarGuard release runs it (see wireguard.ts).
      kinds: { xray: {}, wireguard: { countsTraffic: true } },
      // v5.0 on; withdrawn once the panel shows it has no such route.
      clientAddresses: PASARGUARD_CLIENT_ADDRESSES,
    };
    this.#clock = options.clock ?? systemClock;
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

  /**
   * One target per group (`remoteRef` is the group id); a disabled group is offered as not enabled. A group whose
   * inbound tags include a `wg` core's (`GET /api/cores`) reports `wireguard` among its kinds, what links need of
   * the core in `remoteMeta.wireguard`, and its address pool (`GET /api/wireguard/subnets`).
   */
  listTargets(ctx: CallContext): Promise<RemoteTarget[]> {
    return this.#http.attempt(ctx, async (attempt) => {
      const { groups, cores } = await this.#topology('listTargets', attempt);
      const subnets = cores.size > 0 ? await this.#subnets(attempt) : [];
      return groups.map((group) => {
        const tags = group.inbound_tags ?? [];
        const kinds = groupKinds(tags, cores);
        const pool = kinds?.includes('wireguard') ? poolOf(tags, subnets) : undefined;
        return {
          remoteRef: String(group.id),
          name: group.name,
          protocol: 'mixed',
          enabled: !group.is_disabled,
          clientCount: group.total_users,
          remoteMeta: (kinds?.includes('wireguard')
            ? { groupId: group.id, wireguard: wireGuardMeta(tags, cores) }
            : { groupId: group.id }) as JsonObject,
          ...(kinds ? { kinds } : {}),
          ...(pool ? { pool } : {}),
        };
      });
    });
  }

  /** The groups and the `wg` cores by tag (none on a panel without them), remembering each group's kinds. */
  async #topology(operation: string, ctx: CallContext) {
    const response = await this.#send({ operation, method: 'GET', path: 'api/groups' }, ctx);
    const { groups } = expectOk(response, GroupsPageSchema, this.#http.context(operation));
    const coresResponse = await this.#send({ operation, method: 'GET', path: 'api/cores' }, ctx);
    const cores: Map<string, WireGuardCoreInfo> = isMissingRoute(coresResponse)
      ? new Map()
      : wireGuardCores(expectOk(coresResponse, CoresPageSchema, this.#http.context(operation)).cores);
    this.#groupKinds = new Map(groups.map((group) => [group.id, groupKinds(group.inbound_tags ?? [], cores) ?? ['xray']]));
    return { groups, cores };
  }

  /** `GET /api/wireguard/subnets`; none on a panel before v5. */
  async #subnets(ctx: CallContext): Promise<PasarGuardSubnet[]> {
    const response = await this.#send({ operation: 'listTargets', method: 'GET', path: 'api/wireguard/subnets' }, ctx);
    if (isMissingRoute(response)) return [];
    return expectOk(response, SubnetsSchema, this.#http.context('listTargets'));
  }

  /**
   * A user's kind: `wireguard` when it has a peer and its groups reach only `wg` cores; otherwise `xray` (a user of
   * a group with Xray inbounds as well gets a peer from the panel, but was not sold one). Reads the groups again
   * only for a user with a peer in a group not seen yet.
   */
  async #kindsOf(users: readonly PasarGuardUser[], operation: string, ctx: CallContext): Promise<EntitlementKind[]> {
    const peered = users.filter((user) => peerOf(user) !== undefined);
    if (peered.some((user) => (user.group_ids ?? []).some((id) => !this.#groupKinds.has(id)))) await this.#topology(operation, ctx);
    return users.map((user) => {
      if (peerOf(user) === undefined) return 'xray';
      const kinds = new Set<EntitlementKind>((user.group_ids ?? []).flatMap((id) => this.#groupKinds.get(id) ?? ['xray' as const]));
      return kinds.has('wireguard') && !kinds.has('xray') ? 'wireguard' : 'xray';
    });
  }

  async createClients(target: TargetRef, specs: readonly ClientSpec[], ctx: CallContext): Promise<RemoteClient[]> {
    const groupId = groupOf(target);
    for (const spec of specs) checkKind(spec, target);
    const created: RemoteClient[] = [];
    for (const spec of specs) {
      const user = await this.#http.attempt(ctx, (attempt) => this.#createOne(spec, groupId, attempt));
      created.push(toRemoteClient(user, { target, username: user.username }, spec.kind === 'wireguard' ? 'wireguard' : 'xray'));
    }
    return created;
  }

  async getClient(ref: ClientRef, ctx: CallContext): Promise<RemoteClient | null> {
    return this.#http.attempt(ctx, async (attempt) => {
      const user = await this.#users.find(ref, 'getClient', attempt);
      if (user === null) return null;
      const [kind] = await this.#kindsOf([user], 'getClient', attempt);
      return toRemoteClient(user, ref, kind);
    });
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

  /**
   * `GET /api/node/online_stats/{id}/ip` for each client named, one call a user (v5.0+): the addresses each node that
   * reports the user sees now, with their connection counts; `null` when no node reports the user (connected nowhere,
   * or no node answered: the panel does not tell them apart); `[]` for a user not on the panel. A whole target, or a
   * panel before v5.0 (the capability is then withdrawn), is a `PanelUnsupportedError`.
   */
  async listClientAddresses(scope: ClientAddressScope, ctx: CallContext): Promise<ClientAddressReading[]> {
    const op = 'listClientAddresses';
    if (!isClientList(scope))
      throw new PanelUnsupportedError('PasarGuard reads client addresses one user a call: name the clients', this.#http.context(op));
    const readings: ClientAddressReading[] = [];
    for (const ref of scope) {
      readings.push(
        await this.#http.attempt(ctx, async (attempt) => {
          const user = await this.#users.find(ref, op, attempt);
          const at = this.#clock.now();
          if (user === null) return { username: ref.username, at, addresses: [], silentNodes: [] };
          const response = await this.#send({ operation: op, method: 'GET', path: `api/node/online_stats/${user.id}/ip` }, attempt);
          if (isMissingRoute(response)) {
            const { clientAddresses: _withdrawn, ...rest } = this.#capabilities;
            this.#capabilities = rest;
            throw new PanelUnsupportedError('this PasarGuard panel has no per-user IP route (v5.0+ has)', this.#http.context(op));
          }
          // The user was deleted since it was found.
          if (response.status === 404) return { username: ref.username, at, addresses: [], silentNodes: [] };
          return pasarGuardReading(ref.username, expectOk(response, UserIpListAllSchema, this.#http.context(op)), at);
        }),
      );
    }
    return readings;
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
    const [kind] = await this.#http.attempt(ctx, (attempt) => this.#kindsOf([user], 'updateClient', attempt));
    return toRemoteClient(user, ref, kind);
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
    const kinds = await this.#http.attempt(ctx, (attempt) => this.#kindsOf(range.rows, 'listClients', attempt));
    return {
      items: range.rows.map((user, index) => toRemoteClient(user, undefined, kinds[index])),
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
      const [kind] = await this.#kindsOf([user], 'links', attempt);
      return {
        subscriptionUrl: user.subscription_url ? new URL(user.subscription_url, this.#subscriptionBase).toString() : null,
        shareLinks: linksOfKind(
          response.body
            .split(/\r?\n/)
            .map((line) => line.trim())
            .filter((line) => /^[a-z][a-z0-9+.-]*:\/\//i.test(line)),
          kind ?? 'xray',
        ),
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
    } else if (response.status === 400 && isPoolExhausted(detailOf(response))) {
      throw new PanelPoolExhaustedError(
        `group ${groupId} has no WireGuard address left`,
        { ...context, status: 400 },
        {
          details: { remoteRef: String(groupId), panelMessage: detailOf(response) ?? '' },
        },
      );
    } else if (response.status === 400 && spec.kind === 'wireguard' && isKeyTaken(detailOf(response))) {
      // Keys are checked before names: a retry whose first create was applied meets its own key, not a 409.
      const existing = await this.#users.byName(spec.identity.username, 'createClients', ctx);
      if (existing === null)
        throw new PanelRejectedError("the panel gives this peer's public key to another user", { ...context, status: 400 }, [
          { path: 'proxy_settings.wireguard.public_key', message: detailOf(response) ?? '' },
        ]);
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
    if (isOurs(user, spec.identity, spec.kind)) return user;
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

/** `detail` of an error answer, or `null`. */
function detailOf(response: PanelResponse): string | null {
  try {
    return detailText(JSON.parse(response.body));
  } catch {
    return null;
  }
}

/**
 * Refuses, before any panel call, a spec of a kind the adapter does not provision, a WireGuard one without a sound
 * key pair, and a WireGuard one on a target that reaches no `wg` core (its `remoteMeta` from `listTargets`).
 */
function checkKind(spec: ClientSpec, target: TargetRef): void {
  const kind = spec.kind ?? 'xray';
  if (kind !== 'xray' && kind !== 'wireguard')
    throw new ValidationError(`PasarGuard provisions no ${kind} clients`, [{ path: 'kind', message: 'xray or wireguard' }]);
  if (kind !== 'wireguard') return;
  wireGuardKeysOf(spec);
  const meta = target.remoteMeta.wireguard;
  if (!Array.isArray(meta) || meta.length === 0)
    throw new ValidationError(`target ${target.remoteRef} reaches no PasarGuard WireGuard core`, [
      { path: 'remoteMeta.wireguard', message: 'list the targets again: a WireGuard target carries its core' },
    ]);
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
