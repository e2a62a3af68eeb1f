/**
 * A stateful Remnawave speaking its real HTTP API as `remnawave/backend` 3.x runs it (written from its source):
 * API-token bearer auth (401 `E401` for a bad token, 403 `Forbidden` for a deleted one), the reverse-proxy
 * check of production (a request without `X-Forwarded-For` and `X-Forwarded-Proto: https` has its socket
 * destroyed, as does an unknown route), users with numeric ids, the create/update/actions semantics of its
 * `UsersService` (statuses, "already enabled", `expireAt` in the past refused), zod validation answered as
 * nestjs-zod does, keyset `/api/users/stream` and offset `/api/users` pages, internal squads, subscription
 * info with links built from hosts, the public `/api/sub/:shortUuid` with its headers and its HWID device check
 * (an app's `X-HWID` registers its device; `hwidSettings` turns the limit on), and the `/api/hwid/devices…` routes.
 * `enforce()` is the panel's expired/limited jobs.
 */
import { randomUUID } from 'node:crypto';
import type { PanelTestControls, PanelTestDevice } from '@panelkit/sdk/testing';
import { Router, SimulatorBase, json, readJsonBody, type SimulatorBaseOptions } from '../harness/index.js';
import { REMNAWAVE_DEFAULT_HWID_SETTINGS, checkHwid, extractHwidHeaders, type RemnawaveHwidSettings } from './hwid.js';
import { hwidRoutes } from './hwid-routes.js';
import { RemnawaveConnections } from './connections.js';
import { fallbackLinks, userLinks } from './links.js';
import {
  REMNAWAVE_DEFAULT_HOSTS,
  REMNAWAVE_DEFAULT_INBOUNDS,
  REMNAWAVE_DEFAULT_SQUADS,
  isNeverYear,
  reviewUsers,
  type RemnawaveSimHost,
  type RemnawaveSimInbound,
  type RemnawaveSimSquad,
  type RemnawaveSimUser,
} from './state.js';
import { CreateUserBody, NumberParam, StreamQuery, issuesOf, updateUserBody, type CreateUserInput } from './validate.js';
import { SIM_ERRORS, coded, ok, squadBody, userBody, validationFailed } from './wire.js';

/** Options of `createRemnawaveSimulator`. */
export interface RemnawaveSimulatorOptions extends SimulatorBaseOptions {
  /** The API token the adapter sends as `Authorization: Bearer …`. Default `remnawave-sim-api-token`. */
  readonly apiToken?: string;
  /** `SUB_PUBLIC_DOMAIN`: subscription URLs are `https://<it>/<shortUuid>`. Default `sub.remnawave.test`. */
  readonly subPublicDomain?: string;
  /** Production's reverse-proxy check (`NODE_ENV=production`). Default true. */
  readonly requireProxyHeaders?: boolean;
  readonly squads?: readonly RemnawaveSimSquad[];
  readonly inbounds?: readonly RemnawaveSimInbound[];
  readonly hosts?: readonly RemnawaveSimHost[];
  /** The version `/api/system/metadata` reports. Default `3.3.2`. */
  readonly version?: string;
  /** The subscription settings' HWID check. Default the panel's seed: off (devices are still recorded), fallback limit 999. */
  readonly hwidSettings?: Partial<RemnawaveHwidSettings>;
}

type Handler = (request: Request, params: Record<string, string>, path: string) => Response | Promise<Response>;

const NANO_ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ_abcdefghjkmnopqrstuvwxyz-';

function nanoid(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += NANO_ALPHABET[Math.floor(Math.random() * NANO_ALPHABET.length)];
  return out;
}

