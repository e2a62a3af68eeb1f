import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '@panelkit/sdk';
import type { SqlQueryable } from '@panelkit/storage-postgres';

export const SESSION_TTL_MS = 30 * 24 * 3600_000;

/** Only a hash of a token is stored, so a read of the table cannot be replayed as a login. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** One live session as its owner sees it in the list of their sessions. */
export interface SessionInfo {
  /** The first characters of the token's hash: names the session, useless to an attacker. */
  id: string;
  createdAt: Date;
  userAgent: string | null;
}

/** What a session token proves: its account, whether the second factor is still owed, when its owner last re-authenticated. */
export interface SessionState {
  accountId: string;
  secondFactorPending: boolean;
  reauthAt: Date | null;
  id: string;
  /** A hash of the CSRF cookie the session was opened with (`null`: a session from before sessions were bound). */
  csrfBinding: string | null;
}

/**
 * Server-side sessions: a random cookie token → an account, until it expires or the user signs out.
 * A session opened by a password for an account with a second factor is *pending* until the code is
 * given; `accountFor` does not count it.
 */
export class SessionStore {
  constructor(
    private readonly db: SqlQueryable,
    private readonly schema: string,
    private readonly clock: Clock,
  ) {}

  /** Returns the token for the cookie. A session opened by a password counts as a re-authentication now. */
  async create(
    accountId: string,
    options: { secondFactorPending?: boolean; userAgent?: string; csrfCookie?: string | null } = {},
  ): Promise<{ token: string; expiresAt: Date }> {
    const token = newToken();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
    await this.db.query(
      `INSERT INTO ${this.schema}.sessions (token_hash, account_id, created_at, expires_at, second_factor_pending, reauth_at, user_agent, csrf_binding)
       VALUES ($1, $2, $3, $4, $5, $3, $6, $7)`,
      [
        hashToken(token),
        accountId,
        now,
        expiresAt,
        options.secondFactorPending === true,
        options.userAgent?.slice(0, 300) ?? null,
        options.csrfCookie == null ? null : hashToken(`csrf|${options.csrfCookie}`),
      ],
    );
    return { token, expiresAt };
  }

  /** The account a live, fully signed-in token belongs to, or `null`. */
  async accountFor(token: string): Promise<string | null> {
    const state = await this.stateOf(token);
    return state === null || state.secondFactorPending ? null : state.accountId;
  }

  /** What a live token proves (pending ones too), or `null`. */
  async stateOf(token: string): Promise<SessionState | null> {
    const { rows } = await this.db.query<{
      account_id: string;
      second_factor_pending: boolean;
      reauth_at: Date | null;
      token_hash: string;
      csrf_binding: string | null;
    }>(
      `SELECT account_id, second_factor_pending, reauth_at, token_hash, csrf_binding FROM ${this.schema}.sessions WHERE token_hash = $1 AND expires_at > $2`,
      [hashToken(token), this.clock.now()],
    );
    const row = rows[0];
    if (row === undefined) return null;
    return {
      accountId: row.account_id,
      secondFactorPending: row.second_factor_pending,
      reauthAt: row.reauth_at === null ? null : new Date(row.reauth_at),
      id: row.token_hash.slice(0, 16),
      csrfBinding: row.csrf_binding,
    };
  }

  /**
   * Whether `csrfCookie` is the CSRF cookie the session was opened with. A session from before the binding
   * existed is bound now to the cookie it is first seen with.
   */
  async csrfBindingHolds(token: string, state: SessionState, csrfCookie: string): Promise<boolean> {
    const binding = hashToken(`csrf|${csrfCookie}`);
    if (state.csrfBinding !== null) return state.csrfBinding === binding;
    const { rows } = await this.db.query<{ csrf_binding: string }>(
      `UPDATE ${this.schema}.sessions SET csrf_binding = coalesce(csrf_binding, $2) WHERE token_hash = $1 RETURNING csrf_binding`,
      [hashToken(token), binding],
    );
    return rows[0] === undefined || rows[0].csrf_binding === binding;
  }

  /** Counts a wrong code given on a session waiting for its second factor; returns how many there were. */
  async countFailedCode(token: string): Promise<number> {
    const { rows } = await this.db.query<{ failed_codes: number }>(
      `UPDATE ${this.schema}.sessions SET failed_codes = failed_codes + 1 WHERE token_hash = $1 RETURNING failed_codes`,
      [hashToken(token)],
    );
    return rows[0]?.failed_codes ?? 0;
  }

  /** The second factor was given: the session is signed in, and re-authenticated now. */
  async completeSecondFactor(token: string): Promise<void> {
    await this.db.query(`UPDATE ${this.schema}.sessions SET second_factor_pending = false, reauth_at = $2 WHERE token_hash = $1`, [
      hashToken(token),
      this.clock.now(),
    ]);
  }

  /** The owner proved again who they are (password or code): dangerous actions are allowed for a few minutes. */
  async markReauthenticated(token: string): Promise<void> {
    await this.db.query(`UPDATE ${this.schema}.sessions SET reauth_at = $2 WHERE token_hash = $1 AND NOT second_factor_pending`, [
      hashToken(token),
      this.clock.now(),
    ]);
  }

  /** The account's live, signed-in sessions, newest first. */
  async list(accountId: string): Promise<SessionInfo[]> {
    const { rows } = await this.db.query<{ token_hash: string; created_at: Date; user_agent: string | null }>(
      `SELECT token_hash, created_at, user_agent FROM ${this.schema}.sessions
       WHERE account_id = $1 AND expires_at > $2 AND NOT second_factor_pending ORDER BY created_at DESC, token_hash`,
      [accountId, this.clock.now()],
    );
    return rows.map((r) => ({ id: r.token_hash.slice(0, 16), createdAt: new Date(r.created_at), userAgent: r.user_agent }));
  }

  /** Signs out one of the account's sessions by its listed id; false when there is no such session of this account. */
  async destroyById(accountId: string, id: string): Promise<boolean> {
    if (!/^[0-9a-f]{16}$/.test(id)) return false;
    const { rows } = await this.db.query(
      `DELETE FROM ${this.schema}.sessions WHERE account_id = $1 AND left(token_hash, 16) = $2 RETURNING 1`,
      [accountId, id],
    );
    return rows.length > 0;
  }

  async destroy(token: string): Promise<void> {
    await this.db.query(`DELETE FROM ${this.schema}.sessions WHERE token_hash = $1`, [hashToken(token)]);
  }

  /** Signs an account out everywhere (after a password change). */
  async destroyAll(accountId: string): Promise<void> {
    await this.db.query(`DELETE FROM ${this.schema}.sessions WHERE account_id = $1`, [accountId]);
  }

  async deleteExpired(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      `WITH gone AS (DELETE FROM ${this.schema}.sessions WHERE expires_at <= $1 RETURNING 1) SELECT count(*)::int AS n FROM gone`,
      [this.clock.now()],
    );
    return rows[0]?.n ?? 0;
  }
}
