import type { Clock } from '@panelkit/sdk';
import type { SqlClient } from '@panelkit/storage-postgres';
import { hashToken, newToken } from './sessions.js';

/** How long a reset link works. */
export const RESET_TTL_MS = 30 * 60_000;

/** Who asked for a link: the buyer (by email or Telegram) or an admin (by account id). */
export type ResetIssuer = 'email' | 'telegram' | `admin:${string}`;

/**
 * One-time password-reset tokens. Only their SHA-256 is stored; a token works once, for
 * {@link RESET_TTL_MS}, and redeeming it sets the password and ends every session of the account
 * in one transaction (so a stolen session does not outlive the reset).
 */
export class PasswordResetStore {
  constructor(
    private readonly db: SqlClient,
    private readonly schema: string,
    private readonly clock: Clock,
  ) {}

  /** A new token for the account (returned once, never stored in the clear). */
  async issue(accountId: string, issuedBy: ResetIssuer): Promise<{ token: string; expiresAt: Date }> {
    const token = newToken();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + RESET_TTL_MS);
    await this.db.query(
      `INSERT INTO ${this.schema}.password_resets (token_hash, account_id, issued_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
      [hashToken(token), accountId, issuedBy, now, expiresAt],
    );
    return { token, expiresAt };
  }

  /** How many links the account was sent since `since` (for the per-account limit). */
  async issuedSince(accountId: string, since: Date): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${this.schema}.password_resets WHERE account_id = $1 AND created_at > $2`,
      [accountId, since],
    );
    return rows[0]?.n ?? 0;
  }

  /** Whether the token is unused and unexpired (the reset form is shown only then). */
  async isUsable(token: string): Promise<boolean> {
    const { rows } = await this.db.query(
      `SELECT 1 FROM ${this.schema}.password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`,
      [hashToken(token), this.clock.now()],
    );
    return rows.length > 0;
  }

  /**
   * Spends the token: sets the password, ends every session of the account and voids its other
   * links, all or nothing. The account id, or `null` when the token is unknown, used or expired.
   */
  async redeem(token: string, passwordHash: string): Promise<string | null> {
    const now = this.clock.now();
    return this.db.transaction(async (db) => {
      const { rows } = await db.query<{ account_id: string }>(
        `UPDATE ${this.schema}.password_resets SET used_at = $2
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING account_id`,
        [hashToken(token), now],
      );
      const accountId = rows[0]?.account_id;
      if (accountId === undefined) return null;
      await db.query(`UPDATE ${this.schema}.accounts SET password_hash = $2 WHERE id = $1`, [accountId, passwordHash]);
      await db.query(`DELETE FROM ${this.schema}.sessions WHERE account_id = $1`, [accountId]);
      await db.query(`UPDATE ${this.schema}.password_resets SET used_at = $2 WHERE account_id = $1 AND used_at IS NULL`, [accountId, now]);
      return accountId;
    });
  }
}

/** The shop's reset-token store. */
export function passwordResetsOf(shop: { db: SqlClient; shopSchema: string; clock: Clock }): PasswordResetStore {
  return new PasswordResetStore(shop.db, shop.shopSchema, shop.clock);
}
