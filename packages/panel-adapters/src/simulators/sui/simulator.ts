/**
 * A stateful S-UI panel (alireza0/s-ui v1.2.0 … v1.5.1) speaking its wire protocol:
 * `{webPath}apiv2/<action>` with the `Token` header (a bad token is HTTP 200
 * `{"success":false,"msg":": invalid token\n"}`), the session API `{webPath}api/<action>` behind
 * `POST api/login` (form `user`, `pass`, cookie `s-ui`), the form-encoded `save`, and the
 * subscription service at `/sub/<name>` (port 2096 on a real panel; served here on any origin).
 */
import { randomBytes } from 'node:crypto';
import type { PanelTestControls } from '@panelkit/sdk/testing';
import { SimulatorBase, type SimulatorBaseOptions } from '../harness/index.js';
import { GoError } from './decode.js';
import { fullRow, inboundFull, inboundSummary, listRow } from './render.js';
import { GoPanic, saveClients } from './save.js';
import { DEFAULT_SUI_INBOUNDS, atLeast, runEnforcement, type SimSuiClient, type SimSuiInbound } from './state.js';

/** Options of `createSuiSimulator`: version, inbounds, login, clock and latency. */
export interface SuiSimulatorOptions extends SimulatorBaseOptions {
  /** The panel version to behave as: `1.2.0` … `1.5.1`. Default `1.5.1`. */
  readonly version?: string;
  /** The API token the panel accepts. */
  readonly token?: string;
  /** Default `/app/`. */
  readonly webPath?: string;
  /** Session API credentials. Default admin/admin. */
  readonly username?: string;
  readonly password?: string;
  readonly inbounds?: readonly SimSuiInbound[];
  /** The subscription listener's port, as the panel reports it in `subURI`. Default 2096. */
  readonly subPort?: number;
  readonly subPath?: string;
}

/** Behaviours a test can switch on. */
export interface SuiQuirks {
  /** Apply every `save`, then answer it with an empty 200 body (a proxy eating the answer). */
  emptyBodyOnWrite: boolean;
}

type Envelope = { success: boolean; msg: string; obj: unknown };

function envelope(body: Envelope, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}
const ok = (obj: unknown, msg = '') => envelope({ success: true, msg, obj });
/** `jsonMsg(c, ctx, err)`: `"<ctx>: <err>"`. */
const fail = (context: string, error: string) => envelope({ success: false, msg: `${context}: ${error}`, obj: null });

/**
 * An S-UI panel in memory (create it with `createSuiSimulator`): its token API under the web path, inbounds
 * as targets, clients saved with the panel's envelopes and texts, and its quirks switchable.
 */
export class SuiSimulator extends SimulatorBase implements PanelTestControls {
  readonly version: string;
  readonly webPath: string;
  readonly quirks: SuiQuirks = { emptyBodyOnWrite: false };
  readonly clients = new Map<number, SimSuiClient>();
  readonly inbounds: SimSuiInbound[];
  readonly #tokens = new Set<string>();
  readonly #sessions = new Set<string>();
  readonly #online = new Set<string>();
  readonly #username: string;
  readonly #password: string;
  readonly #subPort: number;
  readonly #subPath: string;
  #nextId = 1;
  #logins = 0;
  /** Save requests applied (writes). */
  saves = 0;

  constructor(options: SuiSimulatorOptions = {}) {
    super(options);
    this.version = options.version ?? '1.5.1';
    this.webPath = normalisePath(options.webPath ?? '/app/');
    this.#tokens.add(options.token ?? 'sui-simulator-token-0123456789ab');
    this.#username = options.username ?? 'admin';
    this.#password = options.password ?? 'admin';
    this.inbounds = (options.inbounds ?? DEFAULT_SUI_INBOUNDS).map((inbound) => ({ ...inbound }));
    this.#subPort = options.subPort ?? 2096;
    this.#subPath = normalisePath(options.subPath ?? '/sub/');
  }

  // ---- controls -------------------------------------------------------------------------------

