import type { ManualClock } from '../../src/testing/manual-clock.js';
import type { PanelFault, PanelTestControls, PanelTestDevice } from '../../src/testing/panel/harness.js';

/** A device the fake panel registered on its own link (`GET /sub/:name` with `x-hwid`). */
export interface FakeDeviceRow extends PanelTestDevice {
  firstSeen: number;
  lastSeen: number;
}

/**
 * A tiny stateful HTTP panel, only for testing the conformance suite itself: JSON routes behind a
 * bearer token from `POST /login` (or a static token), the `PanelFault` kinds, and a 500 after
 * commit as its "outcome unknown" signal. Like S-UI it does not enforce unique usernames, so an
 * adapter that does not adopt existing clients makes duplicates. It is a Fetch handler; the fake
 * adapter calls it through an injected `fetch`.
 */
export interface FakeClientRow {
  target: string;
  username: string;
  uuid: string;
  enabled: boolean;
  /** ms epoch; 0 = never; negative = −duration, starting at first use. */
  expiryTime: number;
  /** bytes; 0 = unlimited. */
  total: number;
  limitIp: number;
  up: number;
  down: number;
}

export const FAKE_TARGETS = [
  { id: 'in-1', name: 'vless main', protocol: 'vless', enabled: true },
  { id: 'in-2', name: 'trojan spare', protocol: 'trojan', enabled: true },
] as const;

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

export class FakePanel implements PanelTestControls {
  readonly rows: FakeClientRow[] = [];
  readonly faults: PanelFault[] = [];
  /** Devices by client username. */
  readonly devices = new Map<string, FakeDeviceRow[]>();
  requests = 0;
  #logins = 0;
  #token: string | null = null;

  constructor(
    readonly clock: ManualClock,
    readonly credentials: { username: string; password: string },
  ) {}

  // ------------------------------------------------------------------ controls
  /** Makes `token` the panel's one valid API token (static-token mode). */
  issueStaticToken(token: string): void {
    this.#token = token;
  }
  find(username: string): FakeClientRow | undefined {
    return this.rows.find((row) => row.username === username);
  }
  async addTraffic(username: string, up: number, down: number): Promise<void> {
    const row = this.find(username);
    if (row === undefined) throw new Error(`no client ${username}`);
    row.up += up;
    row.down += down;
  }
  injectFault(fault: PanelFault): void {
    this.faults.push(fault);
  }
  clearFaults(): void {
    this.faults.length = 0;
  }
  pendingFaults(): number {
    return this.faults.length;
  }
  expireSession(): void {
    this.#token = null;
  }
  async countClients(username: string): Promise<number> {
    return this.rows.filter((row) => row.username === username).length;
  }
  loginCount(): number {
    return this.#logins;
  }
  async fetchSubscriptionAs(username: string, device: PanelTestDevice): Promise<void> {
    const headers = {
      'x-hwid': device.hwid,
      'x-device-os': device.platform,
      'x-ver-os': device.osVersion,
      'x-device-model': device.model,
      'user-agent': device.userAgent,
    };
    const response = await this.handle(new Request(`http://fake-panel.test/sub/${encodeURIComponent(username)}`, { headers }));
    if (response.status !== 200) throw new Error(`the subscription answered ${response.status}`);
  }

  // ------------------------------------------------------------------ wire
  /**
   * Answers one request. `signal`: the caller's own (its fetch's `init.signal`), which a hanging request waits on.
   * Node 20's `Request` follows the signal it was given only while the `Request` itself is reachable (nodejs/node#55428):
   * a hang holding only `request.signal` may never see the abort once the garbage collector has run.
   */
  readonly handle = async (request: Request, signal: AbortSignal = request.signal): Promise<Response> => {
    this.requests += 1;
    const url = new URL(request.url);
    if (request.method === 'POST' && url.pathname === '/login') return this.#login(request);
    if (request.method === 'GET' && url.pathname.startsWith('/sub/')) return this.#subscription(request, url);
    if (this.#token === null || request.headers.get('authorization') !== `Bearer ${this.#token}`) {
      return json(401, { detail: 'not authenticated' });
    }
    const write = request.method !== 'GET';
    const index = this.faults.findIndex((f) => (f.on ?? 'any') === 'any' || (f.on === 'write') === write);
    const fault = index < 0 ? undefined : this.faults.splice(index, 1)[0];
    switch (fault?.kind) {
      case 'status':
        return json(fault.status, { detail: `status ${fault.status}` });
      case 'rate_limit':
        return json(429, { detail: 'slow down' }, { 'retry-after': String(fault.retryAfterSeconds) });
      case 'malformed':
        return new Response('{"items": [', { status: 200, headers: { 'content-type': 'application/json' } });
      case 'timeout':
        return new Promise<Response>((_resolve, reject) => {
          // A signal that ended before the request arrived fires no event (a loaded machine can take the whole
          // short timeout to get here): reject at once, as fetch does.
          if (signal.aborted) reject(signal.reason);
          else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        });
      default:
        break;
    }
    const response = await this.#route(request, url);
    if (fault?.kind === 'lost_response') return new Response('Internal Server Error', { status: 500 });
    // Applied, then the connection closed: what fetch throws when the socket ends before an answer.
    if (fault?.kind === 'lost_connection') {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    }
    return response;
  };

