/**
 * A stateful Marzban (0.8.4 by default, or 0.7) speaking its real HTTP API: bearer-token login,
 * `/api/user…` routes, the custom 422 body, 409 on duplicates, statuses driven by `enforce()` (the
 * panel's review job), and the documented quirks as switches.
 */
import type { PanelTestControls } from '@panelkit/sdk/testing';
import { type SimulatorBase, json as jsonUtf8, readForm, readJsonBody } from '../harness/index.js';
import { TokenPanelSimulator, type TokenPanelSimulatorOptions } from '../marzban-family/token-panel-simulator.js';
import type { RandomPick } from './links.js';
import { DEFAULT_INBOUNDS, SIM_PROTOCOLS, newCredential, type SimInbound, type SimProtocol, type SimUser } from './state.js';
import { subscriptionResponse } from './subscription.js';
import { validateUserBody } from './validate.js';
import { applyFields, review, selectInbounds, updateUser } from './rules.js';
import { STABLE_SORT_KEYS, sortUsers, userBody, type WireContext } from './wire.js';

/** Options of `createMarzbanSimulator`: version, admin, inbounds, subscription URL prefix. */
export interface MarzbanSimulatorOptions extends TokenPanelSimulatorOptions {
  /** `0.8.4` (default) or `0.7.0`: changes error texts and what an omitted `proxies`/`inbounds` does. */
  readonly version?: '0.8.4' | '0.7.0';
  /** The admin logs in as the env sudoer: its users have no admin row (delete answers 500). */
  readonly envSudoer?: boolean;
  readonly inbounds?: readonly SimInbound[];
  /** `XRAY_SUBSCRIPTION_URL_PREFIX`; default `''` (relative subscription URLs). */
  readonly subscriptionPrefix?: string;
  /** Whether the admin is a sudo admin (`GET /api/admin` reports it as it is). Default true. */
  readonly adminIsSudo?: boolean;
  /** Picks among equivalent link values per read (default `Math.random`); pin it to make links repeat. */
  readonly random?: RandomPick;
}

/** FastAPI's JSON answers: `application/json`, no charset (§9.7). */
function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return jsonUtf8(body, status, { 'content-type': 'application/json', ...headers });
}

/** Switchable panel behaviours (each one a documented Marzban quirk). */
export interface MarzbanQuirks {
  /** The next creates commit, then answer 500 (a report or response build failing after commit). */
  createCommitThen500: boolean;
  /** Deletes commit, then answer 500 (§1.8.1; always on for users without an admin row). */
  deleteCommitThen500: boolean;
  /** `POST …/reset` sets every status but `expired` to `active` (issue #1672; true in 0.7 and 0.8.4). */
  resetReactivates: boolean;
}

const SERVER_HOST = '203.0.113.10';
const SECRET = 'simulator-subscription-secret';

/**
 * A Marzban panel (0.8.4 or 0.7.0) in memory (create it with `createMarzbanSimulator`): admin login,
 * inbounds as targets, `/api/user` routes with the panel's answers and quirks, and signed subscriptions.
 */
export class MarzbanSimulator extends TokenPanelSimulator<SimUser> implements PanelTestControls {
  readonly version: '0.8.4' | '0.7.0';
  readonly quirks: MarzbanQuirks;
  readonly inbounds: readonly SimInbound[];
  readonly #options: MarzbanSimulatorOptions;
  #reports = 0;
  #sorted = new Map<string, SimUser[]>();

  constructor(options: MarzbanSimulatorOptions = {}) {
    super('Marzban', options);
    this.#options = options;
    this.version = options.version ?? '0.8.4';
    this.inbounds = options.inbounds ?? DEFAULT_INBOUNDS;
    this.quirks = { createCommitThen500: false, deleteCommitThen500: false, resetReactivates: true };
    this.#routes();
  }

