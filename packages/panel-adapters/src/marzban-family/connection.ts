/** What the Marzban and Marzneshin adapters share in their set-up: options, HTTP with a token session, capabilities. */
import { systemClock, type Clock } from '@panelkit/sdk';
import type { PanelCapabilities } from '@panelkit/sdk/adapter';
import { connectionHttpOptions, type PanelConnectionOptions } from '../http/connection-options.js';
import { requireLogin, type PanelLogin } from '../http/credentials.js';
import { PanelHttp } from '../http/index.js';
import { TokenSession, type LoginRationing } from './token-session.js';

/** Connection options of a Marzban-family adapter: an admin login, rationed. */
export interface TokenPanelOptions extends PanelConnectionOptions {
  /** An admin's username and password (form login at the panel's token route). */
  readonly auth: PanelLogin;
  /** Where relative subscription URLs are resolved. Default `baseUrl`. */
  readonly subscriptionBaseUrl?: string;
  /** Time for login rationing. Default the system clock. */
  readonly clock?: Clock;
  /** Limits on logins (Marzban reports each one to the owner's Telegram). */
  readonly login?: LoginRationing;
}

/** One `PanelHttp` authenticated by a `TokenSession` that logs in at `tokenPath`. */
export function connectWithToken(kind: string, tokenPath: string, options: TokenPanelOptions): { http: PanelHttp; session: TokenSession } {
  const { username, password } = requireLogin(kind, options.auth);
  let http: PanelHttp | undefined;
  const session = new TokenSession({
    tokenPath,
    username,
    password,
    clock: options.clock ?? systemClock,
    ...options.login,
    context: (operation, extra) => (http as PanelHttp).context(operation, extra),
  });
  http = new PanelHttp(connectionHttpOptions(kind, options), session);
  return { http, session };
}

/**
 * Marzban and Marzneshin do the same things: one user per create, in-place edits, bulk listing,
 * on-hold users, resets. `stableShareLinks` defaults to true; Marzban passes false.
 */
export function tokenPanelCapabilities(maxConcurrency: number, overrides: Partial<PanelCapabilities> = {}): PanelCapabilities {
  return Object.freeze({
    stableShareLinks: true,
    batchCreate: false,
    inPlaceUpdate: true,
    bulkUsage: true,
    startOnFirstUse: true,
    enforcesExpiry: true,
    enforcesTrafficLimit: true,
    resetUsage: true,
    deviceLimit: false,
    maxConcurrency,
    ...overrides,
  });
}
