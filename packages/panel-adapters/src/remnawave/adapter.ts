/**
 * The Remnawave adapter (API v3: `remnawave/backend` 3.x, numeric user ids; see `docs/remnawave.md`). Targets are
 * internal squads; users are global, keyed by username, and carry the identity's credentials.
 */
import { PanelNotFoundError, PanelRejectedError, PanelUnsupportedError, ValidationError } from '@panelkit/sdk';
import {
  PANEL_ADAPTER_API_VERSION,
  isClientList,
  type CallContext,
  abortableSleep,
  type ClientAddressReading,
  type ClientAddressScope,
  type ClientLinks,
  type ClientListPage,
  type ClientPatch,
  type ClientRef,
  type ClientSpec,
  type PanelAdapter,
  type PanelCapabilities,
  type PanelHealthReport,
  type RemoteClient,
  type RemoteDevice,
  type RemoteTarget,
  type TargetRef,
} from '@panelkit/sdk/adapter';
import type { z } from 'zod';
import { connectionHttpOptions, type PanelConnectionOptions } from '../http/connection-options.js';
import { requireToken, type PanelToken } from '../http/credentials.js';
import { measureHealth } from '../http/health.js';
import { PanelHttp, parseJson, type PanelRequest, type PanelResponse } from '../http/index.js';
import { REMNAWAVE_ERRORS, errorCodeOf, remnawaveError } from './errors.js';
import {
  CONNECTIONS_POLL_MS,
  ConnectionsJobSchema,
  ConnectionsResultSchema,
  NodesSchema,
  REMNAWAVE_CLIENT_ADDRESSES,
  nodeConnections,
  remnawaveReadings,
  type NodeConnections,
} from './connections.js';
import { createBody, isOurs, toRemoteClient, toRemoteDevice, updateBody } from './mapping.js';
import {
  HwidDevicesSchema,
  InternalSquadsSchema,
  MetadataSchema,
  SubscriptionInfoSchema,
  UserEnvelopeSchema,
  UsersStreamSchema,
  type RemnawaveUser,
} from './schemas.js';

const KIND = 'remnawave';

/** How to reach a Remnawave panel: its URL and an API token made in its dashboard. */
export interface RemnawaveAdapterOptions extends PanelConnectionOptions {
  /**
   * An API token (Remnawave → API Tokens). Remnawave 3 refuses an admin's login token outside its own
   * dashboard, so a username and password are not accepted. A token limited by scopes needs the users,
   * internal squads, subscriptions and metadata ones the adapter calls, and `hwid-user-devices` for the devices.
   */
  readonly auth: PanelToken;
  /**
   * Send `X-Forwarded-For` and `X-Forwarded-Proto: https`. A production Remnawave drops every request
   * that did not come through an HTTPS reverse proxy; a shop that reaches it directly (`http://remnawave:3000`
   * on a Docker network) must say it did. Default: on for an `http:` base URL, off for `https:`.
   */
  readonly forwardedHeaders?: boolean;
  /**
   * Where buyers fetch subscriptions, when not the panel's own `subscriptionUrl` (its `SUB_PUBLIC_DOMAIN`):
   * the URL becomes `<subscriptionBaseUrl>/<shortUuid>`.
   */
  readonly subscriptionBaseUrl?: string;
}

/** `size` of `GET /api/users/stream` is at most 1000. */
export const REMNAWAVE_MAX_PAGE = 1000;
/**
 * The adapter's default page: the panel's cap (its own default is 250). A usage sync reads every user, and a
 * page of 1000 is one indexed keyset query on the panel, so fewer calls win.
 */
const DEFAULT_PAGE = REMNAWAVE_MAX_PAGE;

/**
 * The Remnawave adapter: API-token auth, users placed in an internal squad (the target), in-place updates,
 * device (HWID) limits, bulk usage in keyset pages. Create it with {@link createRemnawaveAdapter}.
 */