/** The simulated panel; its `handle` is the Fetch handler. Create it with {@link createRemnawaveSimulator}. */
export class RemnawaveSimulator extends SimulatorBase implements PanelTestControls {
  readonly users = new Map<number, RemnawaveSimUser>();
  readonly squads: ReadonlyMap<string, RemnawaveSimSquad>;
  readonly inbounds: ReadonlyMap<string, RemnawaveSimInbound>;
  readonly hosts: readonly RemnawaveSimHost[];
  readonly subPublicDomain: string;
  readonly version: string;
  readonly requireProxyHeaders: boolean;
  /** The panel's nodes and the users' live connections on them (`/api/nodes`, `/api/connections/by-node…`). */
  readonly connections = new RemnawaveConnections();
  /** The subscription settings' HWID check (change it as an admin would in the dashboard). */
  hwidSettings: RemnawaveHwidSettings;
  readonly #router = new Router<string>();
  readonly #validTokens = new Set<string>();
  readonly #revokedTokens = new Set<string>();
  readonly #apiToken: string;
  readonly #createdAt: number;
  #nextId = 1;

  constructor(options: RemnawaveSimulatorOptions = {}) {
    super(options);
    this.#apiToken = options.apiToken ?? 'remnawave-sim-api-token';
    this.#validTokens.add(this.#apiToken);
    this.subPublicDomain = options.subPublicDomain ?? 'sub.remnawave.test';
    this.requireProxyHeaders = options.requireProxyHeaders ?? true;
    this.version = options.version ?? '3.3.2';
    this.squads = new Map((options.squads ?? REMNAWAVE_DEFAULT_SQUADS).map((squad) => [squad.uuid, { ...squad }]));
    this.inbounds = new Map((options.inbounds ?? REMNAWAVE_DEFAULT_INBOUNDS).map((inbound) => [inbound.uuid, inbound]));
    this.hosts = options.hosts ?? REMNAWAVE_DEFAULT_HOSTS;
    this.hwidSettings = { ...REMNAWAVE_DEFAULT_HWID_SETTINGS, ...options.hwidSettings };
    this.#createdAt = this.now();
    this.#routes();
  }

  /** The simulated panel's time, in epoch milliseconds (from the clock it was given). */
  now(): number {
    return this.clock.now().getTime();
  }

  // ------------------------------------------------------------------ controls

  async addTraffic(username: string, uploadBytes: number, downloadBytes: number): Promise<void> {
    const user = this.byName(username);
    if (user === undefined) throw new Error(`no user ${username}`);
    const bytes = uploadBytes + downloadBytes;
    user.usedTrafficBytes += bytes;
    user.lifetimeUsedTrafficBytes += bytes;
    user.onlineAt = this.now();
    user.firstConnectedAt ??= this.now();
    this.enforce();
  }

  /** Deletes the API token in the dashboard: the signed token still parses, so the panel answers 403. */
  expireSession(): void {
    this.#validTokens.delete(this.#apiToken);
    this.#revokedTokens.add(this.#apiToken);
  }

  /** Makes an API token in the dashboard (again, after `expireSession`); returns it. */
  addToken(token: string = this.#apiToken): string {
    this.#revokedTokens.delete(token);
    this.#validTokens.add(token);
    return token;
  }

  async countClients(username: string): Promise<number> {
    return [...this.users.values()].filter((user) => user.username === username).length;
  }

  /** API tokens are made in the dashboard; the API itself never logs in. */
  loginCount(): number {
    return 0;
  }

  /** The panel's jobs: `ACTIVE` users past `expireAt` become `EXPIRED`, at their limit `LIMITED`. */
  enforce(): void {
    reviewUsers(this.users.values(), this.now());
  }