  /** Traffic as the stats job counts it: by name, on every row with that name; `onlineAt` moves (v1.5). */
  async addTraffic(username: string, uploadBytes: number, downloadBytes: number): Promise<void> {
    for (const client of this.clients.values()) {
      if (client.name !== username) continue;
      client.up += uploadBytes;
      client.down += downloadBytes;
      if (atLeast(this.version, 1, 5)) client.onlineAt = this.#now();
    }
  }

  /** Marks a client as connected (or not) now, as sing-box would report it; first use starts a delayed period on the next `enforce()`. */
  setOnline(username: string, online = true): void {
    if (online) this.#online.add(username);
    else this.#online.delete(username);
  }

  /** The panel's own minute job: start-on-first-use periods begin, expired/over-volume clients are disabled. */
  enforce(): string[] {
    return runEnforcement(this.clients.values(), this.#now());
  }

  /** S-UI tokens are static: "session expiry" is the token being deleted or expiring. Sessions end too. */
  expireSession(): void {
    this.#tokens.clear();
    this.#sessions.clear();
  }

  /** Issues a token (as `POST api/addToken` does) and returns it. */
  addToken(token: string = randomBytes(16).toString('hex')): string {
    this.#tokens.add(token);
    return token;
  }

  async countClients(username: string): Promise<number> {
    let count = 0;
    for (const client of this.clients.values()) if (client.name === username) count++;
    return count;
  }

  loginCount(): number {
    return this.#logins;
  }

  /** The first row with this name (the one the panel serves), for assertions. */
  client(name: string): SimSuiClient | undefined {
    let found: SimSuiClient | undefined;
    for (const client of this.clients.values()) if (client.name === name && (!found || client.id < found.id)) found = client;
    return found;
  }

  /** Inserts a client as the panel's UI would (no checks: duplicates allowed). */
  insertClient(fields: Partial<SimSuiClient> & { name: string }): SimSuiClient {
    const id = this.#nextId++;
    const client: SimSuiClient = {
      id,
      enable: true,
      config: {},
      inbounds: [1],
      links: [],
      volume: 0,
      expiry: 0,
      down: 0,
      up: 0,
      desc: '',
      group: '',
      remark: '',
      createdAt: this.#now(),
      onlineAt: 0,
      delayStart: false,
      autoReset: false,
      resetDays: 0,
      nextReset: 0,
      totalUp: 0,
      totalDown: 0,
      ...fields,
    };
    client.id = id;
    this.clients.set(id, client);
    return client;
  }

  /** `count` clients named `<prefix><n>` on `inboundId`, expiring a year from now, fast (20 000 in well under a second). */
  seedClients(count: number, options: { prefix?: string; inboundId?: number; expiry?: number; volume?: number } = {}): void {
    const prefix = options.prefix ?? 'seed_';
    const expiry = options.expiry ?? this.#now() + 365 * 86_400;
    for (let i = 0; i < count; i++) {
      const name = `${prefix}${i}`;
      this.insertClient({
        name,
        inbounds: [options.inboundId ?? 1],
        expiry,
        volume: options.volume ?? 0,
        config: { vless: { name, uuid: '00000000-0000-4000-8000-000000000000', flow: '' } },
      });
    }
  }

  // ---- pipeline -------------------------------------------------------------------------------

  protected routePath(request: Request): string | null {
    const path = new URL(request.url).pathname;
    return path.startsWith(this.webPath) ? path.slice(this.webPath.length) : null;
  }

  protected isSessionRequest(_request: Request, path: string): boolean {
    return path === 'api/login' || path === 'api/logout';
  }

  protected async route(request: Request, path: string | null): Promise<Response> {
    if (path === null) {
      const url = new URL(request.url);
      if (url.pathname.startsWith(this.#subPath) && (request.method === 'GET' || request.method === 'HEAD')) {
        return this.#subscription(decodeURIComponent(url.pathname.slice(this.#subPath.length)), request.method === 'HEAD');
      }
      return new Response(null, { status: 404 });
    }
    const [area, action = ''] = path.split('/', 2) as [string, string?];
    if (area === 'apiv2') {
      if (!this.#tokens.has(request.headers.get('token') ?? '')) return fail('', 'invalid token\n');
      return this.#action(request, action);
    }
    if (area === 'api') {
      if (action === 'login' && request.method === 'POST') return this.#login(request);
      if (!this.#sessions.has(sessionOf(request))) {
        if (request.headers.get('x-requested-with') === 'XMLHttpRequest')
          return envelope({ success: false, msg: 'Invalid login', obj: null });
        return new Response(null, { status: 307, headers: { location: '/login' } });
      }
      if (action === 'logout') return ok(null);
      return this.#action(request, action);
    }
    if (path === 'login' || path === '')
      return new Response('<!DOCTYPE html><html></html>', { status: 200, headers: { 'content-type': 'text/html' } });
    return new Response(null, { status: 307, headers: { location: `${this.webPath}login` } });
  }

  async #login(request: Request): Promise<Response> {
    const form = await formOf(request);
    if (form.user !== this.#username || form.pass !== this.#password) return fail('', 'wrong user or password! IP:  127.0.0.1\n');
    const session = randomBytes(16).toString('hex');
    this.#sessions.add(session);
    this.#logins++;
    return envelope({ success: true, msg: '', obj: null }, { 'set-cookie': `s-ui=${session}; Path=/; HttpOnly` });
  }

  async #action(request: Request, action: string): Promise<Response> {
    const url = new URL(request.url);
    if (request.method === 'POST') {
      switch (action) {
        case 'save':
          return this.#save(request, hostOf(request));
        case 'restartSb':
          return ok(null, 'restartSb');
        case 'resetTraffic':
          if (!atLeast(this.version, 1, 5)) break;
          for (const client of this.clients.values()) {
            client.totalUp += client.up;
            client.totalDown += client.down;
            client.up = 0;
            client.down = 0;
            client.enable = true;
          }
          return ok(null, 'resetTraffic');
      }
      return fail('failed', `unknown action:  ${action}\n`);
    }
    switch (action) {
      case 'clients':
        return ok({ clients: this.#clientRows(url.searchParams.get('id') ?? '') });
      case 'inbounds': {
        const id = url.searchParams.get('id') ?? '';
        if (id === '') return ok({ inbounds: this.#summaries() });
        const ids = new Set(id.split(','));
        return ok({ inbounds: this.inbounds.filter((inbound) => ids.has(String(inbound.id))).map(inboundFull) });
      }
      case 'onlines':
        return ok(this.#onlines());
      case 'status':
        return ok(this.#status(url.searchParams.get('r') ?? ''));
      case 'load':
        return ok({
          clients: this.#clientRows(''),
          config: {},
          enableTraffic: true,
          endpoints: [],
          inbounds: this.#summaries(),
          onlines: this.#onlines(),
          outbounds: [],
          services: [],
          // `GetFinalSubURI` compares ":2096" with "80"/"443", so the port is always there.
          subURI: `http://${hostOf(request)}:${this.#subPort}${this.#subPath}`,
          tls: [],
        });
      case 'outbounds':
      case 'endpoints':
      case 'services':
      case 'tls':
        return ok({ [action]: [] });
      case 'config':
        return ok({ config: {} });
    }
    return fail('failed', `unknown action:  ${action}\n`);
  }

  async #save(request: Request, host: string): Promise<Response> {
    const form = await formOf(request);
    const object = form.object ?? '';
    if (object !== 'clients') {
      const known = ['tls', 'inbounds', 'outbounds', 'services', 'endpoints', 'config', 'settings'].includes(object);
      return fail('save', known ? `the simulator models clients only (object ${object})` : `unknown object:  ${object}\n`);
    }
    let touched: number[];
    try {
      touched = saveClients(
        {
          version: this.version,
          clients: this.clients,
          inbounds: this.inbounds,
          nowSeconds: () => this.#now(),
          nextId: () => this.#nextId++,
        },
        form.action ?? '',
        form.data ?? '',
        host,
      );
    } catch (error) {
      if (error instanceof GoError) return fail('save', error.message);
      if (error instanceof GoPanic) return new Response(null, { status: 500 });
      throw error;
    }
    this.saves++;
    if (this.quirks.emptyBodyOnWrite) return new Response(null, { status: 200 });
    const obj: Record<string, unknown> = { clients: this.#clientRows('') };
    if (touched.length > 0) obj.inbounds = this.#summaries();
    return ok(obj);
  }

  #clientRows(id: string): Record<string, unknown>[] {
    if (id === '') return [...this.clients.values()].map((client) => listRow(client, this.version));
    const out: Record<string, unknown>[] = [];
    for (const part of id.split(',')) {
      const client = /^\d+$/.test(part) ? this.clients.get(Number(part)) : undefined;
      if (client) out.push(fullRow(client, this.version));
    }
    return out.sort((a, b) => (a.id as number) - (b.id as number));
  }

  #summaries(): Record<string, unknown>[] {
    return this.inbounds.map((inbound) => inboundSummary(inbound, this.clients.values()));
  }

  #onlines(): Record<string, string[]> {
    const onlines: Record<string, string[]> = {};
    const users = [...this.#online].filter((name) => this.client(name)?.enable);
    if (users.length > 0) onlines.user = users;
    return onlines;
  }

  #status(request: string): Record<string, unknown> {
    const status: Record<string, unknown> = {};
    for (const key of request.split(',')) {
      if (key === 'sys') status.sys = { appVersion: this.version, cpuCount: 2, hostName: 'sui-simulator' };
      if (key === 'sbd') status.sbd = { running: true, stats: { Alloc: 0, NumGoroutine: 1, Uptime: 1 } };
      if (key === 'db') status.db = { clients: this.clients.size, inbounds: this.inbounds.length };
    }
    return status;
  }

  #subscription(name: string, head: boolean): Response {
    const client = this.client(name);
    if (!client?.enable) return new Response('Error!', { status: 400 });
    const body = Buffer.from(client.links.map((link) => link.uri).join('\n')).toString('base64');
    const headers = {
      'subscription-userinfo': `upload=${client.up}; download=${client.down}; total=${client.volume}; expire=${client.expiry}`,
      'profile-update-interval': '12',
      'profile-title': client.remark || client.name,
      'content-type': 'text/plain; charset=utf-8',
    };
    return new Response(head ? null : body, { status: 200, headers });
  }

  #now(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }
}

/** A stateful S-UI panel; serve `sim.handle` with msw or `serveOnLocalhost`. */
export function createSuiSimulator(options: SuiSimulatorOptions = {}): SuiSimulator {
  return new SuiSimulator(options);
}

function normalisePath(path: string): string {
  const withLead = path.startsWith('/') ? path : `/${path}`;
  return withLead.endsWith('/') ? withLead : `${withLead}/`;
}

/** `getHostname`: the request host without its port, IPv6 in brackets. */
function hostOf(request: Request): string {
  const host = request.headers.get('host') ?? new URL(request.url).host;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracketed) return `[${bracketed[1]}]`;
  return host.replace(/:\d+$/, '');
}

function sessionOf(request: Request): string {
  const cookie = request.headers.get('cookie') ?? '';
  return /(?:^|;\s*)s-ui=([^;]+)/.exec(cookie)?.[1] ?? '';
}

/** `c.Request.FormValue`: form-encoded or multipart only; a JSON body reads as empty fields. */
async function formOf(request: Request): Promise<Record<string, string>> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.includes('application/x-www-form-urlencoded') && !type.includes('multipart/form-data')) return {};
  const form = await request.formData();
  const out: Record<string, string> = {};
  for (const [key, value] of form.entries()) if (typeof value === 'string' && !(key in out)) out[key] = value;
  return out;
}
