/**
 * A stateful Marzneshin speaking its real HTTP API (`marzneshin/marzneshin@d3b25e23`): bearer-token
 * login at `/api/admins/token`, `/api/users…` with `expire_strategy`, services, separate
 * enable/disable routes (409 in the same state), `page/size ≤ 100` pages, soft delete, and the
 * custom 422 body. `enforce()` is the panel's review task.
 */
import { randomBytes } from 'node:crypto';
import type { PanelTestControls } from '@panelkit/sdk/testing';
import { Router, SimulatorBase, json, readForm, readJsonBody, type SimulatorBaseOptions } from '../harness/index.js';

export interface MarzneshinSimService {
  id: number;
  name: string;
  inbound_ids: number[];
}

export interface MarzneshinSimUser {
  id: number;
  username: string;
  expireStrategy: 'never' | 'fixed_date' | 'start_on_first_use';
  expireDate: number | null;
  usageDuration: number | null;
  activationDeadline: number | null;
  key: string;
  dataLimit: number | null;
  resetStrategy: string;
  note: string | null;
  onlineAt: number | null;
  enabled: boolean;
  usedTraffic: number;
  lifetimeUsedTraffic: number;
  createdAt: number;
  editAt: number | null;
  serviceIds: number[];
  removed: boolean;
}

export interface MarzneshinSimulatorOptions extends SimulatorBaseOptions {
  readonly adminUsername?: string;
  readonly adminPassword?: string;
  readonly services?: readonly MarzneshinSimService[];
  /** `SUBSCRIPTION_URL_PREFIX`; default `''` (relative URLs). */
  readonly subscriptionPrefix?: string;
  readonly tokenLifetimeMs?: number;
}

export const MARZNESHIN_DEFAULT_SERVICES: readonly MarzneshinSimService[] = [
  { id: 1, name: 'Standard', inbound_ids: [1, 2] },
  { id: 3, name: 'Premium-EU', inbound_ids: [1, 2, 5] },
];

const USERNAME_RE = /^\w{3,32}$/u;
const STRATEGIES = ['never', 'fixed_date', 'start_on_first_use'];
const SERVER_HOST = '203.0.113.20';

export class MarzneshinSimulator extends SimulatorBase implements PanelTestControls {
  readonly services: readonly MarzneshinSimService[];
  /** Live users by lower-case name; soft-deleted ones move to `removed`. */
  readonly #users = new Map<string, MarzneshinSimUser>();
  readonly #removed: MarzneshinSimUser[] = [];
  readonly #tokens = new Map<string, { generation: number; expiresAt: number }>();
  readonly #router = new Router<undefined>();
  readonly #options: MarzneshinSimulatorOptions;
  #generation = 0;
  #logins = 0;
  #nextId = 1;
  /** `users.key` is unique over every row, removed ones included. */
  readonly #keys = new Set<string>();
  #sortedByName: MarzneshinSimUser[] | null = null;

  constructor(options: MarzneshinSimulatorOptions = {}) {
    super(options);
    this.#options = options;
    this.services = options.services ?? MARZNESHIN_DEFAULT_SERVICES;
    this.#routes();
  }

