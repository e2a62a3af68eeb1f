/**
 * A stateful Marzneshin speaking its real HTTP API as v0.7.4 runs it (`marzneshin/marzneshin@447cae89`, checked
 * against a running panel with marznode, notes §10): bearer-token login at `/api/admins/token`, `/api/users…`
 * with `expire_strategy`, services and inbounds, separate enable/disable routes (409 in the same state),
 * `page/size ≤ 100` pages with relative links, soft delete, the custom 422 body, and the public subscription.
 * The logged-in admin is sudo by default; `adminAccess` makes it a limited one, which sees only its own users
 * and gets 403 "You're not allowed" for any other name, existing or not. `enforce()` is the review task.
 */
import { randomBytes } from 'node:crypto';
import type { PanelTestControls } from '@panelkit/sdk/testing';
import { TokenPanelSimulator, type TokenPanelSimulatorOptions } from '../marzban-family/token-panel-simulator.js';
import { type SimulatorBase, readForm, readJsonBody } from '../harness/index.js';
import { userProxies, type SimProxy } from './share.js';
import {
  MARZNESHIN_DEFAULT_INBOUNDS,
  MARZNESHIN_DEFAULT_SERVICES,
  isActive,
  reviewUsers,
  type MarzneshinSimAdmin,
  type MarzneshinSimInbound,
  type MarzneshinSimService,
  type MarzneshinSimUser,
} from './state.js';
import { subscriptionRoutes } from './subscription.js';
import { listUsers } from './user-list.js';
import { validateUser, type UserInput } from './validate.js';
import { pageBody, pageParams, pyJson, userBody, type WireContext } from './wire.js';

/** Options of `createMarzneshinSimulator`: services, inbounds, admin, subscription URL prefix. */
export interface MarzneshinSimulatorOptions extends TokenPanelSimulatorOptions {
  readonly services?: readonly MarzneshinSimService[];
  readonly inbounds?: readonly MarzneshinSimInbound[];
  /** `SUBSCRIPTION_URL_PREFIX`; default `''` (relative URLs). Each `*` is a random label on every read. */
  readonly subscriptionPrefix?: string;
  /** The permissions of the admin who logs in; default a sudo admin. */
  readonly adminAccess?: MarzneshinSimAdmin;
  /** `placeholder_if_disabled` of the subscription settings; default `true`. */
  readonly placeholderIfDisabled?: boolean;
}

const SERVER_HOST = '203.0.113.20';
const NOT_ALLOWED = "You're not allowed";
/** The node every inbound is on. */
const NODE = { id: 1, name: 'marznode', address: '127.0.0.1', port: 53042, connection_backend: 'grpclib', usage_coefficient: 1 };

type UserHandler = (request: Request, user: MarzneshinSimUser) => Response | Promise<Response>;

/**
 * A Marzneshin panel in memory (create it with `createMarzneshinSimulator`): admin login, services as
 * targets, `/api/users` routes with the panel's answers, marznode usage, and links whose credentials derive
 * from the user's key (xxh128).
 */
export class MarzneshinSimulator extends TokenPanelSimulator<MarzneshinSimUser> implements PanelTestControls {
  readonly services: readonly MarzneshinSimService[];
  readonly inbounds: readonly MarzneshinSimInbound[];
  readonly #access: Required<MarzneshinSimAdmin>;
  readonly #options: MarzneshinSimulatorOptions;
  /** Soft-deleted users (live ones are in `users`). */
  readonly #removed: MarzneshinSimUser[] = [];
  /** `users.key` is unique over every row, removed ones included. */
  readonly #keys = new Set<string>();
  /** Every admin that owns a user, the logged-in one included (for `owner_username`). */
  readonly #admins = new Set<string>();
  /** Recorded traffic per user id: unix hour → bytes (`node_user_usages`). */
  readonly #usage = new Map<number, Map<number, number>>();
  #nextId = 1;
  /** Live users in username order, rebuilt after a user is added or removed (a benchmark lists 20 000 a page at a time). */
  #byName: MarzneshinSimUser[] | null = null;

