/**
 * What the Marzban and Marzneshin simulators share: users keyed by name (`keyOf`), one admin who
 * logs in for a bearer token, a router, and the traffic and session controls of `PanelTestControls`.
 */
import { Router, SimulatorBase, json, type SimulatorBaseOptions } from '../harness/index.js';
import { SimBearerTokens } from './bearer-tokens.js';

/** Options every Marzban-family simulator takes: the clock and latency, and its one admin's login. */
export interface TokenPanelSimulatorOptions extends SimulatorBaseOptions {
  /** Default `admin`. */
  readonly adminUsername?: string;
  /** Default `admin`. */
  readonly adminPassword?: string;
  /** `JWT_ACCESS_TOKEN_EXPIRE_MINUTES` in ms. Default 24 h. */
  readonly tokenLifetimeMs?: number;
}

/** The fields of a simulated user that the shared controls move. */
export interface TokenPanelSimUser {
  usedTraffic: number;
  lifetimeUsedTraffic: number;
  onlineAt: number | null;
}

/**
 * The base of the Marzban and Marzneshin simulators: the admin's form login for a bearer token that lives
 * `tokenLifetimeMs`, the user map, and the shared test controls.
 */
export abstract class TokenPanelSimulator<U extends TokenPanelSimUser> extends SimulatorBase {
  /** Live users by `keyOf(name)`. */
  protected readonly users = new Map<string, U>();
  readonly #tokens: SimBearerTokens;
  protected readonly router = new Router<undefined>();
  readonly #panel: string;
  readonly #adminUsername: string;
  readonly #adminPassword: string;
  #logins = 0;

  constructor(panel: string, options: TokenPanelSimulatorOptions) {
    super(options);
    this.#panel = panel;
    this.#adminUsername = options.adminUsername ?? 'admin';
    this.#adminPassword = options.adminPassword ?? 'admin';
    this.#tokens = new SimBearerTokens(options.tokenLifetimeMs);
  }

  // ------------------------------------------------------------------ controls

  async addTraffic(username: string, uploadBytes: number, downloadBytes: number): Promise<void> {
    const user = this.require(username);
    user.usedTraffic += uploadBytes + downloadBytes;
    user.lifetimeUsedTraffic += uploadBytes + downloadBytes;
    user.onlineAt = this.now();
  }

  /** Marks a user as connected now (what the panel's usage recording does). */
  setOnline(username: string): void {
    this.require(username).onlineAt = this.now();
  }

  expireSession(): void {
    this.#tokens.expireAll();
  }

  async countClients(username: string): Promise<number> {
    return this.users.has(this.keyOf(username)) ? 1 : 0;
  }

  /** Successful admin logins. */
  loginCount(): number {
    return this.#logins;
  }

  /** The stored user, matched as the panel matches names; `undefined` when absent. */
  user(username: string): U | undefined {
    return this.users.get(this.keyOf(username));
  }

  /** How the panel matches usernames: lower-cased by default (Marzneshin stores them so); Marzban overrides. */
  protected keyOf(username: string): string {
    return username.toLowerCase();
  }

  // ------------------------------------------------------------------ for the panels

  /** Panel time in milliseconds since the epoch, from the simulator's clock. */
  protected now(): number {
    return this.clock.now().getTime();
  }

  /** The admin's username (the owner of users created through the API). */
  protected admin(): string {
    return this.#adminUsername;
  }

  /** A 401 as the panels answer a wrong username or password, or a fresh token (counted as a login). */
  protected issueToken(username: string, password: string): Response | string {
    if (username !== this.#adminUsername || password !== this.#adminPassword) {
      return json({ detail: 'Incorrect username or password' }, 401, { 'www-authenticate': 'Bearer' });
    }
    this.#logins++;
    return this.#tokens.issue(this.#adminUsername, this.now());
  }

  /** Runs `handler` when the request holds a live bearer token; the panel's 401 otherwise. */
  protected async authed(request: Request, handler: () => Response | Promise<Response>): Promise<Response> {
    return this.#tokens.reject(request, this.now()) ?? handler();
  }

  /** The stored user; throws a plain `Error` when absent (a bug in the test, not a panel answer). */
  protected require(username: string): U {
    const user = this.users.get(this.keyOf(username));
    if (!user) throw new Error(`no user ${username} on the simulated ${this.#panel}`);
    return user;
  }

  protected routePath(request: Request): string | null {
    return new URL(request.url).pathname.replace(/\/+$/, '') || '/';
  }

  protected async route(request: Request, path: string | null): Promise<Response> {
    const found = this.router.find(request.method, path ?? '/');
    if ('handler' in found) return found.handler(request, found.params, undefined);
    return json({ detail: found.methodMismatch ? 'Method Not Allowed' : 'Not Found' }, found.methodMismatch ? 405 : 404);
  }
}