  #now(): number {
    return this.clock.now().getTime();
  }

  async addTraffic(username: string, uploadBytes: number, downloadBytes: number): Promise<void> {
    const user = this.#require(username);
    user.usedTraffic += uploadBytes + downloadBytes;
    user.lifetimeUsedTraffic += uploadBytes + downloadBytes;
    user.onlineAt = this.#now();
  }

  setOnline(username: string): void {
    this.#require(username).onlineAt = this.#now();
  }

  expireSession(): void {
    this.#generation++;
  }

  async countClients(username: string): Promise<number> {
    return this.#users.has(username.toLowerCase()) ? 1 : 0;
  }

  loginCount(): number {
    return this.#logins;
  }

  user(username: string): MarzneshinSimUser | undefined {
    return this.#users.get(username.toLowerCase());
  }

  /** Soft-deleted rows (kept in the database with `removed = true`). */
  get removedCount(): number {
    return this.#removed.length;
  }

  /** The review task: start-on-first-use users seen online (or past their deadline) get a fixed date. */
  enforce(): void {
    const now = this.#now();
    for (const user of this.#users.values()) {
      if (user.expireStrategy !== 'start_on_first_use' || !user.enabled) continue;
      const base = user.editAt ?? user.createdAt;
      if ((user.onlineAt !== null && user.onlineAt >= base) || (user.activationDeadline !== null && user.activationDeadline <= now)) {
        user.expireStrategy = 'fixed_date';
        user.expireDate = now + (user.usageDuration ?? 0) * 1000;
        user.usageDuration = null;
        user.activationDeadline = null;
      }
    }
  }

  seedUsers(count: number, prefix = 'seed_'): void {
    const now = this.#now();
    const keys = randomBytes(16 * count).toString('hex');
    const service = [this.services[0]?.id ?? 1];
    for (let i = 0; i < count; i++) {
      const username = `${prefix}${i}`;
      const key = keys.slice(i * 32, i * 32 + 32);
      this.#keys.add(key);
      this.#users.set(username, this.#blank(username, now + i, key, [...service]));
    }
    this.#sortedByName = null;
  }

  protected routePath(request: Request): string | null {
    return new URL(request.url).pathname.replace(/\/+$/, '') || '/';
  }

  protected isSessionRequest(_request: Request, path: string): boolean {
    return path === '/api/admins/token';
  }

  protected async route(request: Request, path: string | null): Promise<Response> {
    const found = this.#router.find(request.method, path ?? '/');
    if ('handler' in found) return found.handler(request, found.params, undefined);
    return json({ detail: found.methodMismatch ? 'Method Not Allowed' : 'Not Found' }, found.methodMismatch ? 405 : 404);
  }

  protected override faultResponse(...args: Parameters<SimulatorBase['faultResponse']>): Response {
    const [fault] = args;
    if (fault.kind === 'status' && fault.status < 500) return json({ detail: 'Simulated failure' }, fault.status);
    return super.faultResponse(...args);
  }

  /** The write was applied, then the handler failed: a plain 500. */
  protected override lostResponse(): Response {
    return new Response('Internal Server Error', { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }

  #routes(): void {
    const r = this.#router;
    const user = (handler: (request: Request, u: MarzneshinSimUser) => Response | Promise<Response>) => (request: Request, p: Record<string, string>) =>
      this.#authed(request, () => {
        const found = this.#users.get(p.username!);
        return found ? handler(request, found) : json({ detail: 'User not found' }, 404);
      });
    r.on('POST', '/api/admins/token', (request) => this.#login(request));
    r.on('GET', '/api/admins/current', (request) =>
      this.#authed(request, () => json({ id: 1, username: this.#admin(), is_sudo: true, enabled: true, all_services_access: true, modify_users_access: true, service_ids: this.services.map((s) => s.id), subscription_url_prefix: this.#options.subscriptionPrefix ?? '' })),
    );
    r.on('GET', '/api/services', (request) => this.#authed(request, () => this.#page(request, this.services.map((s) => ({ ...s, user_ids: this.#members(s.id) })))));
    r.on('POST', '/api/users', (request) => this.#authed(request, () => this.#create(request)));
    r.on('GET', '/api/users', (request) => this.#authed(request, () => this.#list(request)));
    r.on('GET', '/api/users/:username', user((_request, u) => json(this.#body(u))));
    r.on('PUT', '/api/users/:username', user((request, u) => this.#modify(request, u)));
    r.on('DELETE', '/api/users/:username', user((_request, u) => {
      this.#users.delete(u.username);
      u.removed = true;
      this.#removed.push(u);
      this.#sortedByName = null;
      return json({});
    }));
    r.on('POST', '/api/users/:username/enable', user((_request, u) => this.#toggle(u, true)));
    r.on('POST', '/api/users/:username/disable', user((_request, u) => this.#toggle(u, false)));
    r.on('POST', '/api/users/:username/reset', user((_request, u) => {
      u.usedTraffic = 0;
      return json(this.#body(u));
    }));
    r.on('GET', '/sub/:username/:key/links', (_request, p) => {
      const u = this.#users.get(p.username!);
      if (!u || u.key !== p.key || !/^[0-9a-f]+$/.test(p.key!)) return json({ detail: 'Not Found' }, 404);
      return new Response(this.#links(u).join('\n'), { status: 200, headers: { 'content-type': 'text/plain' } });
    });
  }

  #admin(): string {
    return this.#options.adminUsername ?? 'admin';
  }

  #members(serviceId: number): number[] {
    return [...this.#users.values()].filter((u) => u.serviceIds.includes(serviceId)).map((u) => u.id);
  }

  async #login(request: Request): Promise<Response> {
    const form = await readForm(request);
    if (form.username === undefined || form.password === undefined) return json({ detail: { [form.username === undefined ? 'username' : 'password']: 'Field required' } }, 422);
    if (form.username !== this.#admin() || form.password !== (this.#options.adminPassword ?? 'admin')) {
      return json({ detail: 'Incorrect username or password' }, 401, { 'www-authenticate': 'Bearer' });
    }
    this.#logins++;
    const token = randomBytes(24).toString('base64url');
    this.#tokens.set(token, { generation: this.#generation, expiresAt: this.#now() + (this.#options.tokenLifetimeMs ?? 24 * 3_600_000) });
    return json({ access_token: token, is_sudo: true, token_type: 'bearer' });
  }

  async #authed(request: Request, handler: () => Response | Promise<Response>): Promise<Response> {
    const header = request.headers.get('authorization') ?? '';
    if (!header.toLowerCase().startsWith('bearer ')) return json({ detail: 'Not authenticated' }, 401, { 'www-authenticate': 'Bearer' });
    const token = this.#tokens.get(header.slice(7).trim());
    if (!token || token.generation !== this.#generation || token.expiresAt <= this.#now()) {
      return json({ detail: 'Could not validate credentials' }, 401, { 'www-authenticate': 'Bearer' });
    }
    return handler();
  }

  #blank(username: string, now: number, key: string, serviceIds: number[]): MarzneshinSimUser {
    return {
      id: this.#nextId++, username, expireStrategy: 'never', expireDate: null, usageDuration: null, activationDeadline: null, key,
      dataLimit: null, resetStrategy: 'no_reset', note: null, onlineAt: null, enabled: true, usedTraffic: 0, lifetimeUsedTraffic: 0,
      createdAt: now, editAt: null, serviceIds, removed: false,
    };
  }

  /** `User` model validation; errors keyed by field as the custom handler does (`body` for model errors). */
  #validate(body: Record<string, unknown>, mode: 'create' | 'modify'): { errors: Record<string, string>; strategy?: string } {
    const errors: Record<string, string> = {};
    if (typeof body.username !== 'string') errors.username = 'Field required';
    else if (!USERNAME_RE.test(body.username.toLowerCase())) errors.username = "String should match pattern '^\\w{3,32}$'";
    const strategy = body.expire_strategy as string | undefined | null;
    if (strategy === undefined || strategy === null) {
      if (mode === 'create') errors.expire_strategy = 'Field required';
    } else if (!STRATEGIES.includes(strategy)) errors.expire_strategy = "Input should be 'never', 'fixed_date' or 'start_on_first_use'";
    if (body.data_limit !== undefined && body.data_limit !== null && (typeof body.data_limit !== 'number' || body.data_limit < 0)) errors.data_limit = 'Input should be greater than or equal to 0';
    if (typeof body.note === 'string' && body.note.length > 500) errors.note = 'String should have at most 500 characters';
    for (const field of ['expire_date', 'activation_deadline'] as const) {
      const raw = body[field];
      if (raw !== undefined && raw !== null && (typeof raw !== 'string' || Number.isNaN(Date.parse(raw)))) errors[field] = 'Input should be a valid datetime';
    }
    if (strategy === 'start_on_first_use' && !body.usage_duration) errors.body = 'Value error, User expire_strategy cannot be start_on_first_use without a valid usage_duration.';
    if (strategy === 'fixed_date' && !body.expire_date) errors.body = 'Value error, User expire_strategy cannot be fixed_date without a valid expire date.';
    return strategy ? { errors, strategy } : { errors };
  }

  #applyExpiry(user: MarzneshinSimUser, body: Record<string, unknown>, strategy: string | undefined): void {
    const date = (raw: unknown) => (typeof raw === 'string' ? Date.parse(/Z|[+-]\d\d:?\d\d$/.test(raw) ? raw : `${raw}Z`) : null);
    if (strategy) {
      user.expireStrategy = strategy as MarzneshinSimUser['expireStrategy'];
      user.expireDate = null;
      user.usageDuration = null;
      user.activationDeadline = null;
    }
    if (user.expireStrategy === 'fixed_date' && body.expire_date) user.expireDate = date(body.expire_date);
    if (user.expireStrategy === 'start_on_first_use') {
      if (body.usage_duration) user.usageDuration = Number(body.usage_duration);
      if (body.activation_deadline) user.activationDeadline = date(body.activation_deadline);
    }
  }

  async #create(request: Request): Promise<Response> {
    const parsed = await readJsonBody(request);
    if (!parsed.ok) return json({ detail: { [String(parsed.offset)]: 'JSON decode error' } }, 422);
    const body = (parsed.value ?? {}) as Record<string, unknown>;
    const { errors, strategy } = this.#validate(body, 'create');
    if (Object.keys(errors).length > 0) return json({ detail: errors }, 422);
    const username = String(body.username).toLowerCase();
    const key = typeof body.key === 'string' ? body.key : randomBytes(16).toString('hex');
    if (this.#users.has(username) || this.#keys.has(key)) return json({ detail: 'User already exists' }, 409);
    this.#keys.add(key);
    // Unknown service ids are dropped silently.
    const serviceIds = (Array.isArray(body.service_ids) ? body.service_ids.map(Number) : []).filter((id) => this.services.some((s) => s.id === id));
    const user = this.#blank(username, this.#now(), key, serviceIds);
    this.#applyExpiry(user, body, strategy);
    if (typeof body.data_limit === 'number') user.dataLimit = body.data_limit || null;
    if (typeof body.note === 'string') user.note = body.note;
    if (typeof body.data_limit_reset_strategy === 'string') user.resetStrategy = body.data_limit_reset_strategy;
    this.#users.set(username, user);
    this.#sortedByName = null;
    return json(this.#body(user));
  }

  async #modify(request: Request, user: MarzneshinSimUser): Promise<Response> {
    const parsed = await readJsonBody(request);
    if (!parsed.ok) return json({ detail: { [String(parsed.offset)]: 'JSON decode error' } }, 422);
    const body = (parsed.value ?? {}) as Record<string, unknown>;
    const { errors, strategy } = this.#validate(body, 'modify');
    if (Object.keys(errors).length > 0) return json({ detail: errors }, 422);
    this.#applyExpiry(user, body, strategy);
    if (typeof body.data_limit === 'number') user.dataLimit = body.data_limit || null;
    if (typeof body.note === 'string') user.note = body.note || null;
    if (Array.isArray(body.service_ids)) user.serviceIds = body.service_ids.map(Number).filter((id) => this.services.some((s) => s.id === id));
    user.editAt = this.#now();
    return json(this.#body(user));
  }

  #toggle(user: MarzneshinSimUser, enabled: boolean): Response {
    if (user.enabled === enabled) return json({ detail: enabled ? 'User is already enabled' : 'User is not enabled' }, 409);
    user.enabled = enabled;
    return json(this.#body(user));
  }

  #page(request: Request, all: readonly unknown[]): Response {
    const query = new URL(request.url).searchParams;
    const page = Number(query.get('page') ?? 1);
    const size = Number(query.get('size') ?? 50);
    if (!Number.isInteger(size) || size > 100) return json({ detail: { size: 'Input should be less than or equal to 100' } }, 422);
    if (!Number.isInteger(size) || size < 1) return json({ detail: { size: 'Input should be greater than or equal to 1' } }, 422);
    if (!Number.isInteger(page) || page < 1) return json({ detail: { page: 'Input should be greater than or equal to 1' } }, 422);
    const items = all.slice((page - 1) * size, page * size);
    const pages = Math.ceil(all.length / size);
    return json({ items, total: all.length, page, size, pages, links: { first: null, last: null, self: null, next: null, prev: null } });
  }

  #list(request: Request): Response {
    const query = new URL(request.url).searchParams;
    const order = query.get('order_by');
    if (order !== null && !['username', 'used_traffic', 'data_limit', 'expire_date', 'created_at'].includes(order)) {
      return json({ detail: { order_by: "Input should be 'username', 'used_traffic', 'data_limit', 'expire_date' or 'created_at'" } }, 422);
    }
    let users: MarzneshinSimUser[];
    if (order === 'username') users = this.#sortedByName ??= [...this.#users.values()].sort((a, b) => (a.username < b.username ? -1 : 1));
    else {
      users = [...this.#users.values()];
      if (order === 'created_at') users.sort((a, b) => a.createdAt - b.createdAt);
      else if (order) users.sort((a, b) => Number((a as unknown as Record<string, unknown>)[order] ?? 0) - Number((b as unknown as Record<string, unknown>)[order] ?? 0));
    }
    if (query.get('descending') === 'true') users = [...users].reverse();
    const names = query.getAll('username');
    if (names.length === 1) users = users.filter((u) => u.username.includes(names[0]!.toLowerCase()));
    else if (names.length > 1) users = users.filter((u) => names.includes(u.username));
    const query2 = new URL(request.url).searchParams;
    const size = Number(query2.get('size') ?? 50);
    const page = Number(query2.get('page') ?? 1);
    if (size > 100 || size < 1 || page < 1) return this.#page(request, []);
    const slice = users.slice((page - 1) * size, page * size).map((u) => this.#body(u));
    return json({ items: slice, total: users.length, page, size, pages: Math.ceil(users.length / size), links: { first: null, last: null, self: null, next: null, prev: null } });
  }

  #links(user: MarzneshinSimUser): string[] {
    const remark = encodeURIComponent(user.username);
    return [`vless://${user.key.slice(0, 8)}-${user.key.slice(8, 12)}-${user.key.slice(12, 16)}-${user.key.slice(16, 20)}-${user.key.slice(20, 32)}@${SERVER_HOST}:443?security=reality&type=tcp#${remark}`];
  }

  #body(user: MarzneshinSimUser): Record<string, unknown> {
    const now = this.#now();
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().replace('Z', '').replace(/\.(\d{3})$/, '.$1000'));
    const expired = user.expireStrategy === 'fixed_date' && user.expireDate !== null && user.expireDate < now;
    const limited = user.dataLimit !== null && user.usedTraffic >= user.dataLimit;
    return {
      id: user.id,
      username: user.username,
      expire_strategy: user.expireStrategy,
      expire_date: iso(user.expireDate),
      usage_duration: user.usageDuration,
      activation_deadline: iso(user.activationDeadline),
      key: user.key,
      data_limit: user.dataLimit,
      data_limit_reset_strategy: user.resetStrategy,
      note: user.note,
      sub_updated_at: null,
      sub_last_user_agent: null,
      online_at: iso(user.onlineAt),
      activated: user.enabled && !expired && !limited,
      is_active: user.enabled && !expired && !limited,
      expired,
      data_limit_reached: limited,
      enabled: user.enabled,
      used_traffic: user.usedTraffic,
      lifetime_used_traffic: user.lifetimeUsedTraffic,
      sub_revoked_at: null,
      created_at: iso(user.createdAt),
      service_ids: user.serviceIds,
      subscription_url: `${this.#options.subscriptionPrefix ?? ''}/sub/${user.username}/${user.key}`,
      owner_username: this.#admin(),
      traffic_reset_at: null,
    };
  }

  #require(username: string): MarzneshinSimUser {
    const user = this.#users.get(username.toLowerCase());
    if (!user) throw new Error(`no user ${username} on the simulated Marzneshin`);
    return user;
  }
}

export function createMarzneshinSimulator(options: MarzneshinSimulatorOptions = {}): MarzneshinSimulator {
  return new MarzneshinSimulator(options);
}
