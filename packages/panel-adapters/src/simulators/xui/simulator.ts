/**
 * A stateful 3x-ui panel speaking whichever API generation its version has: Gen A (v2.x … v3.0.x,
 * inbound-scoped clients) or Gen B (v3.1+, global clients), with that version's auth behaviour
 * (cookie names, CSRF, Bearer tokens, how a lost session is answered), envelopes, units and error
 * texts. Serve it with `serveOnLocalhost(sim.handle)` or, in tests, `mswHandler(origin, sim.handle)`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '@panelkit/sdk';
import type { PanelTestControls } from '@panelkit/sdk/testing';
import { delay } from '../harness/delay.js';
import { json, SimulatorBase, type FetchHandler, type Router } from '../harness/index.js';
import { XuiCore, type XuiCoreOptions } from './core/index.js';
import { seedDemoInbounds } from './demo.js';
import { fail, MSG, noRoute, ok } from './envelope.js';
import { canConnect, fillPool, saveInbound } from './kind-controls.js';
import { genARoutes } from './routes-gen-a.js';
import { genBRoutes } from './routes-gen-b.js';
import { xuiSubscriptionHandler, type XuiSubscriptionOptions } from './subscription-service.js';
import { XuiSessions } from './sessions.js';
import { XuiClientIps } from './client-ips.js';
import { defaultSettingsAnswer, type XuiSubscriptionConfig } from './sub-settings.js';
import { key, text, XuiState, type InboundSeed, type RawClient, type SimInbound } from './state.js';
import { traitsOf, type XuiVersionTraits } from './version.js';
import { heldAddresses } from './wireguard.js';

/** Options of `createXuiSimulator`: version, base path, login, tokens, inbounds, clock and latency. */
export interface XuiSimulatorOptions {
  /** The panel version to behave as: `'2.8.x'` (default), `'2.4.0'`, `'3.0.2'`, `'3.6.x'`… */
  readonly version?: string;
  /** `webBasePath`, e.g. `/Xk3vR9pQ2mW7/`. Default `/`. */
  readonly basePath?: string;
  /** The panel login. Default `admin` / `admin`. */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** Bearer API tokens the panel accepts (v3.0+). */
  readonly apiTokens?: readonly string[];
  readonly clock?: Clock;
  /** Real milliseconds before every answer. */
  readonly latencyMs?: number;
  /** `sessionMaxAge` in minutes (absolute from login). Default 360. */
  readonly sessionMaxAgeMinutes?: number;
  /** Misbehaviours to start with (e.g. `clobberConcurrentWrites`, as 3x-ui v2.x under concurrent writes); all off by default. */
  readonly quirks?: Partial<XuiQuirks>;
  /**
   * Drive a real proxy core (v2ray 4.x) from the panel's inbounds and clients, as 3x-ui drives
   * Xray; start it with `sim.core.start()` and stop it with `sim.core.stop()`. See {@link XuiCore}.
   */
  readonly core?: XuiCoreOptions;
  /** The subscription settings the panel reports (`defaultSettings`) and serves with `subscriptionService()`. */
  readonly subscription?: XuiSubscriptionConfig;
}

/** Switchable misbehaviours the real panel is known for. */
export interface XuiQuirks {
  /** Successful client writes answer 200 with an empty body (MHSanaei/3x-ui#2555, #3052, #3236). */
  emptyBodyOnWrite: boolean;
  /** Gen A writes read the inbound's settings, wait, then write them whole: overlapping writes lose each other's changes. */
  clobberConcurrentWrites: boolean;
  /** How long a clobbering write holds its stale copy, in real milliseconds. */
  writeDelayMs: number;
}

/**
 * A 3x-ui panel in memory (create it with `createXuiSimulator`), either generation by its version traits:
 * login and API tokens, inbounds with their clients, the panel's answers and races, and subscriptions.
 */