  /** Adds `count` users quickly (for benchmarks): `${prefix}${i}`, in the first squad, bypassing the API. */
  seedUsers(count: number, prefix = 'seed_'): void {
    const squad = [...this.squads.keys()][0];
    const expireAt = new Date(this.now() + 30 * 86_400_000).toISOString();
    for (let i = 0; i < count; i++) {
      const user = this.#newUser(
        { username: `${prefix}${i}`, expireAt, activeInternalSquads: squad === undefined ? [] : [squad] },
        nanoid(16),
      );
      user.usedTrafficBytes = i;
      this.users.set(user.id, user);
    }
  }

  /**
   * Fetches the user's public subscription (`/api/sub/<shortUuid>`) as an app on `device` does, through the
   * panel's own handler: its `X-HWID` and device headers register the device as the panel does.
   */
  async fetchSubscriptionAs(username: string, device: PanelTestDevice): Promise<void> {
    const user = this.byName(username);
    if (user === undefined) throw new Error(`no user ${username}`);
    const response = await this.handle(
      new Request(`http://${this.subPublicDomain}/api/sub/${user.shortUuid}`, {
        headers: {
          'x-hwid': device.hwid,
          'x-device-os': device.platform,
          'x-ver-os': device.osVersion,
          'x-device-model': device.model,
          'user-agent': device.userAgent,
          // The subscription page forwards the app's request through the panel's reverse proxy.
          'x-forwarded-for': '198.51.100.7',
          'x-forwarded-proto': 'https',
        },
      }),
    );
    if (response.status !== 200) throw new Error(`the subscription answered ${response.status}`);
  }

  /** The user with this username as the panel stores it, or `undefined` (for tests that look behind the API). */
  byName(username: string): RemnawaveSimUser | undefined {
    for (const user of this.users.values()) if (user.username === username) return user;
    return undefined;
  }

  // ------------------------------------------------------------------ pipeline

  protected routePath(request: Request): string {
    return new URL(request.url).pathname;
  }

  protected isSessionRequest(): boolean {
    return false;
  }

  protected override faultResponse(...args: Parameters<SimulatorBase['faultResponse']>): Response {
    const [fault, request] = args;
    if (fault.kind === 'status' && fault.status < 500) {
      return json(
        {
          timestamp: new Date(this.now()).toISOString(),
          path: new URL(request.url).pathname,
          message: 'Simulated failure',
          errorCode: 'E000',
        },
        fault.status,
      );
    }
    return super.faultResponse(...args);
  }

  /** The write was applied, then the reverse proxy in front of the panel gave up: a 502 page. */
  protected override lostResponse(): Response {
    return new Response('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>', {
      status: 502,
      headers: { 'content-type': 'text/html' },
    });
  }

  protected async route(request: Request, path: string | null): Promise<Response> {
    if (path === null) return Response.error();
    if (this.requireProxyHeaders && !(request.headers.get('x-forwarded-for') && request.headers.get('x-forwarded-proto') === 'https')) {
      // proxyCheckMiddleware: `res.socket.destroy()`.
      return Response.error();
    }
    const found = this.#router.find(request.method, path);
    // NotFoundExceptionFilter destroys the socket of an unknown route too.
    if (!('handler' in found)) return Response.error();
    return found.handler(request, found.params, path);
  }

  /** The user is connected from these source addresses on the first node now (`[]`: nowhere). */
  async setClientAddresses(username: string, addresses: readonly string[]): Promise<void> {
    const user = this.byName(username);
    if (!user) throw new Error(`no user ${username}`);
    this.connections.connect(user.id, addresses, this.now());
  }

  /** Silent: every node is down, so each by-node job fails. */
  async silenceClientAddresses(silent: boolean): Promise<void> {
    for (const node of this.connections.nodes) node.down = silent;
  }

  // ------------------------------------------------------------------ routes

  #routes(): void {
    const r = this.#router;
    const authed = (handler: Handler) => (request: Request, params: Record<string, string>, path: string) =>
      this.#authorise(request, path) ?? handler(request, params, path);
    const byId = (handler: (request: Request, user: RemnawaveSimUser, path: string) => Response | Promise<Response>): Handler =>
      authed((request, params, path) => {
        const id = NumberParam.safeParse(params.id);
        if (!id.success) return validationFailed(issuesOf(id.error).map((issue) => ({ ...issue, path: ['userId'] })));
        const user = this.users.get(id.data);
        return user === undefined ? coded(SIM_ERRORS.USER_NOT_FOUND, path, this.now()) : handler(request, user, path);
      });
    r.on('GET', '/api/sub/:shortUuid', (request, params) => this.#subscription(request, params.shortUuid!));
    this.connections.routes(r, authed, () => this.now());
    hwidRoutes(r, {
      authed,
      byId,
      user: (id) => this.users.get(id),
      hwidSettings: () => this.hwidSettings,
      now: () => this.now(),
    });
    r.on(
      'GET',
      '/api/system/metadata',
      authed(() => this.#metadata()),
    );
    r.on(
      'GET',
      '/api/internal-squads',
      authed(() => this.#squadList()),
    );
    r.on(
      'GET',
      '/api/internal-squads/:uuid',
      authed((_request, params, path) => this.#squad(params.uuid!, path)),
    );
    r.on(
      'GET',
      '/api/users/stream',
      authed((request) => this.#stream(request)),
    );
    r.on(
      'GET',
      '/api/users/by-username/:username',
      authed((_request, params, path) => this.#userOr404(this.byName(params.username!), path)),
    );
    r.on(
      'GET',
      '/api/subscriptions/by-username/:username',
      authed((_request, params, path) => this.#subscriptionInfo(params.username!, path)),
    );
    r.on(
      'POST',
      '/api/users',
      authed((request, _params, path) => this.#create(request, path)),
    );
    r.on(
      'PATCH',
      '/api/users',
      authed((request, _params, path) => this.#update(request, path)),
    );
    r.on(
      'GET',
      '/api/users',
      authed((request) => this.#offsetPage(request)),
    );
    r.on(
      'GET',
      '/api/users/:id',
      byId((_request, user) => this.#ok(user)),
    );
    r.on(
      'DELETE',
      '/api/users/:id',
      byId((_request, user) => this.#delete(user)),
    );
    r.on(
      'POST',
      '/api/users/:id/actions/enable',
      byId((_request, user, path) => this.#setStatus(user, 'ACTIVE', path)),
    );
    r.on(
      'POST',
      '/api/users/:id/actions/disable',
      byId((_request, user, path) => this.#setStatus(user, 'DISABLED', path)),
    );
    r.on(
      'POST',
      '/api/users/:id/actions/reset-traffic',
      byId((_request, user) => this.#reset(user)),
    );
  }

  /** `JwtDefaultGuard`: no or a badly signed bearer token is 401; a deleted API token is 403. */
  #authorise(request: Request, path: string): Response | null {
    const header = request.headers.get('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (this.#validTokens.has(token)) return null;
    if (this.#revokedTokens.has(token)) return coded(SIM_ERRORS.FORBIDDEN, path, this.now());
    return coded(SIM_ERRORS.UNAUTHORIZED, path, this.now());
  }

  #ok(user: RemnawaveSimUser, status = 200): Response {
    return ok(userBody(user, this.squads, this.subPublicDomain), status);
  }

  /** `getUserByUniqueFields`: a missing user is `A063`. */
  #userOr404(user: RemnawaveSimUser | undefined, path: string): Response {
    return user === undefined ? coded(SIM_ERRORS.GET_USER_BY_UNIQUE_FIELDS_NOT_FOUND, path, this.now()) : this.#ok(user);
  }

  #members(squad: string): number {
    let count = 0;
    for (const user of this.users.values()) if (user.squads.includes(squad)) count++;
    return count;
  }

  #metadata(): Response {
    const sha = '0000000000000000000000000000000000000000';
    return ok({
      version: this.version,
      build: { time: new Date(this.#createdAt).toISOString(), number: '1' },
      git: {
        backend: { commitSha: sha, branch: 'main', commitUrl: `https://github.com/remnawave/backend/commit/${sha}` },
        frontend: { commitSha: sha, commitUrl: `https://github.com/remnawave/frontend/commit/${sha}` },
      },
    });
  }

  #squadList(): Response {
    const squads = [...this.squads.values()].map((squad, index) =>
      squadBody(squad, index, this.#members(squad.uuid), this.inbounds, this.#createdAt),
    );
    return ok({ total: squads.length, internalSquads: squads });
  }

  #squad(uuid: string, path: string): Response {
    const index = [...this.squads.keys()].indexOf(uuid);
    if (index < 0) return coded(SIM_ERRORS.INTERNAL_SQUAD_NOT_FOUND, path, this.now());
    return ok(squadBody(this.squads.get(uuid)!, index, this.#members(uuid), this.inbounds, this.#createdAt));
  }

  async #body(request: Request): Promise<unknown> {
    const read = await readJsonBody(request);
    return read.ok ? read.value : undefined;
  }

  async #create(request: Request, path: string): Promise<Response> {
    const parsed = CreateUserBody.safeParse(await this.#body(request));
    if (!parsed.success) return validationFailed(issuesOf(parsed.error));
    const input = parsed.data;
    // One Prisma create with nested squad rows: an unknown squad fails the foreign key and nothing is made.
    if ((input.activeInternalSquads ?? []).some((uuid) => !this.squads.has(uuid)))
      return coded(SIM_ERRORS.CREATE_USER_ERROR, path, this.now());
    if (this.byName(input.username) !== undefined) return coded(SIM_ERRORS.USER_USERNAME_ALREADY_EXISTS, path, this.now());
    const shortUuid = input.shortUuid || nanoid(16);
    if ([...this.users.values()].some((user) => user.shortUuid === shortUuid))
      return coded(SIM_ERRORS.USER_SHORT_UUID_ALREADY_EXISTS, path, this.now());
    const user = this.#newUser(input, shortUuid);
    this.users.set(user.id, user);
    return this.#ok(user, 201);
  }

  #newUser(input: CreateUserInput, shortUuid: string): RemnawaveSimUser {
    const now = this.now();
    return {
      id: this.#nextId++,
      username: input.username,
      shortUuid,
      vlessUuid: input.vlessUuid ?? randomUUID(),
      trojanPassword: input.trojanPassword || nanoid(32),
      ssPassword: input.ssPassword || nanoid(32),
      status: input.status ?? 'ACTIVE',
      trafficLimitBytes: input.trafficLimitBytes ?? 0,
      trafficLimitStrategy: input.trafficLimitStrategy ?? 'NO_RESET',
      expireAt: Date.parse(input.expireAt),
      description: input.description ?? null,
      tag: input.tag ?? null,
      telegramId: input.telegramId ?? null,
      email: input.email ?? null,
      hwidDeviceLimit: input.hwidDeviceLimit ?? null,
      externalSquadUuid: input.externalSquadUuid ?? null,
      lastTriggeredThreshold: 0,
      subRevokedAt: null,
      lastTrafficResetAt: null,
      createdAt: now,
      updatedAt: now,
      squads: [...new Set(input.activeInternalSquads ?? [])],
      usedTrafficBytes: 0,
      lifetimeUsedTrafficBytes: 0,
      onlineAt: null,
      firstConnectedAt: null,
      hwidDevices: [],
    };
  }

  /** `UsersService.updateUser`: status moves only ACTIVE→DISABLED and any→ACTIVE; a raised limit or a later date revives. */
  async #update(request: Request, path: string): Promise<Response> {
    const parsed = updateUserBody(this.now()).safeParse(await this.#body(request));
    if (!parsed.success) return validationFailed(issuesOf(parsed.error));
    const input = parsed.data;
    const user = input.username !== undefined ? this.byName(input.username) : this.users.get(input.id!);
    if (user === undefined) return coded(SIM_ERRORS.USER_NOT_FOUND, path, this.now());
    let status = user.status;
    if (user.status !== 'ACTIVE' && input.status === 'ACTIVE') status = 'ACTIVE';
    if (user.status === 'ACTIVE' && input.status === 'DISABLED') status = 'DISABLED';
    if (input.trafficLimitBytes !== undefined && user.status === 'LIMITED') {
      if (input.trafficLimitBytes > user.trafficLimitBytes || input.trafficLimitBytes === 0) status = 'ACTIVE';
    }
    if (user.status === 'EXPIRED' && input.expireAt !== undefined && input.status === undefined) {
      const next = Date.parse(input.expireAt);
      if (next !== user.expireAt && next > this.now()) status = 'ACTIVE';
    }
    if (input.trafficLimitBytes !== undefined) {
      user.trafficLimitBytes = input.trafficLimitBytes;
      user.lastTriggeredThreshold = 0;
    }
    if (input.trafficLimitStrategy !== undefined) user.trafficLimitStrategy = input.trafficLimitStrategy;
    if (input.expireAt !== undefined) user.expireAt = Date.parse(input.expireAt);
    if (input.description !== undefined) user.description = input.description;
    if (input.tag !== undefined) user.tag = input.tag;
    if (input.telegramId !== undefined) user.telegramId = input.telegramId;
    if (input.email !== undefined) user.email = input.email;
    if (input.hwidDeviceLimit !== undefined) user.hwidDeviceLimit = input.hwidDeviceLimit;
    if (input.externalSquadUuid !== undefined) user.externalSquadUuid = input.externalSquadUuid;
    if (input.activeInternalSquads !== undefined) user.squads = [...new Set(input.activeInternalSquads)];
    user.status = status;
    user.updatedAt = this.now();
    return this.#ok(user);
  }

  /** 204, empty. */
  #delete(user: RemnawaveSimUser): Response {
    this.users.delete(user.id);
    this.connections.forget(user.id);
    return new Response(null, { status: 204 });
  }

  /** `enableUser`/`disableUser`: 400 `A030`/`A029` when already in that status (any other status may be changed). */
  #setStatus(user: RemnawaveSimUser, status: 'ACTIVE' | 'DISABLED', path: string): Response {
    if (user.status === status) {
      return coded(status === 'ACTIVE' ? SIM_ERRORS.USER_ALREADY_ENABLED : SIM_ERRORS.USER_ALREADY_DISABLED, path, this.now());
    }
    user.status = status;
    user.updatedAt = this.now();
    return this.#ok(user);
  }

  /** `resetUserTraffic`: usage to zero, `lastTrafficResetAt` now, and a `LIMITED` user `ACTIVE` again. */
  #reset(user: RemnawaveSimUser): Response {
    user.usedTrafficBytes = 0;
    user.lastTrafficResetAt = this.now();
    if (user.status === 'LIMITED') user.status = 'ACTIVE';
    user.updatedAt = this.now();
    return this.#ok(user);
  }

  /** Keyset pages by ascending id; `nextCursor` is the last id of a page that has more after it. */
  #stream(request: Request): Response {
    const parsed = StreamQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
    if (!parsed.success) return validationFailed(issuesOf(parsed.error));
    const { cursor, size } = parsed.data;
    const rows = [...this.users.values()]
      .filter((user) => cursor === undefined || cursor === 0 || user.id > cursor)
      .sort((a, b) => a.id - b.id)
      .slice(0, size + 1);
    const hasMore = rows.length > size;
    if (hasMore) rows.pop();
    return ok({
      users: rows.map((user) => userBody(user, this.squads, this.subPublicDomain)),
      nextCursor: hasMore ? String(rows.at(-1)!.id) : null,
      hasMore,
    });
  }

  /** `GET /api/users?start&size`: offset pages, newest id first (the panel's default sort). */
  #offsetPage(request: Request): Response {
    const query = new URL(request.url).searchParams;
    const start = Number(query.get('start') ?? 0);
    const size = Number(query.get('size') ?? 25);
    if (!Number.isFinite(size) || size < 1 || size > 1000) {
      return validationFailed([{ code: 'too_big', path: ['size'], message: 'Size (limit) must be less than 1000' }]);
    }
    const all = [...this.users.values()].sort((a, b) => b.id - a.id);
    return ok({
      users: all.slice(start, start + size).map((user) => userBody(user, this.squads, this.subPublicDomain)),
      total: all.length,
    });
  }

  /**
   * The links the panel renders for the user (`resolveProxyConfig`): with the default custom remarks
   * on, a user who is not `ACTIVE`, or has no host, gets fallback entries instead (`fallbackLinks`).
   */
  #linksOf(user: RemnawaveSimUser): string[] {
    if (user.status !== 'ACTIVE') return fallbackLinks(user.status);
    const squadInbounds = new Set(user.squads.flatMap((uuid) => this.squads.get(uuid)?.inboundUuids ?? []));
    const links = userLinks(user, this.inbounds, this.hosts, squadInbounds);
    return links.length > 0 ? links : fallbackLinks('EMPTY_HOSTS');
  }

  /** `getSubscriptionInfo`, authenticated: the rendered links, fallback entries for a user who is not `ACTIVE`. */
  #subscriptionInfo(username: string, path: string): Response {
    const user = this.byName(username);
    if (user === undefined) return coded(SIM_ERRORS.USER_NOT_FOUND, path, this.now());
    const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
    return ok({
      isFound: true,
      user: {
        shortUuid: user.shortUuid,
        daysLeft: Math.floor((user.expireAt - this.now()) / 86_400_000),
        trafficUsed: gib(user.usedTrafficBytes),
        trafficLimit: gib(user.trafficLimitBytes),
        lifetimeTrafficUsed: gib(user.lifetimeUsedTrafficBytes),
        trafficUsedBytes: String(user.usedTrafficBytes),
        trafficLimitBytes: String(user.trafficLimitBytes),
        lifetimeTrafficUsedBytes: String(user.lifetimeUsedTrafficBytes),
        username: user.username,
        expiresAt: new Date(user.expireAt).toISOString(),
        isActive: user.status === 'ACTIVE',
        userStatus: user.status,
        trafficLimitStrategy: user.trafficLimitStrategy,
      },
      links: this.#linksOf(user),
      ssConfLinks: {},
      subscriptionUrl: `https://${this.subPublicDomain}/${user.shortUuid}`,
    });
  }

  /**
   * The public subscription (what apps fetch through the subscription page): base64 of the links, with
   * `subscription-userinfo` (no upload split; `expire=0` for the 2099 "never"), `content-disposition`
   * and `profile-title`. An unknown short UUID is a 404; a user that is not `ACTIVE` gets the
   * fallback entries whose remarks say why, as the panel's default "custom remarks" do. An `ACTIVE` user's
   * request passes the HWID check first (`checkHwid`): a refused app gets the profile headers, the
   * `x-hwid-*` headers, the announcement when one is set, and the remark saying why in place of the links.
   */
  #subscription(request: Request, shortUuid: string): Response {
    const user = [...this.users.values()].find((candidate) => candidate.shortUuid === shortUuid);
    if (user === undefined) return new Response('Not Found', { status: 404, headers: { 'content-type': 'text/plain' } });
    const expire = isNeverYear(user.expireAt) ? 0 : Math.floor(user.expireAt / 1000);
    const headers: Record<string, string> = {
      'content-type': 'text/plain; charset=utf-8',
      'content-disposition': `attachment; filename=${user.username}`,
      'subscription-userinfo': `upload=0; download=${user.usedTrafficBytes}; total=${user.trafficLimitBytes}; expire=${expire}`,
      'profile-title': `base64:${Buffer.from('Remnawave').toString('base64')}`,
      'profile-update-interval': '12',
    };
    let links = this.#linksOf(user);
    const checkup = user.status === 'ACTIVE' ? checkHwid(user, extractHwidHeaders(request), this.hwidSettings, this.now()) : null;
    if (checkup !== null && !checkup.allowed) {
      headers['x-hwid-active'] = 'true';
      headers['x-hwid-limit'] = 'true';
      if (checkup.hwidNotSupported) headers['x-hwid-not-supported'] = 'true';
      if (checkup.maxDeviceReached) {
        headers['x-hwid-max-devices-reached'] = 'true';
        const announce = this.hwidSettings.maxDevicesAnnounce;
        if (announce) headers.announce = `base64:${Buffer.from(announce).toString('base64')}`;
      }
      links = fallbackLinks(checkup.maxDeviceReached ? 'HWID_MAX_DEVICES' : 'HWID_NOT_SUPPORTED');
    }
    return new Response(Buffer.from(links.join('\n')).toString('base64'), { status: 200, headers });
  }
}

/** A simulated Remnawave (see {@link RemnawaveSimulator}). */
export function createRemnawaveSimulator(options: RemnawaveSimulatorOptions = {}): RemnawaveSimulator {
  return new RemnawaveSimulator(options);
}
