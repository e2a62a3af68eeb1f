/**
 * A stateful PasarGuard (v5, `PasarGuard/panel@e81877c`) speaking its real HTTP API: bearer-token
 * login, groups, `/api/user…` routes answering 201/204/404/409 with the panel's texts, the custom
 * 422 body, offset pages, on-hold users started by `enforce()` (the review jobs), HWID limits stored,
 * and subscriptions with the panel's headers.
 */
import type { TargetRef } from '@panelkit/sdk/adapter';
import type { PanelTestControls, PanelTestDevice } from '@panelkit/sdk/testing';
import { type SimulatorBase, json as jsonUtf8, readForm, readJsonBody } from '../harness/index.js';
import { TokenPanelSimulator, type TokenPanelSimulatorOptions } from '../marzban-family/token-panel-simulator.js';
import {
  PASARGUARD_DEFAULT_HWID_SETTINGS,
  deviceHeadersOf,
  hwidListBody,
  validateAndRegister,
  type PasarGuardHwidSettings,
} from './hwid.js';
import { shareLinks, type RandomPick } from './links.js';
import { modifyUser, resetUsage, review } from './rules.js';
import { DEFAULT_GROUPS, DEFAULT_INBOUNDS, proxySettings, type SimGroup, type SimInbound, type SimUser } from './state.js';
import { subscriptionHeaders, subscriptionResponse, type SubscriptionContext } from './subscription.js';
import { validateUserBody, type ParsedUser } from './validate.js';
import { groupBody, subscriptionToken, userBody, type WireContext } from './wire.js';
import type { SimWireGuardCore } from './wg-cores.js';
import { wireGuardOutputs, wireGuardZip } from './wg-output.js';
import { wireGuardRoutes } from './wg-routes.js';
import { PasarGuardOnlineIps } from './online-ips.js';
import { WireGuardRefusal, WireGuardSimState, type SimWireGuardCoreInput, type WireGuardNodeConfig } from './wg-state.js';

/** Options of `createPasarGuardSimulator`: admin, inbounds, groups, subscription URL prefix. */
export interface PasarGuardSimulatorOptions extends TokenPanelSimulatorOptions {
  readonly inbounds?: readonly SimInbound[];
  /** Groups by name and inbound tags; ids are given in order from 1. Default: "All inbounds" and "Reality". */
  readonly groups?: readonly Omit<SimGroup, 'id'>[];
  /** `subscription.url_prefix`; default `''` (relative subscription URLs). */
  readonly subscriptionPrefix?: string;
  /** Picks among equivalent link values per read (default `Math.random`); pin it to make links repeat. */
  readonly random?: RandomPick;
  /** API keys the admin made (`pg_key_<uuid4>`), accepted as `X-Api-Key` or `Authorization: ApiKey …`. */
  readonly apiKeys?: readonly string[];
  /**
   * Whether the panel has the id routes (`/api/user/by-id/{id}`, v3.1 on; the username routes are
   * deprecated in v5.2.1). Default `true`; `false` answers them as a panel before v3.1 does, "Not Found".
   */
  readonly idRoutes?: boolean;
  /** Whether the username routes (`/api/user/{username}`, removed in v6) answer. Default `true`. */
  readonly usernameRoutes?: boolean;
  /**
   * Whether the panel has HWID devices (v4.0 on: `/api/user/{id}/hwids…`, devices registered on `/sub`). Default
   * `true` unless `idRoutes` is `false` (a panel before v3.1 has neither).
   */
  readonly hwidRoutes?: boolean;
  /** The HWID settings. Default the panel's: on, not forced, no fallback limit. */
  readonly hwidSettings?: Partial<PasarGuardHwidSettings>;
  /**
   * WireGuard (`wg`) cores the panel starts with, each a `POST /api/core` config (`interface_name`, which is its
   * inbound tag for groups, `private_key`, `pre_shared_key`, `listen_port`, `address`) and its hosts. Default none.
   */
  readonly wireGuardCores?: readonly SimWireGuardCoreInput[];
}