export class XuiSimulator extends SimulatorBase implements PanelTestControls {
  readonly traits: XuiVersionTraits;
  readonly basePath: string;
  /** The panel's stored inbounds and clients, for this repository's own tests. @internal */
  readonly state = new XuiState();
  /** The panel's login sessions, for this repository's own tests. @internal */
  readonly sessions: XuiSessions;
  readonly quirks: XuiQuirks = { emptyBodyOnWrite: false, clobberConcurrentWrites: false, writeDelayMs: 5 };
  /** The real core behind the panel, when the `core` option named one. */
  readonly core: XuiCore | undefined;
  /** The IP job's client IP records (v3.3+ `server/clientIps`). */
  readonly clientIps = new XuiClientIps();
  /** The subscription settings (changeable in a test, as an admin would in the panel). */
  subscription: XuiSubscriptionConfig;
  readonly #credentials: { username: string; password: string };
  readonly #router: Router;
  readonly #recordIds = new Map<string, number>();
  #nextRecordId = 1;

  constructor(options: XuiSimulatorOptions = {}) {
    super({
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
    });
    this.traits = traitsOf(options.version ?? '2.8.x');
    this.basePath = normaliseBasePath(options.basePath ?? '/');
    this.#credentials = { username: options.credentials?.username ?? 'admin', password: options.credentials?.password ?? 'admin' };
    this.sessions = new XuiSessions(this.traits, this.basePath);
    if (options.sessionMaxAgeMinutes !== undefined) this.sessions.sessionMaxAgeMinutes = options.sessionMaxAgeMinutes;
    Object.assign(this.quirks, options.quirks);
    for (const token of options.apiTokens ?? []) this.sessions.tokens.add(token);
    this.subscription = options.subscription ?? {};
    this.#router = this.traits.genB ? genBRoutes(this, fail) : genARoutes(this, fail);
    this.core = options.core ? new XuiCore(this.state, this.clock, options.core) : undefined;
  }

  // ------------------------------------------------------------------ seeding

  /** Adds an inbound as the panel's admin would; returns it as stored. */
  addInbound(seed: InboundSeed): SimInbound {
    return this.state.addInbound(seed);
  }

  /** Adds `count` clients straight into the database (no API, O(count)); for benchmarks and big-panel tests. */
  seedClients(inboundId: number, count: number, make: (i: number) => Partial<RawClient> = () => ({})): void {
    const inbound = this.state.inbounds.get(inboundId);
    if (!inbound) throw new Error(`no inbound ${inboundId}`);
    const now = this.clock.now().getTime();
    for (let i = 0; i < count; i++) {
      const client: RawClient = {
        id: inbound.protocol === 'vless' || inbound.protocol === 'vmess' ? randomUUID() : '',
        password:
          inbound.protocol === 'trojan'
            ? randomBytes(8).toString('hex')
            : inbound.protocol === 'shadowsocks'
              ? randomBytes(32).toString('base64')
              : undefined,
        email: `seed${inboundId}_${i}`,
        enable: true,
        expiryTime: 0,
        totalGB: 0,
        limitIp: 0,
        subId: randomBytes(8).toString('hex'),
        tgId: 0,
        reset: 0,
        comment: '',
        created_at: now,
        updated_at: now,
        ...make(i),
      };
      this.state.attach(inbound, client, now);
      this.recordId(key(text(client.email)));
    }
  }

  /** A few inbounds like a real install has: VLESS Reality/TCP, VMess WS, Trojan WS/TLS, Shadowsocks 2022. */
  seedDemo(): SimInbound[] {
    return seedDemoInbounds(this);
  }

  /** The Gen B database id of a client record (stable per email). */
  recordId(k: string): number {
    let id = this.#recordIds.get(k);
    if (id === undefined) {
      id = this.#nextRecordId++;
      this.#recordIds.set(k, id);
    }
    return id;
  }

  // ------------------------------------------------------------------ controls

  async addTraffic(username: string, uploadBytes: number, downloadBytes: number): Promise<void> {
    this.state.addTraffic(username, uploadBytes, downloadBytes, this.clock.now().getTime());
  }

  /** Marks a client as seen in the last traffic poll (`onlines`). */
  setOnline(username: string, online = true): void {
    this.state.polled = true;
    if (online) this.state.online.add(key(username));
    else this.state.online.delete(key(username));
  }

  /**
   * The client is connected from these source addresses now (the core's online map): it is online, and the IP job
   * records them on its next run while fail2ban is on. `[]`: it disconnected (its last record stays, as on the panel).
   */
  async setClientAddresses(username: string, addresses: readonly string[]): Promise<void> {
    this.clientIps.connect(username, addresses);
    this.setOnline(username, addresses.length > 0);
  }