  async #login(request: Request): Promise<Response> {
    const body = (await request.json()) as { username?: string; password?: string };
    if (body.username !== this.credentials.username || body.password !== this.credentials.password) {
      return json(401, { detail: 'bad credentials' });
    }
    this.#logins += 1;
    this.#token = `token-${this.#logins}-${this.credentials.password.length}`;
    return json(200, { token: this.#token });
  }

  /** An app's fetch of the panel's own link: its `x-hwid` registers (or refreshes) its device. */
  #subscription(request: Request, url: URL): Response {
    const username = decodeURIComponent(url.pathname.slice('/sub/'.length));
    if (this.find(username) === undefined) return json(404, { detail: 'client not found' });
    const hwid = request.headers.get('x-hwid');
    if (hwid) {
      const devices = this.devices.get(username) ?? [];
      const now = this.clock.now().getTime();
      const known = devices.find((d) => d.hwid === hwid);
      if (known) known.lastSeen = now;
      else
        devices.push({
          hwid,
          platform: request.headers.get('x-device-os') ?? '',
          osVersion: request.headers.get('x-ver-os') ?? '',
          model: request.headers.get('x-device-model') ?? '',
          userAgent: request.headers.get('user-agent') ?? '',
          firstSeen: now,
          lastSeen: now,
        });
      this.devices.set(username, devices);
    }
    return new Response('', { status: 200 });
  }

  async #route(request: Request, url: URL): Promise<Response> {
    const parts = url.pathname.split('/').filter(Boolean);
    const [resource, name, action] = parts;
    if (request.method === 'GET' && resource === 'status') return json(200, { version: '1.0.0' });
    if (request.method === 'GET' && resource === 'targets') {
      return json(200, {
        targets: FAKE_TARGETS.map((t) => ({ ...t, clients: this.rows.filter((r) => r.target === t.id).length })),
      });
    }
    if (resource !== 'clients') return json(404, { detail: 'Not Found' });
    if (request.method === 'GET' && name === undefined) {
      const offset = Number(url.searchParams.get('offset') ?? '0');
      const limit = Math.min(Number(url.searchParams.get('limit') ?? '100'), 100);
      const all = [...this.rows].sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
      return json(200, { total: all.length, items: all.slice(offset, offset + limit) });
    }
    if (request.method === 'POST' && name === undefined) {
      const body = (await request.json()) as { target: string; clients: FakeClientRow[] };
      if (!FAKE_TARGETS.some((t) => t.id === body.target)) return json(404, { detail: 'no such target' });
      const made = body.clients.map((c) => ({ ...c, target: body.target, up: 0, down: 0 }));
      this.rows.push(...made);
      return json(200, { items: made });
    }
    const row = name === undefined ? undefined : this.find(name);
    if (row === undefined) return json(404, { detail: 'client not found' });
    if (action === 'devices') {
      const devices = this.devices.get(row.username) ?? [];
      const hwid = parts[3] === undefined ? undefined : decodeURIComponent(parts[3]);
      if (request.method === 'GET') return json(200, { devices });
      if (request.method === 'DELETE' && hwid === undefined) this.devices.delete(row.username);
      else if (request.method === 'DELETE') {
        if (!devices.some((d) => d.hwid === hwid)) return json(404, { detail: 'device not found' });
        this.devices.set(
          row.username,
          devices.filter((d) => d.hwid !== hwid),
        );
      }
      return json(200, { ok: true });
    }
    if (request.method === 'GET') return json(200, row);
    if (request.method === 'PUT') {
      const patch = (await request.json()) as Partial<FakeClientRow>;
      for (const key of ['enabled', 'expiryTime', 'total', 'limitIp'] as const) {
        if (patch[key] !== undefined) (row as unknown as Record<string, unknown>)[key] = patch[key];
      }
      return json(200, row);
    }
    if (request.method === 'POST' && action === 'reset') {
      row.up = 0;
      row.down = 0;
      return json(200, row);
    }
    if (request.method === 'DELETE') {
      this.rows.splice(this.rows.indexOf(row), 1);
      this.devices.delete(row.username);
      return json(200, { deleted: true });
    }
    return json(404, { detail: 'Not Found' });
  }
}