/** FastAPI's JSON answers: `application/json`, no charset. */
function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return jsonUtf8(body, status, { 'content-type': 'application/json', ...headers });
}

function internalError(): Response {
  return new Response('Internal Server Error', { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

const SERVER_HOST = '203.0.113.20';
const SECRET = 'pasarguard-simulator-subscription-secret';
const SORT_FIELDS = ['username', 'used_traffic', 'data_limit', 'expire', 'created_at', 'edit_at', 'online_at'];

/**
 * A PasarGuard panel (v5.2.1) in memory (create it with `createPasarGuardSimulator`): admin login or API
 * keys, groups as targets, the user routes by id and by username, the panel's status rules, review jobs
 * (`enforce()`), and subscriptions.
 */
export class PasarGuardSimulator extends TokenPanelSimulator<SimUser> implements PanelTestControls {
  readonly inbounds: readonly SimInbound[];
  readonly groups: SimGroup[];
  /** Switchable failures of the real panel. */
  readonly quirks = { createCommitThen500: false, deleteCommitThen500: false };
  /** The HWID settings (change them as an admin would in the dashboard). */
  hwidSettings: PasarGuardHwidSettings;
  readonly #hwids: boolean;
  /** The nodes' live connections per user (`/api/node/online_stats/{id}/ip`); take a node down with `setNodeDown`. */
  readonly onlineIps = new PasarGuardOnlineIps();
  #nextHwidId = 1;
  readonly #options: PasarGuardSimulatorOptions;
  readonly #apiKeys: Set<string>;
  readonly #wg = new WireGuardSimState();
  readonly #startedAt: number;
  #nextId = 1;

  constructor(options: PasarGuardSimulatorOptions = {}) {
    super('PasarGuard', options);
    this.#options = options;
    this.#apiKeys = new Set(options.apiKeys ?? []);
    this.#hwids = options.hwidRoutes ?? options.idRoutes ?? true;
    this.hwidSettings = { ...PASARGUARD_DEFAULT_HWID_SETTINGS, ...options.hwidSettings };
    this.inbounds = options.inbounds ?? DEFAULT_INBOUNDS;
    this.groups = (options.groups ?? DEFAULT_GROUPS).map((group, index) => ({
      ...group,
      id: index + 1,
      inboundTags: [...group.inboundTags],
    }));
    this.#startedAt = this.now();
    for (const core of options.wireGuardCores ?? []) this.#wg.addCore(core, this.#startedAt);
    this.#routes();
  }

  /** Usernames are matched as they are (a unique index without a case-folding collation). */
  protected override keyOf(username: string): string {
    return username;
  }

  // ------------------------------------------------------------------ controls

  /** The review jobs: limits, expiry and the start of on-hold users. */
  enforce(): void {
    review(this.users.values(), this.now());
  }

  /** Accepts `key` again (the admin made it anew). */
  addApiKey(key: string): void {
    this.#apiKeys.add(key);
  }

  /** Invalidates every admin token and API key (a password change; the keys revoked). */
  override expireSession(): void {
    super.expireSession();
    this.#apiKeys.clear();
  }

  /**
   * Fetches the user's subscription (`/sub/<token>`) as an app on `device` does, through the panel's own handler:
   * where HWID is on and the user's limit is not 0, its `X-HWID` registers the device.
   */
  async fetchSubscriptionAs(username: string, device: PanelTestDevice): Promise<void> {
    const user = this.users.get(this.keyOf(username));
    if (user === undefined) throw new Error(`no user ${username}`);
    const token = subscriptionToken(user.id, this.now(), SECRET);
    const headers = {
      'x-hwid': device.hwid,
      'x-device-os': device.platform,
      'x-ver-os': device.osVersion,
      'x-device-model': device.model,
      'user-agent': device.userAgent,
    };
    const response = await this.handle(new Request(`http://pasarguard.sim/sub/${token}`, { headers }));
    if (response.status !== 200) throw new Error(`the subscription answered ${response.status}`);
  }

  /** Adds a `wg` core as `POST /api/core` does (throws with the panel's 400 message), then reconciles the users' addresses. */
  addWireGuardCore(input: SimWireGuardCoreInput): SimWireGuardCore {
    const core = this.#wg.addCore(input, this.now());
    this.#wg.reconcile([...this.users.values()], (user) => this.#tagsOf(user));
    return core;
  }

  /**
   * What the node serving the `wg` core `interfaceName` is configured with now: the server's key, port, preshared
   * key and addresses, and one peer per user the panel sends to nodes (active or on hold; not expired, limited or
   * disabled) with its public key and its addresses on that core. Mirror it into a real WireGuard server.
   */
  wireGuardPeers(interfaceName: string): WireGuardNodeConfig {
    return this.#wg.nodeConfig(interfaceName, this.users.values(), (user) => this.#tagsOf(user));
  }

  /** Leaves exactly `free` addresses free in every WireGuard subnet the target group reaches (the rest taken by others). */
  async fillPool(target: TargetRef, free: number): Promise<void> {
    this.#wg.fillPool(this.#tagsOfGroups([groupIdOf(target)]), free, this.users.values());
  }

  /** Every peer address users hold in the WireGuard subnets the target group reaches, one entry per user and address. */
  async peerAddresses(target: TargetRef): Promise<readonly string[]> {
    return this.#wg.addressesInUse(this.#tagsOfGroups([groupIdOf(target)]), this.users.values());
  }

  /**
   * Whether the user could connect now: the panel sends it to nodes (active or on hold) and, where it reaches a `wg`
   * core, that core's node holds its peer.
   */
  async canConnect(username: string): Promise<boolean> {
    const user = this.users.get(this.keyOf(username));
    if (user === undefined || (user.status !== 'active' && user.status !== 'on_hold')) return false;
    const wgTags = [...this.#tagsOf(user)].filter((tag) => this.#wg.tags().has(tag));
    return wgTags.every((tag) => this.wireGuardPeers(tag).peers.some((peer) => peer.username === username));
  }

  get userCount(): number {
    return this.users.size;
  }

  /** Adds `count` users quickly (benchmarks, demos): `${prefix}${i}` in the first group. */
  seedUsers(count: number, prefix = 'seed_'): void {
    const now = this.now();
    for (let i = 0; i < count; i++) this.#store(this.#blankUser(`${prefix}${i}`, now + i, [this.groups[0]!.id], proxySettings()));
  }

  // ------------------------------------------------------------------ pipeline

  protected isSessionRequest(_request: Request, path: string): boolean {
    return path === '/api/admin/token' || path === '/openapi.json';
  }

  protected override faultResponse(...args: Parameters<SimulatorBase['faultResponse']>): Response {
    const [fault] = args;
    if (fault.kind === 'status' && fault.status < 500) return json({ detail: 'Simulated failure' }, fault.status);
    return super.faultResponse(...args);
  }

  /** A write committed, then the handler failed: a plain 500. */
  protected override lostResponse(): Response {
    return internalError();
  }

  /** The shared answers (404, 405, 401) carry a charset; FastAPI's do not. */
  protected override async route(request: Request, path: string | null): Promise<Response> {
    const response = await super.route(request, path);
    if (response.headers.get('content-type') !== 'application/json; charset=utf-8') return response;
    const headers = new Headers(response.headers);
    headers.set('content-type', 'application/json');
    return new Response(response.body, { status: response.status, headers });
  }

  /** `_extract_api_key`: `X-Api-Key`, else `Authorization: ApiKey …`; otherwise the bearer token. */
  protected override async authed(request: Request, handler: () => Response | Promise<Response>): Promise<Response> {
    const auth = request.headers.get('authorization') ?? '';
    const key = request.headers.get('x-api-key')?.trim() ?? (/^apikey\s+(.+)$/i.exec(auth)?.[1]?.trim() || null);
    if (key === null) return super.authed(request, handler);
    if (!this.#apiKeys.has(key)) return json({ detail: 'Could not validate credentials' }, 401, { 'www-authenticate': 'Bearer' });
    return handler();
  }

  // ------------------------------------------------------------------ routes

  #routes(): void {
    const r = this.router;
    r.on('GET', '/openapi.json', () => json({ openapi: '3.1.0', info: { title: 'PasarGuard API', version: '5.2.1' }, paths: {} }));
    r.on('POST', '/api/admin/token', (request) => this.#login(request));
    r.on('GET', '/api/admin', (request) =>
      this.authed(request, () => json({ id: 1, username: this.admin(), is_sudo: true, is_disabled: false, used_traffic: 0 })),
    );
    r.on('GET', '/api/groups', (request) => this.authed(request, () => this.#listGroups(request)));
    r.on('POST', '/api/user', (request) => this.authed(request, () => this.#create(request)));
    const byName = (name: string) => this.users.get(this.keyOf(name));
    const byId = (id: string) => (/^\d+$/.test(id) ? [...this.users.values()].find((user) => user.id === Number(id)) : undefined);
    if (this.#options.idRoutes ?? true) this.#userRoutes('/api/user/by-id/:key', byId);
    if (this.#options.usernameRoutes ?? true) {
      if (this.#options.idRoutes ?? true) this.#userRoutes('/api/user/by-username/:key', byName);
      this.#userRoutes('/api/user/:key', byName);
    }
    if (this.#hwids) this.#hwidRoutes();
    this.#onlineIpRoute();
    r.on('GET', '/api/user/:userId/subscription/:clientType', (request, p) =>
      this.authed(request, () => this.#adminSubscription(request, p.userId!, p.clientType!)),
    );
    r.on('GET', '/api/users', (request) => this.authed(request, () => this.#list(request)));
    wireGuardRoutes(r, {
      state: this.#wg,
      inbounds: this.inbounds,
      users: () => [...this.users.values()],
      tagsOf: (user) => this.#tagsOf(user),
      now: () => this.now(),
      startedAt: this.#startedAt,
      authed: (request, handler) => this.authed(request, handler),
      body: (request) => this.#body(request),
      json: (body, status) => json(body, status),
    });
    r.on('GET', '/sub/:token', (request, p) => subscriptionResponse(request, p.token!, null, this.#subscriptionContext()));
    r.on('GET', '/sub/:token/:kind', (request, p) => subscriptionResponse(request, p.token!, p.kind!, this.#subscriptionContext()));
  }

  /** One user's routes under `base` (`:key` found by `find`): read, modify, remove, reset, revoke. */
  #userRoutes(base: string, find: (key: string) => SimUser | undefined): void {
    const r = this.router;
    const withUser = (request: Request, key: string, handler: (user: SimUser) => Response | Promise<Response>) =>
      this.authed(request, () => {
        const user = find(key);
        return user ? handler(user) : json({ detail: 'User not found' }, 404);
      });
    r.on('GET', base, (request, p) => withUser(request, p.key!, (u) => this.#userResponse(u)));
    r.on('PUT', base, (request, p) => withUser(request, p.key!, (u) => this.#modify(request, u)));
    r.on('DELETE', base, (request, p) => withUser(request, p.key!, (u) => this.#delete(u)));
    r.on('POST', `${base}/reset`, (request, p) =>
      withUser(request, p.key!, (u) => {
        resetUsage(u);
        return this.#userResponse(u);
      }),
    );
    r.on('POST', `${base}/revoke_sub`, (request, p) =>
      withUser(request, p.key!, (u) => {
        const old = u.proxySettings;
        // `build_revoked_proxy_settings`: every credential anew, the WireGuard keys too; the peer IPs kept.
        const fresh = proxySettings({ shadowsocks: { method: old.shadowsocks.method } });
        const wireguard = { ...fresh.wireguard, peer_ips: [...old.wireguard.peer_ips] };
        try {
          fresh.wireguard = this.#wg.prepareKeys(wireguard, this.#reachesWireGuard(this.#tagsOf(u)), this.users.values(), u.id);
        } catch (error) {
          if (error instanceof WireGuardRefusal) return json({ detail: error.message }, 400);
          throw error;
        }
        u.proxySettings = fresh;
        u.subRevokedAt = this.now();
        return this.#userResponse(u);
      }),
    );
  }

  /** `GET /api/node/online_stats/{user_id}/ip` (v5.0+): the user's live IPs on each node that answers. */
  #onlineIpRoute(): void {
    this.router.on('GET', '/api/node/online_stats/:userId/ip', (request, p) =>
      this.authed(request, () => {
        if (!/^\d+$/.test(p.userId!))
          return json({ detail: { user_id: 'Input should be a valid integer, unable to parse string as an integer' } }, 422);
        const user = [...this.users.values()].find((u) => u.id === Number(p.userId));
        return user ? json(this.onlineIps.answer(user.id)) : json({ detail: 'User not found' }, 404);
      }),
    );
  }

  /** The user is connected from these source addresses on the panel's first node now (`[]`: nowhere). */
  async setClientAddresses(username: string, addresses: readonly string[]): Promise<void> {
    const user = this.users.get(this.keyOf(username));
    if (!user) throw new Error(`no user ${username}`);
    this.onlineIps.connect(user.id, addresses);
  }

  /** Silent: every node is down, so the panel reports the user on none. */
  async silenceClientAddresses(silent: boolean): Promise<void> {
    for (const node of this.onlineIps.nodes) this.onlineIps.setNodeDown(node, silent);
  }

  /** `app/routers/hwid.py`: a user's devices, one removed (`{}`), all removed (`{ count }`). */
  #hwidRoutes(): void {
    const r = this.router;
    const withUser = (request: Request, userId: string, handler: (user: SimUser) => Response) =>
      this.authed(request, () => {
        if (!/^\d+$/.test(userId))
          return json({ detail: { user_id: 'Input should be a valid integer, unable to parse string as an integer' } }, 422);
        const user = [...this.users.values()].find((u) => u.id === Number(userId));
        return user ? handler(user) : json({ detail: 'User not found' }, 404);
      });
    r.on('GET', '/api/user/:userId/hwids', (request, p) => withUser(request, p.userId!, (user) => json(hwidListBody(user))));
    r.on('POST', '/api/user/:userId/hwids/reset', (request, p) =>
      withUser(request, p.userId!, (user) => {
        const count = user.hwids.length;
        user.hwids = [];
        return json({ count });
      }),
    );
    r.on('DELETE', '/api/user/:userId/hwids/:hwid', (request, p) =>
      withUser(request, p.userId!, (user) => {
        const index = user.hwids.findIndex((row) => row.hwid === p.hwid);
        if (index < 0) return json({ detail: 'HWID not found' }, 404);
        user.hwids.splice(index, 1);
        return json({});
      }),
    );
  }

  /** `OAuth2PasswordRequestForm`; a wrong password is 401 "Incorrect username or password". */
  async #login(request: Request): Promise<Response> {
    const form = await readForm(request);
    const missing = (['username', 'password'] as const).filter((field) => form[field] === undefined);
    if (missing.length > 0) return json({ detail: Object.fromEntries(missing.map((field) => [field, 'Field required'])) }, 422);
    const token = this.issueToken(form.username ?? '', form.password ?? '');
    return typeof token === 'string' ? json({ access_token: token, token_type: 'bearer' }) : token;
  }

  #listGroups(request: Request): Response {
    const query = new URL(request.url).searchParams;
    const offset = Number(query.get('offset') ?? 0) || 0;
    const limit = Number(query.get('limit') ?? 0) || 0;
    const page = limit > 0 ? this.groups.slice(offset, offset + limit) : this.groups.slice(offset);
    return json({ groups: page.map((group) => groupBody(group, this.users.values())), total: this.groups.length });
  }

  #blankUser(username: string, now: number, groupIds: number[], settings: SimUser['proxySettings']): SimUser {
    return {
      id: this.#nextId++,
      username,
      status: 'active',
      proxySettings: settings,
      groupIds,
      expire: null,
      dataLimit: null,
      resetStrategy: 'no_reset',
      note: null,
      onHoldExpireDuration: null,
      onHoldTimeout: null,
      hwidLimit: null,
      nextPlan: null,
      usedTraffic: 0,
      lifetimeUsedTraffic: 0,
      createdAt: now,
      editAt: null,
      onlineAt: null,
      subRevokedAt: null,
      hwids: [],
    };
  }

  #store(user: SimUser): void {
    this.users.set(this.keyOf(user.username), user);
  }

  async #body(request: Request): Promise<Record<string, unknown> | Response> {
    const parsed = await readJsonBody(request);
    if (!parsed.ok) return json({ detail: { [String(parsed.offset)]: 'JSON decode error' } }, 422);
    const value = parsed.value;
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return json({ detail: { body: 'Input should be a valid dictionary' } }, 422);
    return value as Record<string, unknown>;
  }

  /** `validate_all_groups`: every id must exist ("Group not found", 404). */
  #missingGroup(value: ParsedUser): Response | null {
    for (const id of value.groupIds ?? [])
      if (!this.groups.some((group) => group.id === id)) return json({ detail: 'Group not found' }, 404);
    return null;
  }

  async #create(request: Request): Promise<Response> {
    const body = await this.#body(request);
    if (body instanceof Response) return body;
    const { errors, value } = validateUserBody(body, 'create', this.now());
    if (Object.keys(errors).length > 0) return json({ detail: errors }, 422);
    const missing = this.#missingGroup(value);
    if (missing) return missing;
    // The keys are checked before the name: a retried create whose key the first one stored is a 400, not a 409.
    const tags = this.#tagsOfGroups(value.groupIds ?? []);
    const settings = proxySettings(value.proxySettings ?? {});
    const refused = this.#wireGuardStep(() => {
      settings.wireguard = this.#wg.prepareKeys(settings.wireguard, this.#reachesWireGuard(tags), this.users.values());
    });
    if (refused) return refused;
    if (this.users.has(this.keyOf(value.username!))) return json({ detail: 'User already exists' }, 409);
    const user = this.#blankUser(value.username!, this.now(), [...(value.groupIds ?? [])], settings);
    const exhausted = this.#wireGuardStep(() => {
      user.proxySettings.wireguard.peer_ips = this.#wg.peerIpsFor(user, tags, this.users.values());
    });
    if (exhausted) return exhausted;
    user.status = (value.status as SimUser['status'] | undefined) ?? 'active';
    user.expire = value.expire || null;
    user.dataLimit = value.dataLimit || null;
    user.resetStrategy = value.resetStrategy ?? 'no_reset';
    user.note = value.note ?? null;
    user.onHoldExpireDuration = value.onHoldExpireDuration ?? null;
    user.onHoldTimeout = value.onHoldTimeout ?? null;
    user.hwidLimit = value.hwidLimit ?? null;
    user.nextPlan = value.nextPlan ?? null;
    this.#store(user);
    if (this.quirks.createCommitThen500) return internalError();
    return this.#userResponse(user, 201);
  }

  async #modify(request: Request, user: SimUser): Promise<Response> {
    const body = await this.#body(request);
    if (body instanceof Response) return body;
    const { errors, value } = validateUserBody(body, 'modify', this.now());
    if (Object.keys(errors).length > 0) return json({ detail: errors }, 422);
    const missing = this.#missingGroup(value);
    if (missing) return missing;
    const tags = this.#tagsOfGroups(value.groupIds ?? user.groupIds);
    // Sent settings replace the WireGuard block whole: one without keys gets new ones (the panel's trap).
    const settings = value.proxySettings
      ? proxySettings({ ...user.proxySettings, ...value.proxySettings, wireguard: value.proxySettings.wireguard ?? {} })
      : { ...user.proxySettings };
    let wireguard = { ...settings.wireguard, peer_ips: [...user.proxySettings.wireguard.peer_ips] };
    const refused = this.#wireGuardStep(() => {
      wireguard = this.#wg.prepareKeys(wireguard, this.#reachesWireGuard(tags), this.users.values(), user.id);
      if (value.groupIds) wireguard.peer_ips = this.#wg.peerIpsFor(user, tags, this.users.values());
    });
    if (refused) return refused;
    user.proxySettings = { ...settings, wireguard };
    modifyUser(user, value, this.now());
    return this.#userResponse(user);
  }

  #delete(user: SimUser): Response {
    this.users.delete(this.keyOf(user.username));
    this.onlineIps.forget(user.id);
    if (this.quirks.deleteCommitThen500) return internalError();
    return new Response(null, { status: 204 });
  }

  #list(request: Request): Response {
    const query = new URL(request.url).searchParams;
    const keys: string[] = [];
    for (const option of (query.get('sort') ?? '')
      .replace(/^,+|,+$/g, '')
      .split(',')
      .filter(Boolean)) {
      if (!SORT_FIELDS.includes(option.replace(/^-/, '')))
        return json({ detail: `Value error, '${option}' is not a valid UserSortOption` }, 400);
      keys.push(option);
    }
    let users = [...this.users.values()].sort((a, b) => a.id - b.id);
    if (keys.length > 0) users = sortUsers(users, keys);
    const names = [...query.getAll('username'), ...query.getAll('usernames')];
    if (names.length > 0) users = users.filter((user) => names.includes(user.username));
    const search = query.get('search')?.toLowerCase();
    if (search)
      users = users.filter((user) => user.username.toLowerCase().includes(search) || (user.note ?? '').toLowerCase().includes(search));
    const statuses = query.getAll('status');
    if (statuses.length > 0) users = users.filter((user) => statuses.includes(user.status));
    const groups = query.getAll('group').map(Number);
    if (groups.length > 0) users = users.filter((user) => user.groupIds.some((id) => groups.includes(id)));
    // `if query.offset:` / `if query.limit:` — 0 (or none) means no offset, no limit.
    const offset = Math.max(0, Number(query.get('offset') ?? 0) || 0);
    const limit = Number(query.get('limit') ?? 0) || 0;
    const page = limit > 0 ? users.slice(offset, offset + limit) : users.slice(offset);
    const withSubscription = query.get('load_sub') === 'true';
    return json({ users: page.map((user) => userBody(user, this.#wire(), { withSubscription })), total: users.length });
  }

  #adminSubscription(request: Request, userId: string, clientType: string): Response {
    if (!/^\d+$/.test(userId))
      return json({ detail: { user_id: 'Input should be a valid integer, unable to parse string as an integer' } }, 422);
    const kinds = ['links', 'links_base64', 'xray', 'wireguard', 'sing_box', 'clash', 'clash_meta', 'outline', 'block'];
    if (!kinds.includes(clientType)) {
      return json(
        {
          detail: {
            client_type: `Input should be ${kinds
              .slice(0, -1)
              .map((k) => `'${k}'`)
              .join(', ')} or 'block'`,
          },
        },
        422,
      );
    }
    const user = [...this.users.values()].find((u) => u.id === Number(userId));
    if (!user) return json({ detail: 'User not found' }, 404);
    if (clientType === 'block') return json({ detail: 'Client not supported' }, 406);
    if (clientType !== 'links' && clientType !== 'links_base64') return json({ detail: 'Client not supported' }, 406);
    const links = this.#links(user).join('\n');
    return new Response(clientType === 'links' ? links : Buffer.from(links).toString('base64'), {
      status: 200,
      headers: {
        'content-type': 'text/plain; charset=utf-8',
        ...subscriptionHeaders(user, request.url, this.#subscriptionContext(), '.txt'),
      },
    });
  }

  /** The user's links: every inbound of its enabled groups, then every host of the `wg` cores they reach. */
  #links(user: SimUser): string[] {
    const tags = this.#tagsOf(user);
    return [
      ...shareLinks(user, this.inbounds, tags, SERVER_HOST, this.#options.random ?? Math.random),
      ...wireGuardOutputs(user, this.#wg.cores, tags, SERVER_HOST).map((output) => output.link),
    ];
  }

  /** The inbound tags of the enabled groups among `groupIds`. */
  #tagsOfGroups(groupIds: readonly number[]): Set<string> {
    const tags = new Set<string>();
    for (const group of this.groups)
      if (groupIds.includes(group.id) && !group.isDisabled) for (const tag of group.inboundTags) tags.add(tag);
    return tags;
  }

  #tagsOf(user: SimUser): Set<string> {
    return this.#tagsOfGroups(user.groupIds);
  }

  /** `user_has_wireguard_access`: one of the tags is a `wg` core's. */
  #reachesWireGuard(tags: ReadonlySet<string>): boolean {
    return [...this.#wg.tags()].some((tag) => tags.has(tag));
  }

  /** Runs a WireGuard step; its refusal is the panel's 400 `{detail}` (nothing was changed). */
  #wireGuardStep(step: () => void): Response | null {
    try {
      step();
      return null;
    } catch (error) {
      if (error instanceof WireGuardRefusal) return json({ detail: error.message }, 400);
      throw error;
    }
  }

  #wire(): WireContext {
    return {
      nowMs: this.now(),
      secret: SECRET,
      subscriptionPrefix: this.#options.subscriptionPrefix ?? '',
      admin: { id: 1, username: this.admin() },
    };
  }

  #subscriptionContext(): SubscriptionContext {
    return {
      userById: (id) => [...this.users.values()].find((user) => user.id === id),
      links: (user) => this.#links(user),
      wireGuardZip: (user) => wireGuardZip(wireGuardOutputs(user, this.#wg.cores, this.#tagsOf(user), SERVER_HOST), new Date(this.now())),
      wire: this.#wire(),
      updateInterval: 12,
      profileTitle: 'Subscription',
      supportUrl: 'https://t.me/',
      announce: '',
      announceUrl: '',
      checkDevice: (user, request, manual) =>
        this.#hwids
          ? validateAndRegister(
              user,
              deviceHeadersOf(request),
              // A manual `/sub/{token}/{client_type}` request needs no id unless `require_hwid_for_manual_sub`.
              manual ? { ...this.hwidSettings, forced: false } : this.hwidSettings,
              this.now(),
              () => this.#nextHwidId++,
            )
          : null,
    };
  }

  #userResponse(user: SimUser, status = 200): Response {
    return json(userBody(user, this.#wire()), status);
  }
}

function groupIdOf(target: TargetRef): number {
  const fromMeta = target.remoteMeta.groupId;
  return typeof fromMeta === 'number' ? fromMeta : Number(target.remoteRef);
}

function field(user: SimUser, key: string): number | string {
  if (key === 'username') return user.username;
  if (key === 'used_traffic') return user.usedTraffic;
  if (key === 'data_limit') return user.dataLimit ?? 0;
  if (key === 'expire') return user.expire ?? 0;
  if (key === 'edit_at') return user.editAt ?? Number.MAX_SAFE_INTEGER;
  if (key === 'online_at') return user.onlineAt ?? Number.MAX_SAFE_INTEGER;
  return user.createdAt;
}

/** `ORDER BY` the given keys (`-` = descending). */
function sortUsers(users: SimUser[], keys: readonly string[]): SimUser[] {
  return users.sort((a, b) => {
    for (const key of keys) {
      const desc = key.startsWith('-');
      const name = key.replace(/^-/, '');
      const x = field(a, name);
      const y = field(b, name);
      if (x < y) return desc ? 1 : -1;
      if (x > y) return desc ? -1 : 1;
    }
    return 0;
  });
}

/**
 * A PasarGuard panel in memory, speaking its HTTP API, for adapter tests and demos. Serve it with
 * `mswHandler` or `serveOnLocalhost`.
 */
export function createPasarGuardSimulator(options: PasarGuardSimulatorOptions = {}): PasarGuardSimulator {
  return new PasarGuardSimulator(options);
}
