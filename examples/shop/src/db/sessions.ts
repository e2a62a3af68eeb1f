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

/** Server-side sessions: a random cookie token → an account, until it expires or the user signs out. */
export class SessionStore {
  constructor(
    private readonly db: SqlQueryable,
    private readonly schema: string,
    private readonly clock: Clock,
  ) {}

  /** Returns the token for the cookie. */
  async create(accountId: string): Promise<{ token: string; expiresAt: Date }> {
    const token = newToken();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
    await this.db.query(`INSERT INTO ${this.schema}.sessions (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`, [
      hashToken(token),
      accountId,
      now,
      expiresAt,
    ]);
    return { token, expiresAt };
  }

  /** The account a live token belongs to, or `null`. */
  async accountFor(token: string): Promise<string | null> {
    const { rows } = await this.db.query<{ account_id: string }>(
      `SELECT account_id FROM ${this.schema}.sessions WHERE token_hash = $1 AND expires_at > $2`,
      [hashToken(token), this.clock.now()],
    );
    return rows[0]?.account_id ?? null;
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
