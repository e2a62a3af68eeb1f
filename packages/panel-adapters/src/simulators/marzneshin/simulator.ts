/**
 * A stateful Marzneshin speaking its real HTTP API (`marzneshin/marzneshin@d3b25e23`): bearer-token
 * login at `/api/admins/token`, `/api/users…` with `expire_strategy`, services, separate
 * enable/disable routes (409 in the same state), `page/size ≤ 100` pages, soft delete, and the
 * custom 422 body. `enforce()` is the panel's review task.
 */
import { randomBytes } from 'node:crypto';
import type { PanelTestControls } from '@panelkit/sdk/testing';
import { TokenPanelSimulator, type TokenPanelSimulatorOptions } from '../marzban-family/token-panel-simulator.js';
import { MARZNESHIN_DEFAULT_SERVICES, type MarzneshinSimService, type MarzneshinSimUser } from './state.js';
import { shareLinks, userBody, validateUser, type WireContext } from './wire.js';
import { SimulatorBase, json, readForm, readJsonBody } from '../harness/index.js';

export interface MarzneshinSimulatorOptions extends TokenPanelSimulatorOptions {
  readonly services?: readonly MarzneshinSimService[];
  /** `SUBSCRIPTION_URL_PREFIX`; default `''` (relative URLs). */
  readonly subscriptionPrefix?: string;
}

const SERVER_HOST = '203.0.113.20';

export class MarzneshinSimulator extends TokenPanelSimulator<MarzneshinSimUser> implements PanelTestControls {
  readonly services: readonly MarzneshinSimService[];
  /** Soft-deleted users (live ones are in `users`). */
  readonly #removed: MarzneshinSimUser[] = [];
  readonly #options: MarzneshinSimulatorOptions;
  #nextId = 1;
  /** `users.key` is unique over every row, removed ones included. */
  readonly #keys = new Set<string>();
  #sortedByName: MarzneshinSimUser[] | null = null;

  constructor(options: MarzneshinSimulatorOptions = {}) {
    super('Marzneshin', options);
    this.#options = options;
    this.services = options.services ?? MARZNESHIN_DEFAULT_SERVICES;
    this.#routes();
  }

  /** Soft-deleted rows (kept in the database with `removed = true`). */
  get removedCount(): number {
    return this.#removed.length;
  }

