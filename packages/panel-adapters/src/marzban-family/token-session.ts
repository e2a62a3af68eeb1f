/**
 * The Marzban family's bearer-token session: a form login (`POST …/token`), the token cached and
 * sent as `Authorization: Bearer`, one fresh login when a request gets a 401.
 *
 * Marzban reports every login attempt to the panel owner's Telegram, synchronously, so logins are
 * rationed on top of PanelHttp's single flight and its one re-login per request:
 * - a refused login opens a breaker: every later call fails fast with `PanelAuthError` and the panel
 *   is not asked again until `authFailureCooldownMs` has passed;
 * - at most `maxLoginsPerWindow` logins per `loginWindowMs`, so a token that the panel keeps
 *   invalidating cannot turn a batch of jobs into a login storm.
 */
import { PanelAuthError, systemClock, type Clock, type PanelErrorContext } from '@panelkit/sdk';
import type { CallContext } from '@panelkit/sdk/adapter';
import { z } from 'zod';
import { errorForStatus, parseJson } from '../http/index.js';
import type { PanelRequest, PanelResponse, RawExchange, SessionStrategy } from '../http/index.js';
import { detailText } from './error-detail.js';

/**
 * Limits on logins, so a wrong password never turns into a login storm (Marzban reports each
 * login to the owner's Telegram). Durations in milliseconds.
 */
export interface LoginRationing {
  /** How long a refused login blocks further attempts. Default 15 minutes. */
  readonly authFailureCooldownMs?: number;
  /** Logins allowed per window. Default 5. */
  readonly maxLoginsPerWindow?: number;
  /** Default 10 minutes. */
  readonly loginWindowMs?: number;
}

/** A Marzban-family login: the panel's token route, the admin, and how refused logins are rationed. */
export interface TokenSessionOptions extends LoginRationing {
  /** `api/admin/token` (Marzban) or `api/admins/token` (Marzneshin). */
  readonly tokenPath: string;
  readonly username: string;
  readonly password: string;
  readonly clock?: Clock;
  /** Error context for this panel. */
  readonly context: (operation: string, extra?: Partial<PanelErrorContext>) => PanelErrorContext;
}

const TokenSchema = z.object({ access_token: z.string().min(1), token_type: z.string() });
const RENEW_BEFORE_MS = 30_000;
const ClaimsSchema = z.object({ exp: z.number().optional() });

/** The `exp` claim of a JWT in ms; `null` when the token is not a JWT or has no `exp`. Not verified: only a hint. */
function expiryOf(token: string): number | null {
  const payload = token.split('.')[1];
  if (payload === undefined) return null;
  try {
    const claims = ClaimsSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    return claims.success && claims.data.exp !== undefined ? claims.data.exp * 1000 : null;
  } catch {
    return null;
  }
}

export class TokenSession implements SessionStrategy {
  #token: string | null = null;
  /** The token's `exp` claim in ms, when it has one (`JWT_ACCESS_TOKEN_EXPIRE_MINUTES=0` gives none). */
  #expiresAt: number | null = null;
  /** The token each request went out with, to tell a stale 401 from a lost session. */
  readonly #sentWith = new WeakMap<PanelRequest, string>();
  /** The last 401 came back on a token that a newer login has already replaced. */
  #staleLoss = false;
  #blockedUntil = 0;
  #blockReason = '';
  readonly #logins: number[] = [];
  #accepted = 0;
  readonly #options: TokenSessionOptions;
  readonly #clock: Clock;

  constructor(options: TokenSessionOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** Logins this session made that the panel accepted. */
  get acceptedLogins(): number {
    return this.#accepted;
  }

  needsLogin(): boolean {
    return this.#token === null || this.#expiring();
  }

  /** Renew a little before `exp`, rather than spend a request on the 401. */
  #expiring(): boolean {
    return this.#expiresAt !== null && this.#clock.now().getTime() >= this.#expiresAt - RENEW_BEFORE_MS;
  }

  async login(raw: RawExchange, ctx: CallContext): Promise<void> {
    // A request that went out before a newer login only needs that newer token, not another login.
    if (this.#token !== null && !this.#expiring()) return;
    const now = this.#clock.now().getTime();
    const context = this.#options.context('login', ctx.attempt === undefined ? {} : { attempt: ctx.attempt });
    if (now < this.#blockedUntil) {
      throw new PanelAuthError(`not logging in again yet: ${this.#blockReason}`, context, {
        details: { retryAt: new Date(this.#blockedUntil).toISOString() },
      });
    }
    const windowMs = this.#options.loginWindowMs ?? 10 * 60_000;
    while (this.#logins.length > 0 && this.#logins[0]! <= now - windowMs) this.#logins.shift();
    const budget = this.#options.maxLoginsPerWindow ?? 5;
    if (this.#logins.length >= budget) {
      throw new PanelAuthError(`${budget} logins within ${Math.round(windowMs / 1000)} s; not logging in again yet`, context, {
        retryable: true,
      });
    }
    this.#logins.push(now);
    const response = await raw.exchange(
      {
        operation: 'login',
        method: 'POST',
        path: this.#options.tokenPath,
        form: { grant_type: 'password', username: this.#options.username, password: this.#options.password },
      },
      ctx,
    );
    if (response.status === 401 || response.status === 403 || response.status === 422) {
      this.#blockedUntil = now + (this.#options.authFailureCooldownMs ?? 15 * 60_000);
      this.#blockReason = 'the panel refused the username or password';
      throw new PanelAuthError('the panel refused the username or password', { ...context, status: response.status });
    }
    if (response.status < 200 || response.status >= 300) {
      throw errorForStatus(response, context, { message: safeDetail(response) });
    }
    this.#token = parseJson(response, TokenSchema, context).access_token;
    this.#expiresAt = expiryOf(this.#token);
    this.#accepted++;
  }

  authHeaders(request: PanelRequest): Record<string, string> {
    if (this.#token === null) return {};
    this.#sentWith.set(request, this.#token);
    return { authorization: `Bearer ${this.#token}` };
  }

  isAuthLost(response: PanelResponse, request: PanelRequest): boolean {
    if (response.status !== 401) return false;
    const used = this.#sentWith.get(request);
    this.#staleLoss = used !== undefined && this.#token !== null && used !== this.#token;
    return true;
  }

  invalidate(): void {
    if (this.#staleLoss) {
      this.#staleLoss = false;
      return;
    }
    this.#token = null;
    this.#expiresAt = null;
  }
}

function safeDetail(response: PanelResponse): string | undefined {
  try {
    return detailText(JSON.parse(response.body)) ?? undefined;
  } catch {
    return undefined;
  }
}