export class RemnawaveAdapter implements PanelAdapter {
  readonly kind = KIND;
  readonly apiVersion = PANEL_ADAPTER_API_VERSION;
  readonly capabilities: PanelCapabilities;
  readonly #http: PanelHttp;
  readonly #subscriptionBase: string | null;

  constructor(options: RemnawaveAdapterOptions) {
    const { token } = requireToken(KIND, options.auth);
    const forwarded = options.forwardedHeaders ?? new URL(options.baseUrl).protocol === 'http:';
    this.#http = new PanelHttp({
      ...connectionHttpOptions(KIND, options),
      headers: {
        authorization: `Bearer ${token}`,
        ...(forwarded ? { 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'https' } : {}),
      },
    });
    this.#subscriptionBase = options.subscriptionBaseUrl ? options.subscriptionBaseUrl.replace(/\/+$/, '') : null;
    this.capabilities = Object.freeze({
      batchCreate: false,
      inPlaceUpdate: true,
      bulkUsage: true,
      // Remnawave has no on-hold state: every user has an `expireAt` from the start.
      startOnFirstUse: false,
      enforcesExpiry: true,
      enforcesTrafficLimit: true,
      resetUsage: true,
      deviceLimit: true,
      deviceList: true,
      deviceRemoval: true,
      // Every 3.x panel this adapter speaks to has the connections routes (3.0.0 on).
      clientAddresses: REMNAWAVE_CLIENT_ADDRESSES,
      maxConcurrency: options.maxConcurrency ?? 4,
      stableShareLinks: true,
    });
  }

  /** Lists the internal squads (what the adapter needs), then reads the version from `/api/system/metadata` if the token may. */
  health(ctx: CallContext): Promise<PanelHealthReport> {
    return measureHealth(async () => {
      await this.#http.attempt(ctx, (attempt) => this.#squads('health', attempt));
      return { ok: true, version: await this.#version(ctx), message: null };
    });
  }

  /** The panel's version, or `null` when the token may not read it or the answer is not usable: it only labels the report. */
  async #version(ctx: CallContext): Promise<string | null> {
    try {
      const response = await this.#send({ operation: 'health', method: 'GET', path: 'api/system/metadata' }, ctx);
      return isOk(response) ? parseJson(response, MetadataSchema, this.#http.context('health')).response.version : null;
    } catch {
      return null;
    }
  }

  /** One target per internal squad (`remoteRef` is the squad's uuid). */
  listTargets(ctx: CallContext): Promise<RemoteTarget[]> {
    return this.#http.attempt(ctx, async (attempt) => {
      const squads = await this.#squads('listTargets', attempt);
      return squads.map((squad) => ({
        remoteRef: squad.uuid,
        name: squad.name,
        // A squad holds inbounds of any protocols.
        protocol: 'mixed',
        enabled: squad.info.inboundsCount > 0,
        clientCount: squad.info.membersCount,
        remoteMeta: { squadUuid: squad.uuid, protocols: [...new Set(squad.inbounds.map((inbound) => inbound.type))] },
      }));
    });
  }

  async createClients(target: TargetRef, specs: readonly ClientSpec[], ctx: CallContext): Promise<RemoteClient[]> {
    const squadUuid = squadOf(target);
    const created: RemoteClient[] = [];
    for (const spec of specs) {
      const user = await this.#http.attempt(ctx, (attempt) => this.#createOne(spec, squadUuid, attempt));
      created.push(toRemoteClient(user, { target, username: user.username }));
    }
    return created;
  }

  async getClient(ref: ClientRef, ctx: CallContext): Promise<RemoteClient | null> {
    const user = await this.#http.attempt(ctx, (attempt) => this.#find(ref.username, 'getClient', attempt));
    return user ? toRemoteClient(user, ref) : null;
  }

  /**
   * `GET /api/hwid/devices/{id}`: the devices the panel registered for the user on its subscription link (every
   * fetch with a valid `X-HWID`, whether or not the panel's HWID limit is on); none for a user not on the panel.
   */
  async listDevices(ref: ClientRef, ctx: CallContext): Promise<RemoteDevice[]> {
    return this.#http.attempt(ctx, async (attempt) => {
      const user = await this.#find(ref.username, 'listDevices', attempt);
      if (user === null) return [];
      const response = await this.#send({ operation: 'listDevices', method: 'GET', path: `api/hwid/devices/${user.id}` }, attempt);
      // `A025`: the user was deleted since it was found.
      if (response.status === 404) return [];
      return this.#expectOk(response, HwidDevicesSchema, 'listDevices').response.devices.map(toRemoteDevice);
    });
  }

  /** `POST /api/hwid/devices/delete` `{ userId, hwid }`; a device (`A204`) or user (`A025`) not on the panel is success. */
  async removeDevice(ref: ClientRef, hwid: string, ctx: CallContext): Promise<void> {
    await this.#http.attempt(ctx, async (attempt) => {
      const user = await this.#find(ref.username, 'removeDevice', attempt);
      if (user === null) return;
      const json = { userId: user.id, hwid };
      const response = await this.#send({ operation: 'removeDevice', method: 'POST', path: 'api/hwid/devices/delete', json }, attempt);
      if (response.status !== 404) this.#expectOk(response, HwidDevicesSchema, 'removeDevice');
    });
  }

  /** `POST /api/hwid/devices/delete-all` `{ userId }`; a user not on the panel is success. */
  async resetDevices(ref: ClientRef, ctx: CallContext): Promise<void> {
    await this.#http.attempt(ctx, async (attempt) => {
      const user = await this.#find(ref.username, 'resetDevices', attempt);
      if (user === null) return;
      const json = { userId: user.id };
      const response = await this.#send({ operation: 'resetDevices', method: 'POST', path: 'api/hwid/devices/delete-all', json }, attempt);
      if (response.status !== 404) this.#expectOk(response, HwidDevicesSchema, 'resetDevices');
    });
  }

  /**
   * The live addresses of the squad's members (read from `GET /api/users/stream`) or of the users named (one
   * `by-username` each): one connections job a node that is not disabled (`POST` then `GET …/by-node/{jobId}` until it
   * is done), so the cost is the nodes', not the users'. A user on no node reads `[]`; with every node's job failed (or
   * no node enabled) the reading is `null`; a failed node among answering ones is named in `silentNodes`.
   */
  async listClientAddresses(scope: ClientAddressScope, ctx: CallContext): Promise<ClientAddressReading[]> {
    const op = 'listClientAddresses';
    return this.#http.attempt(ctx, async (attempt) => {
      const users: { username: string; id: number | null }[] = [];
      if (isClientList(scope)) {
        for (const ref of scope) users.push({ username: ref.username, id: (await this.#find(ref.username, op, attempt))?.id ?? null });
      } else {
        users.push(...(await this.#squadMembers(squadOf(scope), attempt)));
      }
      const nodes = this.#expectOk(await this.#send({ operation: op, method: 'GET', path: 'api/nodes' }, attempt), NodesSchema, op);
      const answers: NodeConnections[] = [];
      for (const node of nodes.response.filter((n) => !n.isDisabled)) answers.push(await this.#nodeConnections(node.uuid, attempt));
      return remnawaveReadings(users, answers, new Date());
    });
  }

  /** Every user of the squad, by keyset pages of `GET /api/users/stream`. */
  async #squadMembers(squadUuid: string, ctx: CallContext): Promise<{ username: string; id: number }[]> {
    const members: { username: string; id: number }[] = [];
    let cursor: string | null = null;
    do {
      const query = { size: REMNAWAVE_MAX_PAGE, ...(cursor === null ? {} : { cursor }) };
      const response = await this.#send({ operation: 'listClientAddresses', method: 'GET', path: 'api/users/stream', query }, ctx);
      const page = this.#expectOk(response, UsersStreamSchema, 'listClientAddresses').response;
      for (const user of page.users)
        if (user.activeInternalSquads.some((squad) => squad.uuid === squadUuid)) members.push({ username: user.username, id: user.id });
      cursor = page.hasMore && page.users.length > 0 ? (page.nextCursor ?? String(page.users.at(-1)!.id)) : null;
    } while (cursor !== null);
    return members;
  }

  /** One node's connections job, polled until it is done or failed (the call's signal bounds the wait). */
  async #nodeConnections(nodeUuid: string, ctx: CallContext): Promise<NodeConnections> {
    const op = 'listClientAddresses';
    const queued = await this.#send({ operation: op, method: 'POST', path: `api/connections/by-node/${nodeUuid}` }, ctx);
    if (queued.status === 404 && errorCodeOf(queued) === null)
      throw new PanelUnsupportedError('this Remnawave has no connections routes (3.0+ has)', this.#http.context(op, { status: 404 }));
    const { jobId } = this.#expectOk(queued, ConnectionsJobSchema, op).response;
    for (;;) {
      const path = `api/connections/by-node/${encodeURIComponent(jobId)}`;
      const answer = this.#expectOk(await this.#send({ operation: op, method: 'GET', path }, ctx), ConnectionsResultSchema, op).response;
      if (answer.isCompleted || answer.isFailed) return nodeConnections(nodeUuid, answer);
      await abortableSleep(CONNECTIONS_POLL_MS, ctx.signal);
    }
  }

  /**
   * Expiry, limit and device limit in one `PATCH`, then `enabled` through the enable/disable actions: the
   * PATCH cannot disable a user the panel already stopped (`EXPIRED`, `LIMITED`), the action can.
   */
  async updateClient(ref: ClientRef, patch: ClientPatch, ctx: CallContext): Promise<RemoteClient> {
    const user = await this.#http.attempt(ctx, async (attempt) => {
      const body = updateBody(ref.username, patch, this.#http.context('updateClient'));
      let current: RemnawaveUser | null = null;
      if (body !== null) {
        const response = await this.#send({ operation: 'updateClient', method: 'PATCH', path: 'api/users', json: body }, attempt);
        current = this.#userOr404(response, ref.username, 'updateClient');
      }
      current ??= await this.#require(ref.username, 'updateClient', attempt);
      // Disabled means DISABLED, not merely stopped: an EXPIRED or LIMITED user would connect again once extended.
      if (patch.enabled === undefined || current.status === (patch.enabled ? 'ACTIVE' : 'DISABLED')) return current;
      return this.#setEnabled(current, patch.enabled, 'updateClient', attempt);
    });
    return toRemoteClient(user, ref);
  }

  /** `…/actions/reset-traffic`: usage to zero; a `LIMITED` user is `ACTIVE` again (its limit is no longer reached), a disabled one stays disabled. */
  async resetUsage(ref: ClientRef, ctx: CallContext): Promise<void> {
    await this.#http.attempt(ctx, async (attempt) => {
      const user = await this.#require(ref.username, 'resetUsage', attempt);
      const response = await this.#send(
        { operation: 'resetUsage', method: 'POST', path: `${userPath(user.id)}/actions/reset-traffic` },
        attempt,
      );
      this.#userOr404(response, ref.username, 'resetUsage');
    });
  }

  /** A hard delete on the panel; a missing user is success. */
  async deleteClient(ref: ClientRef, ctx: CallContext): Promise<void> {
    await this.#http.attempt(ctx, async (attempt) => {
      const user = await this.#find(ref.username, 'deleteClient', attempt);
      if (user === null) return;
      const response = await this.#send({ operation: 'deleteClient', method: 'DELETE', path: userPath(user.id) }, attempt);
      if (isOk(response) || response.status === 404) return;
      throw remnawaveError(response, this.#http.context('deleteClient'));
    });
  }

  /**
   * `GET /api/users/stream`: keyset pages in ascending user id (1000 a page unless `limit` says fewer), so a page never repeats or skips a user
   * when others are added or removed meanwhile. The cursor is the panel's own (`nextCursor`).
   */
  async listClients(request: { cursor?: string | null; limit?: number }, ctx: CallContext): Promise<ClientListPage> {
    const size = Math.min(REMNAWAVE_MAX_PAGE, Math.max(1, Math.floor(request.limit ?? DEFAULT_PAGE)));
    const cursor = request.cursor ?? null;
    if (cursor !== null && !/^\d+$/.test(cursor)) {
      throw new ValidationError('not a Remnawave page cursor', [{ path: 'cursor', message: 'expected a user id' }]);
    }
    const body = await this.#http.attempt(ctx, async (attempt) => {
      const query = { size, ...(cursor === null ? {} : { cursor }) };
      const response = await this.#send({ operation: 'listClients', method: 'GET', path: 'api/users/stream', query }, attempt);
      return this.#expectOk(response, UsersStreamSchema, 'listClients').response;
    });
    return {
      items: body.users.map((user) => toRemoteClient(user)),
      nextCursor: body.hasMore && body.users.length > 0 ? (body.nextCursor ?? String(body.users.at(-1)!.id)) : null,
    };
  }

  /**
   * The user's subscription URL (`https://<SUB_PUBLIC_DOMAIN>/<shortUuid>`, stable until the subscription is
   * revoked) and the links the panel builds from the hosts of its squads' inbounds. A user who is not
   * `ACTIVE` (or has no host) gets the panel's fallback entries instead (`vless://` to the zero UUID at
   * `0.0.0.0:1`, remarked "🚫 Subscription disabled" and so on): those are no links of the client, so
   * `shareLinks` is empty then (the port's links are valid for the client now); the URL stays.
   */
  async links(ref: ClientRef, ctx: CallContext): Promise<ClientLinks> {
    return this.#http.attempt(ctx, async (attempt) => {
      const path = `api/subscriptions/by-username/${encodeURIComponent(ref.username)}`;
      const response = await this.#send({ operation: 'links', method: 'GET', path }, attempt);
      if (response.status === 404) throw notFound(ref.username, this.#http.context('links', { status: 404 }));
      const info = this.#expectOk(response, SubscriptionInfoSchema, 'links').response;
      const shortUuid = info.subscriptionUrl.split('/').filter(Boolean).at(-1) ?? '';
      const subscriptionUrl = this.#subscriptionBase && shortUuid ? `${this.#subscriptionBase}/${shortUuid}` : info.subscriptionUrl;
      const active = info.user?.userStatus === undefined || info.user.userStatus === 'ACTIVE';
      return { subscriptionUrl: subscriptionUrl || null, shareLinks: active ? info.links.filter((link) => !isFallbackLink(link)) : [] };
    });
  }

  /**
   * One create. A duplicate username is adopted when its VLESS uuid is this identity's (a retry after a
   * lost answer), and a conflict otherwise; a 5xx is resolved by reading back, since the create is atomic.
   */
  async #createOne(spec: ClientSpec, squadUuid: string, ctx: CallContext): Promise<RemnawaveUser> {
    const context = this.#http.context('createClients');
    const json = createBody(spec, squadUuid, context);
    const response = await this.#send({ operation: 'createClients', method: 'POST', path: 'api/users', json }, ctx);
    if (isOk(response)) return this.#expectOk(response, UserEnvelopeSchema, 'createClients').response;
    const error = remnawaveError(response, context);
    const code = errorCodeOf(response);
    const duplicate = code === REMNAWAVE_ERRORS.USERNAME_TAKEN || code === REMNAWAVE_ERRORS.SHORT_UUID_TAKEN;
    if (!duplicate && response.status < 500) throw error;
    const existing = await this.#find(spec.identity.username, 'createClients', ctx);
    if (existing !== null && isOurs(existing, spec.identity)) return existing;
    if (duplicate) throw error;
    // Nothing was made: an unknown squad fails the whole create with a 500 (a foreign key), so say so.
    if (!(await this.#squads('createClients', ctx)).some((squad) => squad.uuid === squadUuid)) {
      const message = `internal squad ${squadUuid} does not exist on the panel`;
      throw new PanelRejectedError(message, context, [{ path: 'activeInternalSquads', message }]);
    }
    throw error;
  }

  /** `POST …/actions/enable|disable`; "already enabled/disabled" (400) is success, read back. */
  async #setEnabled(user: RemnawaveUser, enabled: boolean, operation: string, ctx: CallContext): Promise<RemnawaveUser> {
    const action = enabled ? 'enable' : 'disable';
    const response = await this.#send({ operation, method: 'POST', path: `${userPath(user.id)}/actions/${action}` }, ctx);
    const code = errorCodeOf(response);
    if (code === REMNAWAVE_ERRORS.USER_ALREADY_ENABLED || code === REMNAWAVE_ERRORS.USER_ALREADY_DISABLED) {
      return this.#require(user.username, operation, ctx);
    }
    return this.#userOr404(response, user.username, operation);
  }

  async #squads(operation: string, ctx: CallContext) {
    const response = await this.#send({ operation, method: 'GET', path: 'api/internal-squads' }, ctx);
    return this.#expectOk(response, InternalSquadsSchema, operation).response.internalSquads;
  }

  /** The user by username, or `null` (`A063`/`A025`, 404). */
  async #find(username: string, operation: string, ctx: CallContext): Promise<RemnawaveUser | null> {
    const path = `api/users/by-username/${encodeURIComponent(username)}`;
    const response = await this.#send({ operation, method: 'GET', path }, ctx);
    if (response.status === 404) return null;
    return this.#expectOk(response, UserEnvelopeSchema, operation).response;
  }

  async #require(username: string, operation: string, ctx: CallContext): Promise<RemnawaveUser> {
    const user = await this.#find(username, operation, ctx);
    if (user === null) throw notFound(username, this.#http.context(operation, { status: 404 }));
    return user;
  }

  #userOr404(response: PanelResponse, username: string, operation: string): RemnawaveUser {
    if (response.status === 404) throw notFound(username, this.#http.context(operation, { status: 404 }));
    return this.#expectOk(response, UserEnvelopeSchema, operation).response;
  }

  #expectOk<S extends z.ZodType>(response: PanelResponse, schema: S, operation: string): z.output<S> {
    if (!isOk(response)) throw remnawaveError(response, this.#http.context(operation));
    return parseJson(response, schema, this.#http.context(operation));
  }

  #send(request: PanelRequest, ctx: CallContext): Promise<PanelResponse> {
    return this.#http.send(request, ctx);
  }
}

