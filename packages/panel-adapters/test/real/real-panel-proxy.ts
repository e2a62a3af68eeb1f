/**
 * For checking an adapter against a REAL panel by hand (never in CI): a reverse proxy on 127.0.0.1
 * in front of the panel that gives the conformance suite its `PanelTestControls`. Requests go to
 * the real panel as they are; the proxy adds what only a test can do: queued faults and lost
 * answers (through `SimulatorBase`'s pipeline), logins counted, tokens "expired" (it answers the
 * panel's own 401 for tokens issued before `expireSession()`), and traffic written into the panel's
 * SQLite database the way its usage job does.
 */
import { execFileSync } from 'node:child_process';
import type { PanelTestControls } from '@panelkit/sdk/testing';
import { SimulatorBase } from '../../src/simulators/harness/simulator-base.js';

/** Where the real panel is and how to reach its database. */
export interface RealPanelProxyOptions {
  /** The panel's origin, e.g. `http://127.0.0.1:18200`. */
  readonly target: string;
  /** Its SQLite database file (read and written with the `sqlite3` command). */
  readonly database: string;
  /** The login route, which faults never land on. */
  readonly tokenPath: string;
  /** The create route (`POST`), whose usernames are recorded for the clean-up (`createdUsernames`). */
  readonly createPath: string;
}

function sqlText(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

export class RealPanelProxy extends SimulatorBase implements PanelTestControls {
  readonly #options: RealPanelProxyOptions;
  readonly #expired = new Set<string>();
  readonly #seen = new Set<string>();
  readonly #created = new Set<string>();
  #logins = 0;

  constructor(options: RealPanelProxyOptions) {
    super();
    this.#options = options;
  }

  #sql(statement: string): string {
    return execFileSync('sqlite3', [this.#options.database, statement], { encoding: 'utf8' }).trim();
  }

  async addTraffic(username: string, uploadBytes: number, downloadBytes: number): Promise<void> {
    const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
    this.#sql(
      `UPDATE users SET used_traffic = used_traffic + ${Math.trunc(uploadBytes + downloadBytes)}, online_at = ${sqlText(now)} WHERE username = ${sqlText(username)}`,
    );
  }

  expireSession(): void {
    for (const token of this.#seen) this.#expired.add(token);
  }

  async countClients(username: string): Promise<number> {
    return Number(this.#sql(`SELECT count(*) FROM users WHERE username = ${sqlText(username)}`));
  }

  loginCount(): number {
    return this.#logins;
  }

  /** Every username a create sent through the proxy named (answered or not: a lost answer may have committed). */
  get createdUsernames(): string[] {
    return [...this.#created];
  }

  protected routePath(request: Request): string | null {
    return new URL(request.url).pathname;
  }

  protected isSessionRequest(_request: Request, path: string): boolean {
    return path === this.#options.tokenPath;
  }

  /** The Marzban family's "outcome unknown": the write went through, the answer is a plain 500. */
  protected override lostResponse(): Response {
    return new Response('Internal Server Error', { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }

  protected async route(request: Request, path: string | null): Promise<Response> {
    const url = new URL(request.url);
    const auth = request.headers.get('authorization') ?? '';
    // A bearer token or an API key: either can be "expired" by the proxy.
    const token = auth.toLowerCase().startsWith('bearer ') ? auth.slice(7) : request.headers.get('x-api-key');
    if (token !== null && this.#expired.has(token)) {
      return new Response(JSON.stringify({ detail: 'Could not validate credentials' }), {
        status: 401,
        headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' },
      });
    }
    if (token !== null) this.#seen.add(token);
    const headers = new Headers(request.headers);
    headers.delete('host');
    const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer();
    if (request.method === 'POST' && path === this.#options.createPath && body !== undefined) {
      const username = (JSON.parse(new TextDecoder().decode(body)) as { username?: unknown }).username;
      if (typeof username === 'string') this.#created.add(username);
    }
    const response = await fetch(`${this.#options.target}${path ?? url.pathname}${url.search}`, {
      method: request.method,
      headers,
      body,
      redirect: 'manual',
    });
    const text = await response.arrayBuffer();
    if (path === this.#options.tokenPath && response.status === 200) {
      this.#logins++;
      // The panel signs the same claims within one second into the same token: a fresh login is valid.
      const issued = /"access_token"\s*:\s*"([^"]+)"/.exec(new TextDecoder().decode(text))?.[1];
      if (issued !== undefined) this.#expired.delete(issued);
    }
    const out = new Headers(response.headers);
    out.delete('content-encoding');
    out.delete('content-length');
    out.delete('transfer-encoding');
    return new Response(response.status === 204 ? null : text, { status: response.status, headers: out });
  }
}