  /** The review task: start-on-first-use users seen online (or past their deadline) get a fixed date. */
  enforce(): void {
    const now = this.now();
    for (const user of this.users.values()) {
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
    const now = this.now();
    const keys = randomBytes(16 * count).toString('hex');
    const service = [this.services[0]?.id ?? 1];
    for (let i = 0; i < count; i++) {
      const username = `${prefix}${i}`;
      const key = keys.slice(i * 32, i * 32 + 32);
      this.#keys.add(key);
      this.users.set(username, this.#blank(username, now + i, key, [...service]));
    }
    this.#sortedByName = null;
  }

  protected isSessionRequest(_request: Request, path: string): boolean {
    return path === '/api/admins/token';
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
    const r = this.router;
    const user = (handler: (request: Request, u: MarzneshinSimUser) => Response | Promise<Response>) => (request: Request, p: Record<string, string>) =>
      this.authed(request, () => {
        const found = this.users.get(p.username!);
        return found ? handler(request, found) : json({ detail: 'User not found' }, 404);
      });
    r.on('POST', '/api/admins/token', (request) => this.#login(request));
    r.on('GET', '/api/admins/current', (request) =>
      this.authed(request, () => json({ id: 1, username: this.admin(), is_sudo: true, enabled: true, all_services_access: true, modify_users_access: true, service_ids: this.services.map((s) => s.id), subscription_url_prefix: this.#options.subscriptionPrefix ?? '' })),
    );
    r.on('GET', '/api/services', (request) => this.authed(request, () => this.#page(request, this.services.map((s) => ({ ...s, user_ids: this.#members(s.id) })))));
    r.on('POST', '/api/users', (request) => this.authed(request, () => this.#create(request)));
    r.on('GET', '/api/users', (request) => this.authed(request, () => this.#list(request)));
    r.on('GET', '/api/users/:username', user((_request, u) => json(userBody(this.#wire(), u))));
    r.on('PUT', '/api/users/:username', user((request, u) => this.#modify(request, u)));
    r.on('DELETE', '/api/users/:username', user((_request, u) => {
      this.users.delete(u.username);
      u.removed = true;
      this.#removed.push(u);
      this.#sortedByName = null;
      return json({});
    }));
    r.on('POST', '/api/users/:username/enable', user((_request, u) => this.#toggle(u, true)));
    r.on('POST', '/api/users/:username/disable', user((_request, u) => this.#toggle(u, false)));
    r.on('POST', '/api/users/:username/reset', user((_request, u) => {
      u.usedTraffic = 0;
      return json(userBody(this.#wire(), u));
    }));
    r.on('GET', '/sub/:username/:key/links', (_request, p) => {
      const u = this.users.get(p.username!);
      if (!u || u.key !== p.key || !/^[0-9a-f]+$/.test(p.key!)) return json({ detail: 'Not Found' }, 404);
      return new Response(shareLinks(u, SERVER_HOST).join('\n'), { status: 200, headers: { 'content-type': 'text/plain' } });
    });
  }

  #members(serviceId: number): number[] {
    return [...this.users.values()].filter((u) => u.serviceIds.includes(serviceId)).map((u) => u.id);
  }

  async #login(request: Request): Promise<Response> {
    const form = await readForm(request);
    if (form.username === undefined || form.password === undefined) return json({ detail: { [form.username === undefined ? 'username' : 'password']: 'Field required' } }, 422);
    const token = this.issueToken(form.username, form.password);
    return typeof token === 'string' ? json({ access_token: token, is_sudo: true, token_type: 'bearer' }) : token;
  }

  #blank(username: string, now: number, key: string, serviceIds: number[]): MarzneshinSimUser {
    return {
      id: this.#nextId++, username, expireStrategy: 'never', expireDate: null, usageDuration: null, activationDeadline: null, key,
      dataLimit: null, resetStrategy: 'no_reset', note: null, onlineAt: null, enabled: true, usedTraffic: 0, lifetimeUsedTraffic: 0,
      createdAt: now, editAt: null, serviceIds, removed: false,
    };
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
    const { errors, strategy } = validateUser(body, 'create');
    if (Object.keys(errors).length > 0) return json({ detail: errors }, 422);
    const username = String(body.username).toLowerCase();
    const key = typeof body.key === 'string' ? body.key : randomBytes(16).toString('hex');
    if (this.users.has(username) || this.#keys.has(key)) return json({ detail: 'User already exists' }, 409);
    this.#keys.add(key);
    // Unknown service ids are dropped silently.
    const serviceIds = (Array.isArray(body.service_ids) ? body.service_ids.map(Number) : []).filter((id) => this.services.some((s) => s.id === id));
    const user = this.#blank(username, this.now(), key, serviceIds);
    this.#applyExpiry(user, body, strategy);
    if (typeof body.data_limit === 'number') user.dataLimit = body.data_limit || null;
    if (typeof body.note === 'string') user.note = body.note;
    if (typeof body.data_limit_reset_strategy === 'string') user.resetStrategy = body.data_limit_reset_strategy;
    this.users.set(username, user);
    this.#sortedByName = null;
    return json(userBody(this.#wire(), user));
  }

  async #modify(request: Request, user: MarzneshinSimUser): Promise<Response> {
    const parsed = await readJsonBody(request);
    if (!parsed.ok) return json({ detail: { [String(parsed.offset)]: 'JSON decode error' } }, 422);
    const body = (parsed.value ?? {}) as Record<string, unknown>;
    const { errors, strategy } = validateUser(body, 'modify');
    if (Object.keys(errors).length > 0) return json({ detail: errors }, 422);
    this.#applyExpiry(user, body, strategy);
    if (typeof body.data_limit === 'number') user.dataLimit = body.data_limit || null;
    if (typeof body.note === 'string') user.note = body.note || null;
    if (Array.isArray(body.service_ids)) user.serviceIds = body.service_ids.map(Number).filter((id) => this.services.some((s) => s.id === id));
    user.editAt = this.now();
    return json(userBody(this.#wire(), user));
  }

  #toggle(user: MarzneshinSimUser, enabled: boolean): Response {
    if (user.enabled === enabled) return json({ detail: enabled ? 'User is already enabled' : 'User is not enabled' }, 409);
    user.enabled = enabled;
    return json(userBody(this.#wire(), user));
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
    if (order === 'username') users = this.#sortedByName ??= [...this.users.values()].sort((a, b) => (a.username < b.username ? -1 : 1));
    else {
      users = [...this.users.values()];
      if (order === 'created_at') users.sort((a, b) => a.createdAt - b.createdAt);
      else if (order) users.sort((a, b) => Number((a as unknown as Record<string, unknown>)[order] ?? 0) - Number((b as unknown as Record<string, unknown>)[order] ?? 0));
    }
    if (query.get('descending') === 'true') users = [...users].reverse();
    const names = query.getAll('username');
    if (names.length === 1) users = users.filter((u) => u.username.includes(names[0]!.toLowerCase()));
    else if (names.length > 1) users = users.filter((u) => names.includes(u.username));
    const size = Number(query.get('size') ?? 50);
    const page = Number(query.get('page') ?? 1);
    if (!Number.isInteger(size) || !Number.isInteger(page) || size > 100 || size < 1 || page < 1) return this.#page(request, []);
    const wire = this.#wire();
    const items = users.slice((page - 1) * size, page * size).map((u) => userBody(wire, u));
    return json({ items, total: users.length, page, size, pages: Math.ceil(users.length / size), links: { first: null, last: null, self: null, next: null, prev: null } });
  }

  #wire(): WireContext {
    return { nowMs: this.now(), admin: this.admin(), subscriptionPrefix: this.#options.subscriptionPrefix ?? '' };
  }
}

export function createMarzneshinSimulator(options: MarzneshinSimulatorOptions = {}): MarzneshinSimulator {
  return new MarzneshinSimulator(options);
}