  constructor(options: MarzneshinSimulatorOptions = {}) {
    super('Marzneshin', options);
    this.#options = options;
    this.services = options.services ?? MARZNESHIN_DEFAULT_SERVICES;
    this.inbounds = options.inbounds ?? MARZNESHIN_DEFAULT_INBOUNDS;
    const access = options.adminAccess ?? {};
    this.#access = {
      isSudo: access.isSudo ?? true,
      modifyUsersAccess: access.modifyUsersAccess ?? true,
      allServicesAccess: access.allServicesAccess ?? false,
      serviceIds: access.serviceIds ?? [],
      subscriptionUrlPrefix: access.subscriptionUrlPrefix ?? '',
    };
    this.#admins.add(this.admin());
    this.#routes();
  }

  // ------------------------------------------------------------------ controls

  /** Soft-deleted rows (kept in the database with `removed = true`). */
  get removedCount(): number {
    return this.#removed.length;
  }

  /** Traffic is also recorded per hour, for `/usage`. */
  override async addTraffic(username: string, uploadBytes: number, downloadBytes: number): Promise<void> {
    await super.addTraffic(username, uploadBytes, downloadBytes);
    const user = this.require(username);
    const hour = Math.floor(this.now() / 3_600_000) * 3600;
    const series = this.#usage.get(user.id) ?? new Map<number, number>();
    series.set(hour, (series.get(hour) ?? 0) + uploadBytes + downloadBytes);
    this.#usage.set(user.id, series);
  }

  /**
   * The review task (`app/tasks/review_users.py`): users no longer active are taken off the nodes
   * (`activated = false`); start-on-first-use users seen online (or past their deadline) get a fixed date.
   */
  enforce(): void {
    reviewUsers(this.users.values(), this.now());
  }

  /** Adds `count` users quickly (for benchmarks): `${prefix}${i}`, in the first service. */
  seedUsers(count: number, prefix = 'seed_'): void {
    const now = this.now();
    const keys = randomBytes(16 * count).toString('hex');
    const service = [this.services[0]?.id ?? 1];
    for (let i = 0; i < count; i++) {
      const username = `${prefix}${i}`;
      this.users.set(username, this.#blank(username, this.admin(), now + i, keys.slice(i * 32, i * 32 + 32), [...service]));
    }
    this.#byName = null;
  }

  /** A user another admin made (`owner`, default `other_admin`): a limited admin cannot see it. */
  addForeignUser(username: string, options: { owner?: string; key?: string; serviceIds?: number[] } = {}): MarzneshinSimUser {
    const owner = options.owner ?? 'other_admin';
    const name = username.toLowerCase();
    const key = options.key ?? randomBytes(16).toString('hex');
    const user = this.#blank(name, owner, this.now(), key, options.serviceIds ?? [this.services[0]?.id ?? 1]);
    this.#admins.add(owner);
    this.users.set(name, user);
    this.#byName = null;
    return user;
  }

  // ------------------------------------------------------------------ pipeline

  protected isSessionRequest(_request: Request, path: string): boolean {
    return path === '/api/admins/token' || path === '/openapi.json';
  }

  protected override faultResponse(...args: Parameters<SimulatorBase['faultResponse']>): Response {
    const [fault] = args;
    if (fault.kind === 'status' && fault.status < 500) return pyJson({ detail: 'Simulated failure' }, fault.status);
    return super.faultResponse(...args);
  }

  /** The write was applied, then the handler failed: a plain 500. */
  protected override lostResponse(): Response {
    return new Response('Internal Server Error', { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }

  /** Starlette's `redirect_slashes` (a trailing slash is a 307 to the path without it), and FastAPI's JSON type. */
  protected override async route(request: Request, path: string | null): Promise<Response> {
    const url = new URL(request.url);
    const found = this.router.find(request.method, path ?? '/');
    if (url.pathname.length > 1 && url.pathname.endsWith('/') && ('handler' in found || found.methodMismatch)) {
      url.pathname = url.pathname.replace(/\/+$/, '');
      return new Response(null, { status: 307, headers: { location: url.toString() } });
    }
    const response = await super.route(request, path);
    // The shared token and routing answers carry a charset; FastAPI's JSONResponse does not.
    if (response.headers.get('content-type') !== 'application/json; charset=utf-8') return response;
    const headers = { ...Object.fromEntries(response.headers), 'content-type': 'application/json' };
    return new Response(response.body, { status: response.status, headers });
  }

  // ------------------------------------------------------------------ routes

  #routes(): void {
    const r = this.router;
    const authed = (handler: (request: Request) => Response | Promise<Response>) => (request: Request) =>
      this.authed(request, () => handler(request));
    /** `UserDep` (ownership before existence), then `ModifyUsersAccess` for writes. */
    const owned = (modify: boolean, handler: UserHandler) => (request: Request, p: Record<string, string>) =>
      this.authed(request, () => {
        const found = this.users.get(p.username!);
        if (!this.#access.isSudo && found?.owner !== this.admin()) return pyJson({ detail: NOT_ALLOWED }, 403);
        if (found === undefined) return pyJson({ detail: 'User not found' }, 404);
        if (modify && !this.#access.isSudo && !this.#access.modifyUsersAccess) return pyJson({ detail: NOT_ALLOWED }, 403);
        return handler(request, found);
      });
    r.on('GET', '/openapi.json', () => pyJson({ openapi: '3.1.0', info: { title: 'MarzneshinAPI', version: '0.1.0' }, paths: {} }));
    r.on('POST', '/api/admins/token', (request) => this.#login(request));
    r.on(
      'GET',
      '/api/admins/current',
      authed(() => pyJson(this.#adminBody())),
    );
    r.on(
      'GET',
      '/api/services',
      authed((request) => this.#services(request)),
    );
    r.on(
      'GET',
      '/api/inbounds',
      authed((request) => this.#inboundsPage(request)),
    );
    r.on(
      'POST',
      '/api/users',
      authed((request) => this.#create(request)),
    );
    r.on(
      'GET',
      '/api/users',
      authed((request) => this.#list(request)),
    );
    r.on(
      'GET',
      '/api/users/:username',
      owned(false, (_request, u) => this.#user(u)),
    );
    r.on(
      'PUT',
      '/api/users/:username',
      owned(true, (request, u) => this.#modify(request, u)),
    );
    r.on(
      'DELETE',
      '/api/users/:username',
      owned(true, (_request, u) => this.#remove(u)),
    );
    r.on(
      'POST',
      '/api/users/:username/enable',
      owned(true, (_request, u) => this.#toggle(u, true)),
    );
    r.on(
      'POST',
      '/api/users/:username/disable',
      owned(true, (_request, u) => this.#toggle(u, false)),
    );
    r.on(
      'POST',
      '/api/users/:username/reset',
      owned(true, (_request, u) => {
        const wasActive = isActive(u, this.now());
        u.usedTraffic = 0;
        u.trafficResetAt = this.now();
        if (!wasActive && isActive(u, this.now())) u.activated = true;
        return this.#user(u);
      }),
    );
    r.on(
      'POST',
      '/api/users/:username/revoke_sub',
      owned(true, (_request, u) => {
        u.key = randomBytes(16).toString('hex');
        this.#keys.add(u.key);
        u.subRevokedAt = this.now();
        return this.#user(u);
      }),
    );
    r.on(
      'GET',
      '/api/users/:username/usage',
      owned(false, (_request, u) => {
        const usages = this.#series(u);
        const nodeUsages = usages.length === 0 ? [] : [{ node_id: NODE.id, node_name: NODE.name, usages }];
        return pyJson({ username: u.username, node_usages: nodeUsages, total: usages.reduce((sum, [, bytes]) => sum + bytes, 0) });
      }),
    );
    r.on(
      'GET',
      '/api/users/:username/services',
      owned(false, (request, u) => {
        // The route's non-sudo filter is never applied (`query.filter(…)` is not assigned), so every service shows.
        return this.#paged(
          request,
          this.services.filter((s) => u.serviceIds.includes(s.id)).map((s) => this.#serviceBody(s)),
        );
      }),
    );
    subscriptionRoutes(r, {
      now: () => this.now(),
      liveUser: (username) => this.users.get(username),
      proxiesOf: (user) => this.#proxies(user),
      wire: (user) => this.#wire(user),
      placeholderIfDisabled: this.#options.placeholderIfDisabled ?? true,
      usageSeries: (user) => this.#series(user),
    });
  }

  async #login(request: Request): Promise<Response> {
    const form = await readForm(request);
    if (form.username === undefined || form.password === undefined) {
      return pyJson({ detail: { [form.username === undefined ? 'username' : 'password']: 'Field required' } }, 422);
    }
    const token = this.issueToken(form.username, form.password);
    return typeof token === 'string' ? pyJson({ access_token: token, is_sudo: this.#access.isSudo, token_type: 'bearer' }) : token;
  }

  #adminBody(): Record<string, unknown> {
    const a = this.#access;
    return {
      id: 1,
      username: this.admin(),
      is_sudo: a.isSudo,
      enabled: true,
      all_services_access: a.allServicesAccess,
      modify_users_access: a.modifyUsersAccess,
      service_ids: [...a.serviceIds],
      subscription_url_prefix: a.subscriptionUrlPrefix,
    };
  }

  /** The services this admin may use; `null` = all (sudo, or `all_services_access`). */
  #permittedServices(): readonly number[] | null {
    return this.#access.isSudo || this.#access.allServicesAccess ? null : this.#access.serviceIds;
  }

  /** Marzneshin keeps only ids that exist and that the admin may use, silently (§10.2). */
  #keptServices(ids: readonly number[]): number[] {
    const permitted = this.#permittedServices();
    return ids.filter((id) => this.services.some((s) => s.id === id) && (permitted === null || permitted.includes(id)));
  }

  #serviceBody(service: MarzneshinSimService): Record<string, unknown> {
    // `user_ids` counts every admin's live users (§10.10).
    const userIds = [...this.users.values()].filter((u) => u.serviceIds.includes(service.id)).map((u) => u.id);
    return { id: service.id, name: service.name, inbound_ids: service.inbound_ids, user_ids: userIds };
  }

  #services(request: Request): Response {
    const permitted = this.#permittedServices();
    const visible = this.services.filter((s) => permitted === null || permitted.includes(s.id));
    return this.#paged(request, visible, (s) => this.#serviceBody(s));
  }

  #inboundsPage(request: Request): Response {
    if (!this.#access.isSudo) return pyJson({ detail: 'Access Denied' }, 403);
    const items = this.inbounds.map((inbound) => ({
      id: inbound.id,
      tag: inbound.tag,
      protocol: inbound.protocol,
      config: JSON.stringify({ tag: inbound.tag, protocol: inbound.protocol, port: inbound.port, network: inbound.network }),
      node: NODE,
      service_ids: this.services.filter((s) => s.inbound_ids.includes(inbound.id)).map((s) => s.id),
    }));
    return this.#paged(request, items);
  }

  #paged<T>(request: Request, all: readonly T[], serialise: (item: T) => unknown = (item) => item): Response {
    const url = new URL(request.url);
    const params = pageParams(url);
    if ('errors' in params) return pyJson({ detail: params.errors }, 422);
    return pyJson(pageBody(url, all, params.page, params.size, serialise));
  }

  #blank(username: string, owner: string, now: number, key: string, serviceIds: number[]): MarzneshinSimUser {
    this.#keys.add(key);
    return {
      id: this.#nextId++,
      username,
      owner,
      expireStrategy: 'never',
      expireDate: null,
      usageDuration: null,
      activationDeadline: null,
      key,
      dataLimit: null,
      resetStrategy: 'no_reset',
      note: null,
      onlineAt: null,
      enabled: true,
      activated: true,
      usedTraffic: 0,
      lifetimeUsedTraffic: 0,
      createdAt: now,
      editAt: null,
      subUpdatedAt: null,
      subLastUserAgent: null,
      subRevokedAt: null,
      trafficResetAt: null,
      serviceIds,
      removed: false,
    };
  }

  /** `crud.update_user`: a new strategy clears its fields; a field that is not null is set. */
  #applyExpiry(user: MarzneshinSimUser, input: UserInput): void {
    if (input.expireStrategy !== undefined) {
      user.expireStrategy = input.expireStrategy;
      user.expireDate = null;
      user.usageDuration = null;
      user.activationDeadline = null;
    }
    // The model validator nulls the fields the strategy does not use.
    const strategy = input.expireStrategy;
    const dated = strategy !== 'start_on_first_use' && strategy !== 'never';
    const onHold = strategy !== 'fixed_date' && strategy !== 'never';
    if (input.expireDate != null && dated) user.expireDate = input.expireDate;
    if (input.usageDuration != null && onHold) user.usageDuration = input.usageDuration;
    if (input.activationDeadline != null && onHold) user.activationDeadline = input.activationDeadline;
  }

  async #body(request: Request, mode: 'create' | 'modify'): Promise<UserInput | Response> {
    const parsed = await readJsonBody(request);
    if (!parsed.ok) return pyJson({ detail: { [String(parsed.offset)]: 'JSON decode error' } }, 422);
    if (parsed.value === undefined) return pyJson({ detail: { body: 'Field required' } }, 422);
    const validated = validateUser(parsed.value, mode);
    return validated.ok ? validated.input : pyJson({ detail: validated.errors }, 422);
  }

  async #create(request: Request): Promise<Response> {
    const input = await this.#body(request, 'create');
    if (input instanceof Response) return input;
    const key = input.key ?? randomBytes(16).toString('hex');
    if (this.users.has(input.username) || this.#keys.has(key)) return pyJson({ detail: 'User already exists' }, 409);
    const user = this.#blank(input.username, this.admin(), this.now(), key, this.#keptServices(input.serviceIds ?? []));
    this.#applyExpiry(user, input);
    user.dataLimit = input.dataLimit || null;
    user.note = input.note ?? null;
    user.resetStrategy = input.resetStrategy ?? 'no_reset';
    this.users.set(user.username, user);
    this.#byName = null;
    return this.#user(user);
  }

  async #modify(request: Request, user: MarzneshinSimUser): Promise<Response> {
    const input = await this.#body(request, 'modify');
    if (input instanceof Response) return input;
    const wasActive = isActive(user, this.now());
    this.#applyExpiry(user, input);
    if (input.dataLimit != null) user.dataLimit = input.dataLimit || null;
    if (input.note != null) user.note = input.note || null;
    if (input.resetStrategy !== undefined) user.resetStrategy = input.resetStrategy;
    if (input.serviceIds !== undefined) user.serviceIds = this.#keptServices(input.serviceIds);
    user.editAt = this.now();
    if (wasActive !== isActive(user, this.now())) user.activated = isActive(user, this.now());
    return this.#user(user);
  }

  #remove(user: MarzneshinSimUser): Response {
    this.users.delete(user.username);
    this.#byName = null;
    user.removed = true;
    user.activated = false;
    this.#removed.push(user);
    return pyJson({});
  }

  #toggle(user: MarzneshinSimUser, enabled: boolean): Response {
    if (user.enabled === enabled) return pyJson({ detail: enabled ? 'User is already enabled' : 'User is not enabled' }, 409);
    user.enabled = enabled;
    user.activated = enabled ? isActive(user, this.now()) : false;
    return this.#user(user);
  }

  #list(request: Request): Response {
    this.#byName ??= [...this.users.values()].sort((a, b) => (a.username < b.username ? -1 : 1));
    const visible = this.#byName.filter((u) => this.#access.isSudo || u.owner === this.admin());
    const listed = listUsers(new URL(request.url), visible, { nowMs: this.now(), isSudo: this.#access.isSudo, admins: this.#admins });
    if (listed instanceof Response) return listed;
    // Only the page's users are serialised: a benchmark's panel holds many.
    return this.#paged(request, listed, (u) => userBody(this.#wire(u), u));
  }

  #user(user: MarzneshinSimUser): Response {
    return pyJson(userBody(this.#wire(user), user));
  }

  async #proxies(user: MarzneshinSimUser): Promise<SimProxy[]> {
    const inboundIds = new Set(this.services.filter((s) => user.serviceIds.includes(s.id)).flatMap((s) => s.inbound_ids));
    return userProxies(
      user.username,
      user.key,
      this.inbounds.filter((inbound) => inboundIds.has(inbound.id)),
      SERVER_HOST,
    );
  }

  #series(user: MarzneshinSimUser): [number, number][] {
    return [...(this.#usage.get(user.id) ?? new Map<number, number>()).entries()].sort(([a], [b]) => a - b);
  }

  #wire(user: MarzneshinSimUser): WireContext {
    // The owner's prefix when it has one (only the logged-in admin is modelled with a prefix), else the panel's.
    const own = user.owner === this.admin() ? this.#access.subscriptionUrlPrefix : '';
    return { nowMs: this.now(), subscriptionPrefix: own || (this.#options.subscriptionPrefix ?? '') };
  }
}

/** A Marzneshin panel in memory, speaking its HTTP API, for adapter tests and demos. Serve it with `mswHandler` or `serveOnLocalhost`. */
export function createMarzneshinSimulator(options: MarzneshinSimulatorOptions = {}): MarzneshinSimulator {
  return new MarzneshinSimulator(options);
}
