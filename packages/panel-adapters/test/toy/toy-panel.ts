/**
 * A toy panel for the adapter factory's test: a bearer-token JSON API with clients on targets, written the way the
 * guide tells an author to write a simulator (on `@panelkit/panel-adapters/simulator-kit`). It enforces nothing
 * itself, so the adapter declares no enforcement.
 *
 * POST /api/login {username,password} → {token} | 401; GET /api/targets; GET|PATCH|DELETE /api/clients/:username;
 * GET /api/clients/:username/links; POST /api/targets/:id/clients → 201 | 409 taken; POST /api/clients/:username/reset; GET /api/clients?offset&limit.
 */
import type { PanelTestControls } from '@panelkit/sdk/testing';
import { json, Router, readJsonBody, SimulatorBase, empty } from '@panelkit/panel-adapters/simulator-kit';
import type { Clock } from '@panelkit/sdk';

/** A client as the toy panel stores it. */
export interface ToyClient {
  username: string;
  uuid: string;
  targetId: string;
  enabled: boolean;
  /** Unix seconds, or null for never. */
  expiresAt: number | null;
  limitBytes: number | null;
  up: number;
  down: number;
}

const TARGETS = [
  { id: '1', name: 'vless-main', protocol: 'vless', port: 443 },
  { id: '2', name: 'trojan-spare', protocol: 'trojan', port: 8443 },
];

export class ToyPanel extends SimulatorBase implements PanelTestControls {
  readonly clients = new Map<string, ToyClient>();
  readonly #tokens = new Set<string>();
  #logins = 0;
  readonly #router = new Router<undefined>();

  constructor(
    clock: Clock,
    readonly password: string,
  ) {
    super({ clock });
    this.#router
      .on('POST', '/api/login', (request) => this.#login(request))
      .on('GET', '/api/targets', () => json(TARGETS.map((t) => ({ ...t, enabled: true, clients: this.#onTarget(t.id) }))))
      .on('GET', '/api/clients', (request) => this.#list(new URL(request.url)))
      .on('POST', '/api/targets/:id/clients', (request, params) => this.#create(request, params.id!))
      .on('GET', '/api/clients/:username/links', (request, params) =>
        this.#withClient(params.username!, (client) => this.#links(request, client)),
      )
      .on('GET', '/api/clients/:username', (_request, params) => this.#withClient(params.username!, (client) => json(client)))
      .on('PATCH', '/api/clients/:username', (request, params) =>
        this.#withClient(params.username!, (client) => this.#patch(request, client)),
      )
      .on('POST', '/api/clients/:username/reset', (_request, params) =>
        this.#withClient(params.username!, (client) => {
          client.up = 0;
          client.down = 0;
          return json(client);
        }),
      )
      .on('DELETE', '/api/clients/:username', (_request, params) =>
        this.#withClient(params.username!, (client) => {
          this.clients.delete(client.username);
          return empty(204);
        }),
      );
  }

  async addTraffic(username: string, uploadBytes: number, downloadBytes: number): Promise<void> {
    const client = this.clients.get(username);
    if (!client) throw new Error(`no client ${username}`);
    client.up += uploadBytes;
    client.down += downloadBytes;
  }

  expireSession(): void {
    this.#tokens.clear();
  }

  async countClients(username: string): Promise<number> {
    return this.clients.has(username) ? 1 : 0;
  }

  loginCount(): number {
    return this.#logins;
  }

  protected routePath(request: Request): string | null {
    return new URL(request.url).pathname;
  }

  protected isSessionRequest(_request: Request, path: string): boolean {
    return path === '/api/login';
  }

  protected async route(request: Request, path: string | null): Promise<Response> {
    if (path === null) return json({ error: 'not found' }, 404);
    if (path !== '/api/login' && !this.#tokens.has((request.headers.get('authorization') ?? '').replace(/^Bearer /, ''))) {
      return json({ error: 'unauthorized' }, 401);
    }
    const found = this.#router.find(request.method, path);
    if (!('handler' in found)) return json({ error: 'not found' }, found.methodMismatch ? 405 : 404);
    return found.handler(request, found.params, undefined);
  }

  async #login(request: Request): Promise<Response> {
    const body = await readJsonBody(request);
    const value = body.ok ? (body.value as { username?: unknown; password?: unknown }) : {};
    if (value.username !== 'admin' || value.password !== this.password) return json({ error: 'bad credentials' }, 401);
    this.#logins++;
    const token = crypto.randomUUID();
    this.#tokens.add(token);
    return json({ token });
  }

  #onTarget(targetId: string): number {
    return [...this.clients.values()].filter((client) => client.targetId === targetId).length;
  }

  #list(url: URL): Response {
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 50), 50);
    const all = [...this.clients.values()].sort((a, b) => a.username.localeCompare(b.username));
    return json({ items: all.slice(offset, offset + limit), total: all.length });
  }

  async #create(request: Request, targetId: string): Promise<Response> {
    if (!TARGETS.some((target) => target.id === targetId)) return json({ error: 'no such target' }, 404);
    const body = await readJsonBody(request);
    if (!body.ok) return json({ error: 'bad json' }, 400);
    const input = body.value as Omit<ToyClient, 'targetId' | 'up' | 'down'>;
    if (typeof input.username !== 'string' || typeof input.uuid !== 'string') return json({ error: 'username and uuid required' }, 422);
    if (this.clients.has(input.username)) return json({ error: 'username taken' }, 409);
    const client: ToyClient = {
      username: input.username,
      uuid: input.uuid,
      targetId,
      enabled: input.enabled,
      expiresAt: input.expiresAt,
      limitBytes: input.limitBytes,
      up: 0,
      down: 0,
    };
    this.clients.set(client.username, client);
    return json(client, 201);
  }

  async #patch(request: Request, client: ToyClient): Promise<Response> {
    const body = await readJsonBody(request);
    if (!body.ok) return json({ error: 'bad json' }, 400);
    const patch = body.value as Partial<Pick<ToyClient, 'enabled' | 'expiresAt' | 'limitBytes'>>;
    if (patch.enabled !== undefined) client.enabled = patch.enabled;
    if (patch.expiresAt !== undefined) client.expiresAt = patch.expiresAt;
    if (patch.limitBytes !== undefined) client.limitBytes = patch.limitBytes;
    return json(client);
  }

  #links(request: Request, client: ToyClient): Response {
    const target = TARGETS.find((t) => t.id === client.targetId)!;
    const host = new URL(request.url).hostname;
    const link = `${target.protocol}://${client.uuid}@${host}:${target.port}?security=tls#${client.username}`;
    return json({ subscriptionUrl: `${new URL(request.url).origin}/sub/${client.uuid}`, links: [link] });
  }

  #withClient(username: string, answer: (client: ToyClient) => Response | Promise<Response>): Response | Promise<Response> {
    const client = this.clients.get(username);
    return client ? answer(client) : json({ error: 'no such client' }, 404);
  }
}