  /** Silent: fail2ban is off (`XUI_ENABLE_FAIL2BAN=false`), so the IP job records nothing (rows already written stay). */
  async silenceClientAddresses(silent: boolean): Promise<void> {
    this.clientIps.recording = !silent;
  }

  /** The panel's own traffic job: disables depleted and expired clients. Returns how many changed. */
  enforce(): number {
    return this.state.enforce(this.clock.now().getTime());
  }

  /**
   * The panel's subscription service (`GET /sub/<subId>`: the client's share links, base64), a
   * handler to serve on a port of its own as the panel does (2096 by default).
   */
  subscriptionService(options: XuiSubscriptionOptions = {}): FetchHandler {
    return xuiSubscriptionHandler(this, { path: this.subscription.path ?? '/sub/', ...options });
  }

  /** Drops every session and revokes every API token (the next call must log in again, or fails with a token). */
  expireSession(): void {
    this.sessions.expireAll();
    this.sessions.tokens.clear();
  }

  async countClients(username: string): Promise<number> {
    const k = key(username);
    if (this.traits.genB) return this.state.clients.has(k) ? 1 : 0;
    let count = 0;
    for (const inbound of this.state.inbounds.values()) count += inbound.clientKeys.filter((c) => c === k).length;
    return count;
  }

  loginCount(): number {
    return this.sessions.logins;
  }

  /** The client as stored in the panel (settings JSON / client record), or undefined. */
  client(username: string): RawClient | undefined {
    return this.state.clients.get(key(username));
  }

  /** Whether the client could connect now: served by the panel, and for MTProto its inbound's mtg running (#6036). */
  async canConnect(username: string): Promise<boolean> {
    this.enforce();
    return canConnect(this.state, this.traits, username);
  }