  get #v2(): boolean {
    return this.version.startsWith('0.8');
  }

  /** A migrated database matches usernames case-sensitively: `Alice` and `alice` are two users (§9.1). */
  protected override keyOf(username: string): string {
    return username;
  }

  // ------------------------------------------------------------------ controls

  /** Login attempts reported to the owner's Telegram (every attempt that carried a password). */
  telegramReports(): number {
    return this.#reports;
  }

  get userCount(): number {
    return this.users.size;
  }

  /** The panel's review job (`jobs/review_users.py`): limits, expiry and on-hold activation. */
  enforce(): void {
    review(this.users.values(), this.now());
  }

  /** Adds `count` users quickly (for benchmarks): `${prefix}${i}`, vless on every vless inbound. */
  seedUsers(count: number, prefix = 'seed_'): void {
    const now = this.now();
    const tags = this.inbounds.filter((inbound) => inbound.protocol === 'vless').map((inbound) => inbound.tag);
    for (let i = 0; i < count; i++) {
      const username = `${prefix}${i}`;
      this.users.set(this.keyOf(username), this.#blankUser(username, now + i, { vless: newCredential('vless') }, { vless: tags }));
    }
    this.#sorted.clear();
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

  /** Marzban's "outcome unknown": the write was committed, then the handler failed with a plain 500. */
  protected override lostResponse(): Response {
    return internalError();
  }

  /** The shared answers (404, 405, 401 of the token checks) carry a charset; FastAPI's do not. */
  protected override async route(request: Request, path: string | null): Promise<Response> {
    const response = await super.route(request, path);
    if (response.headers.get('content-type') !== 'application/json; charset=utf-8') return response;
    const headers = new Headers(response.headers);
    headers.set('content-type', 'application/json');
    return new Response(response.body, { status: response.status, headers });
  }

  // ------------------------------------------------------------------ routes

  #routes(): void {
    const r = this.router;
    r.on('GET', '/openapi.json', () => json({ openapi: '3.1.0', info: { title: 'MarzbanAPI', version: this.version }, paths: {} }));
    r.on('POST', '/api/admin/token', (request) => this.#login(request));
    r.on('GET', '/api/admin', (request) => this.authed(request, () => json(this.#adminObject(this.admin()))));
    r.on('GET', '/api/core', (request) =>
      this.authed(request, () => json({ version: '1.8.24', started: true, logs_websocket: '/api/core/logs' })),
    );
    r.on('GET', '/api/inbounds', (request) => this.authed(request, () => json(this.#inboundsByProtocol())));
    r.on('POST', '/api/user', (request) => this.authed(request, () => this.#create(request)));
    r.on('GET', '/api/user/:username', (request, p) =>
      this.authed(request, () => this.#withUser(p.username!, (u) => this.#userResponse(u))),
    );
    r.on('PUT', '/api/user/:username', (request, p) =>
      this.authed(request, () => this.#withUser(p.username!, (u) => this.#modify(request, u))),
    );
    r.on('DELETE', '/api/user/:username', (request, p) => this.authed(request, () => this.#withUser(p.username!, (u) => this.#delete(u))));
    r.on('POST', '/api/user/:username/reset', (request, p) =>
      this.authed(request, () => this.#withUser(p.username!, (u) => this.#reset(u))),
    );
    r.on('POST', '/api/user/:username/revoke_sub', (request, p) =>
      this.authed(request, () =>
        this.#withUser(p.username!, (u) => {
          for (const protocol of SIM_PROTOCOLS) if (u.proxies[protocol]) u.proxies[protocol] = newCredential(protocol);
          return this.#userResponse(u);
        }),
      ),
    );
    r.on('GET', '/api/users', (request) => this.authed(request, () => this.#list(request)));
    r.on('GET', '/sub/:token', (request, p) => this.#subscription(request, p.token!, false));
    r.on('GET', '/sub/:token/info', (request, p) => this.#subscription(request, p.token!, true));
  }

  /** `OAuth2PasswordRequestForm`: a JSON body is no form, so both fields are missing (§9.4). */
  async #login(request: Request): Promise<Response> {
    const form = await readForm(request);
    const missing = (['username', 'password'] as const).filter((field) => form[field] === undefined);
    if (missing.length > 0) {
      return json({ detail: Object.fromEntries(missing.map((field) => [field, this.#v2 ? 'Field required' : 'field required'])) }, 422);
    }
    this.#reports++;
    const token = this.issueToken(form.username ?? '', form.password ?? '');
    return typeof token === 'string' ? json({ access_token: token, token_type: 'bearer' }) : token;
  }

  async #withUser(username: string, handler: (user: SimUser) => Response | Promise<Response>): Promise<Response> {
    const user = this.users.get(this.keyOf(username));
    if (!user) return json({ detail: 'User not found' }, 404);
    return handler(user);
  }

  #inboundsByProtocol(): Record<string, unknown[]> {
    const out: Record<string, unknown[]> = {};
    for (const inbound of this.inbounds) (out[inbound.protocol] ??= []).push({ ...inbound });
    return out;
  }

  #blankUser(username: string, now: number, proxies: SimUser['proxies'], inbounds: SimUser['inbounds']): SimUser {
    return {
      username,
      status: 'active',
      proxies,
      inbounds,
      expire: null,
      dataLimit: null,
      resetStrategy: 'no_reset',
      note: null,
      onHoldExpireDuration: null,
      onHoldTimeout: null,
      nextPlan: null,
      usedTraffic: 0,
      lifetimeUsedTraffic: 0,
      createdAt: now,
      editAt: null,
      onlineAt: null,
      subUpdatedAt: null,
      admin: this.#options.envSudoer ? null : this.admin(),
      broken: false,
    };
  }

  async #create(request: Request): Promise<Response> {
    const parsed = await readJsonBody(request);
    if (!parsed.ok) return json({ detail: { [String(parsed.offset)]: 'JSON decode error' } }, 422);
    const body = (parsed.value ?? {}) as Record<string, unknown>;
    const { errors, value } = validateUserBody(body, 'create', this.#v2, this.inbounds);
    const proxiesOmitted = body.proxies === undefined;
    if (proxiesOmitted && !this.#v2) errors.proxies = 'Each user needs at least one proxy';
    if (Object.keys(errors).length > 0) return json({ detail: errors }, 422);
    for (const protocol of Object.keys(value.proxies ?? {})) {
      if (!this.inbounds.some((inbound) => inbound.protocol === protocol)) {
        const name = this.#v2
          ? `ProxyTypes.${protocol === 'vmess' ? 'VMess' : protocol === 'vless' ? 'VLESS' : protocol === 'trojan' ? 'Trojan' : 'Shadowsocks'}`
          : protocol;
        return json({ detail: `Protocol ${name} is disabled on your server` }, 400);
      }
    }
    const username = value.username!;
    if (this.users.has(this.keyOf(username))) return json({ detail: 'User already exists' }, 409);
    // `next_plans.data_limit` is NOT NULL: the IntegrityError is reported as a duplicate (§9.3).
    if (this.#v2 && value.next_plan && (value.next_plan.data_limit === null || value.next_plan.data_limit === undefined)) {
      return json({ detail: 'User already exists' }, 409);
    }
    const proxies: SimUser['proxies'] = {};
    for (const [protocol, settings] of Object.entries(value.proxies ?? {}))
      proxies[protocol as SimProtocol] = newCredential(protocol as SimProtocol, settings);
    const user = this.#blankUser(username, this.now(), proxies, selectInbounds(this.inbounds, proxies, value.inbounds, this.#v2));
    applyFields(user, value);
    if (value.status) user.status = value.status as SimUser['status'];
    if (this.#v2 && value.next_plan) {
      const plan = value.next_plan;
      user.nextPlan = {
        data_limit: plan.data_limit,
        expire: plan.expire ?? null,
        add_remaining_traffic: plan.add_remaining_traffic ?? false,
        fire_on_either: plan.fire_on_either ?? true,
      };
    }
    user.editAt = null;
    this.users.set(this.keyOf(username), user);
    this.#sorted.clear();
    if (proxiesOmitted) {
      // 0.8: the validator is skipped, the row is committed with no proxies, the response build fails.
      user.broken = true;
      return internalError();
    }
    if (this.quirks.createCommitThen500) return internalError();
    return this.#userResponse(user);
  }

  async #modify(request: Request, user: SimUser): Promise<Response> {
    const parsed = await readJsonBody(request);
    if (!parsed.ok) return json({ detail: { [String(parsed.offset)]: 'JSON decode error' } }, 422);
    const { errors, value } = validateUserBody((parsed.value ?? {}) as Record<string, unknown>, 'modify', this.#v2, this.inbounds);
    if (Object.keys(errors).length > 0) return json({ detail: errors }, 422);
    updateUser(user, value, this.inbounds, this.now());
    user.editAt = this.now();
    return this.#userResponse(user);
  }

  #delete(user: SimUser): Response {
    this.users.delete(this.keyOf(user.username));
    this.#sorted.clear();
    if (this.quirks.deleteCommitThen500 || user.admin === null) return internalError();
    return json({ detail: 'User successfully deleted' });
  }

  #reset(user: SimUser): Response {
    user.usedTraffic = 0;
    // `status not in (expired or disabled)` is a substring test on "expired" (issue #1672).
    if (this.quirks.resetReactivates ? user.status !== 'expired' : user.status === 'limited') user.status = 'active';
    user.nextPlan = null;
    return this.#userResponse(user);
  }

  #list(request: Request): Response {
    const query = new URL(request.url).searchParams;
    const sortText = query.get('sort');
    const keys: string[] = [];
    if (sortText !== null) {
      for (const option of sortText.replace(/^,+|,+$/g, '').split(',')) {
        if (!['username', 'used_traffic', 'data_limit', 'expire', 'created_at'].includes(option.replace(/^-/, ''))) {
          return json({ detail: `"${option}" is not a valid sort option` }, 400);
        }
        keys.push(option);
      }
    }
    let users = this.#sortedUsers(keys);
    const names = query.getAll('username');
    if (names.length > 0) users = users.filter((user) => names.includes(user.username));
    const search = query.get('search')?.toLowerCase();
    if (search)
      users = users.filter((user) => user.username.toLowerCase().includes(search) || (user.note ?? '').toLowerCase().includes(search));
    const status = query.get('status');
    if (status) users = users.filter((user) => user.status === status);
    // A negative offset acts as 0, and `limit=0` (like no limit) returns every user (§9.5).
    const offset = Math.max(0, Number(query.get('offset') ?? 0) || 0);
    const limit = Number(query.get('limit') ?? 0) || 0;
    const page = limit <= 0 ? users.slice(offset) : users.slice(offset, offset + limit);
    if (page.some((user) => user.broken)) return internalError();
    const wire = this.#wire();
    return json({ users: page.map((user) => userBody(user, wire)), total: users.length });
  }

  #sortedUsers(keys: string[]): SimUser[] {
    const cacheKey = keys.join(',');
    const cacheable = keys.every((key) => STABLE_SORT_KEYS.includes(key));
    const cached = cacheable ? this.#sorted.get(cacheKey) : undefined;
    if (cached) return cached;
    const sorted = sortUsers([...this.users.values()], keys);
    if (cacheable) this.#sorted.set(cacheKey, sorted);
    return sorted;
  }

  /** What the wire shapes need from the panel's configuration. */
  #wire(): WireContext {
    return {
      inbounds: this.inbounds,
      v2: this.#v2,
      nowMs: this.now(),
      host: SERVER_HOST,
      secret: SECRET,
      subscriptionPrefix: this.#options.subscriptionPrefix ?? '',
      random: this.#random,
      adminObject: (username) => this.#adminObject(username),
    };
  }

  /**
   * `Admin` as 0.8 serialises it: `is_sudo` as configured; `users_usage` the traffic of the admin's
   * users, `null` for the env sudoer (no admin row). 0.7 has no `users_usage`.
   */
  #adminObject(username: string): Record<string, unknown> {
    const isSudo = this.#options.envSudoer === true || this.#options.adminIsSudo !== false;
    let usage: number | null = null;
    if (!this.#options.envSudoer) {
      usage = 0;
      for (const user of this.users.values()) if (user.admin === username) usage += user.lifetimeUsedTraffic;
    }
    return { username, is_sudo: isSudo, telegram_id: null, discord_webhook: null, ...(this.#v2 ? { users_usage: usage } : {}) };
  }

  get #random(): RandomPick {
    return this.#options.random ?? Math.random;
  }

  #subscription(request: Request, token: string, info: boolean): Response {
    return subscriptionResponse(request, token, info, {
      users: this.users,
      keyOf: (username) => this.keyOf(username),
      secret: SECRET,
      inbounds: this.inbounds,
      serverIp: SERVER_HOST,
      random: this.#random,
      nowMs: this.now(),
      wire: () => this.#wire(),
    });
  }

  #userResponse(user: SimUser): Response {
    if (user.broken) return internalError();
    return json(userBody(user, this.#wire()));
  }
}

function internalError(): Response {
  return new Response('Internal Server Error', { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/**
 * A Marzban panel in memory, speaking its HTTP API (0.8.4 or 0.7.0) with its quirks, for adapter tests
 * and demos. Serve it with `mswHandler` or `serveOnLocalhost`.
 */
export function createMarzbanSimulator(options: MarzbanSimulatorOptions = {}): MarzbanSimulator {
  return new MarzbanSimulator(options);
}