function isOk(response: PanelResponse): boolean {
  return response.status >= 200 && response.status < 300;
}

function userPath(id: number): string {
  return `api/users/${id}`;
}

function notFound(username: string, context: ReturnType<PanelHttp['context']>): PanelNotFoundError {
  return new PanelNotFoundError(`user ${username} is not on the panel`, context);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function squadOf(target: TargetRef): string {
  const fromMeta = target.remoteMeta.squadUuid;
  const uuid = typeof fromMeta === 'string' ? fromMeta : target.remoteRef;
  if (!UUID.test(uuid)) {
    throw new ValidationError(`target ${target.remoteRef} is not a Remnawave internal squad`, [
      { path: 'remoteMeta.squadUuid', message: 'expected an internal squad uuid' },
    ]);
  }
  return uuid;
}

/** An entry the panel renders in place of hosts (`createFallbackHosts`): the zero UUID at `0.0.0.0:1`. */
function isFallbackLink(link: string): boolean {
  return link.startsWith('vless://00000000-0000-0000-0000-000000000000@0.0.0.0:1?');
}

/**
 * Builds an adapter for one Remnawave panel from its URL and an API token. Nothing is sent until the
 * first call.
 */
export function createRemnawaveAdapter(options: RemnawaveAdapterOptions): RemnawaveAdapter {
  return new RemnawaveAdapter(options);
}