  /** An admin saves the inbound with these settings; an MTProto inbound's client secrets are healed to `ee`. */
  saveInbound(inboundId: number, settings: Record<string, unknown> = {}): number {
    return saveInbound(this.state, this.traits, this.#inbound(inboundId), settings);
  }

  /** Leaves exactly `free` addresses in the WireGuard target's pool (placeholder clients take the rest). */
  async fillPool(target: { remoteRef: string }, free: number): Promise<void> {
    fillPool(this.state, this.traits, this.#inbound(Number(target.remoteRef)), free, this.clock.now().getTime());
  }

  /** Every address the WireGuard target's clients hold. */
  async peerAddresses(target: { remoteRef: string }): Promise<string[]> {
    return heldAddresses(this.state.clientsOf(this.#inbound(Number(target.remoteRef)))).entries;
  }

  #inbound(id: number): SimInbound {
    const inbound = this.state.inbounds.get(id);
    if (!inbound) throw new Error(`no inbound ${id}`);
    return inbound;
  }

  // ------------------------------------------------------------------ write helpers (routes)

  /**
   * A Gen A client write: the inbound's whole client list is recomputed and written back. With
   * `quirks.clobberConcurrentWrites` the list is read first and written after a pause, so writes
   * that overlap on one inbound overwrite each other, as on the real panel.
   */
  async writeInbound(inbound: SimInbound, compute: (current: RawClient[]) => RawClient[], message: string): Promise<Response> {
    if (this.quirks.clobberConcurrentWrites) {
      const snapshot = this.state.clientsOf(inbound).map((c) => ({ ...c }));
      await delay(this.quirks.writeDelayMs);
      this.state.replaceClients(inbound, compute(snapshot), this.clock.now().getTime());
    } else {
      this.state.replaceClients(inbound, compute(this.state.clientsOf(inbound)), this.clock.now().getTime());
    }
    return this.writeAnswer(ok(null, message));
  }

  /** The answer to an applied write (empty with `quirks.emptyBodyOnWrite`). */
  writeAnswer(response: Response): Response {
    return this.quirks.emptyBodyOnWrite ? new Response(null, { status: 200 }) : response;
  }

  // ------------------------------------------------------------------ pipeline

  protected routePath(request: Request): string | null {
    const path = new URL(request.url).pathname;
    if (!path.startsWith(this.basePath)) return null;
    return `/${path.slice(this.basePath.length)}`;
  }

  protected isSessionRequest(_request: Request, path: string): boolean {
    return path === '/' || path === '/login' || path === '/csrf-token';
  }

  protected async route(request: Request, path: string | null): Promise<Response> {
    if (path === null) return noRoute();
    const now = this.clock.now().getTime();
    if (path === '/' && request.method === 'GET') {
      return new Response('<!DOCTYPE html><html><head><title>Login</title></head><body></body></html>', {
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
      });
    }
    if (path === '/csrf-token' && request.method === 'GET' && this.traits.csrf) return this.sessions.csrfToken(request, now);
    if (path === '/login' && request.method === 'POST')
      return this.sessions.login(request, await loginFields(request), this.#credentials, now);
    if (path === '/panel/setting/defaultSettings' && request.method === 'POST' && !this.traits.settingsUnderApi)
      return this.#uiSettings(request, now);
    const isApi = path.startsWith('/panel/api/');
    const isLegacyStatus = path === '/server/status' && request.method === 'POST' && !this.#hasApiStatus();
    if (!isApi && !isLegacyStatus) return noRoute();
    const auth = this.sessions.check(request, now);
    if (!auth.ok) return auth.response;
    if (isLegacyStatus || (path === '/panel/api/server/status' && request.method === 'GET' && this.#hasApiStatus()))
      return ok(this.#status());
    if (path === '/panel/api/setting/defaultSettings' && request.method === 'POST' && this.traits.settingsUnderApi)
      return defaultSettingsAnswer(this.subscription, request);
    const found = this.#router.find(request.method, path);
    if (!('handler' in found)) return noRoute();
    const response = await found.handler(request, found.params, undefined);
    // As 3x-ui restarts Xray after a client change; a core that fails to start does not fail the API call.
    if (this.core && request.method === 'POST') await this.core.sync().catch((error: unknown) => (this.core!.lastError = error as Error));
    return response;
  }

  /** A `/panel/*` UI route: `checkLogin` wants the session cookie (a Bearer token is not looked at), then CSRF. */
  #uiSettings(request: Request, now: number): Response {
    const headers = new Headers(request.headers);
    headers.delete('authorization');
    const auth = this.sessions.check(new Request(request.url, { method: request.method, headers }), now);
    if (auth.ok) return defaultSettingsAnswer(this.subscription, request);
    if (auth.response.status === 403) return auth.response;
    if (request.headers.get('x-requested-with') === 'XMLHttpRequest') return json({ success: false, msg: MSG.sessionExpired }, 401);
    return new Response(null, { status: 307, headers: { location: this.basePath } });
  }

  #hasApiStatus(): boolean {
    const [major, minor] = this.traits.version.split('.').map((p) => Number.parseInt(p, 10));
    return (major ?? 0) > 2 || (minor ?? 0) >= 7;
  }

  #status(): Record<string, unknown> {
    return {
      cpu: 3.2,
      cpuCores: 2,
      logicalPro: 2,
      cpuSpeedMhz: 2400,
      mem: { current: 512 * 1024 * 1024, total: 2048 * 1024 * 1024 },
      swap: { current: 0, total: 0 },
      disk: { current: 5 * 1024 ** 3, total: 40 * 1024 ** 3 },
      xray: { state: 'running', errorMsg: '', version: '25.9.11' },
      uptime: 86_400,
      loads: [0.1, 0.2, 0.3],
      tcpCount: this.state.online.size,
      udpCount: 0,
      netIO: { up: 0, down: 0 },
      netTraffic: { sent: 0, recv: 0 },
      publicIP: { ipv4: '203.0.113.10', ipv6: 'N/A' },
      appStats: { threads: 12, mem: 64 * 1024 * 1024, uptime: 86_400 },
      ...(this.traits.genB ? { panelVersion: this.traits.version } : {}),
    };
  }
}

/** `c.ShouldBind` on the login form: JSON or form-encoded. */
async function loginFields(request: Request): Promise<Record<string, unknown>> {
  const type = request.headers.get('content-type') ?? '';
  const body = await request.text();
  if (type.includes('application/json')) {
    try {
      return JSON.parse(body) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(body));
}

function normaliseBasePath(path: string): string {
  let out = path.startsWith('/') ? path : `/${path}`;
  if (!out.endsWith('/')) out += '/';
  return out;
}

/**
 * A 3x-ui panel in memory, speaking the HTTP API of the version asked for (v2.x–v3.x), for adapter
 * tests and demos. Serve it with `mswHandler` or `serveOnLocalhost`.
 */
export function createXuiSimulator(options: XuiSimulatorOptions = {}): XuiSimulator {
  return new XuiSimulator(options);
}
