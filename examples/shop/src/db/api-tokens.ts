import type { Clock } from '@panelkit/sdk';
import type { SqlQueryable } from '@panelkit/storage-postgres';
import { hashToken, newToken } from './sessions.js';

export interface ApiTokenInfo {
  /** The first characters of the token's hash: enough to tell tokens apart, useless to an attacker. */
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** Bearer tokens for the JSON API (a bot, another front end). Only hashes are stored; the token is shown once. */
export class ApiTokenStore {
  constructor(
    private readonly db: SqlQueryable,
    private readonly schema: string,
    private readonly clock: Clock,
  ) {}

  async create(accountId: string, name: string): Promise<{ token: string; info: ApiTokenInfo }> {
    const token = `pk_${newToken()}`;
    const hash = hashToken(token);
    const now = this.clock.now();
    await this.db.query(`INSERT INTO ${this.schema}.api_tokens (token_hash, account_id, name, created_at) VALUES ($1, $2, $3, $4)`, [
      hash,
      accountId,
      name,
      now,
    ]);
    return { token, info: { id: hash.slice(0, 12), name, createdAt: now, lastUsedAt: null } };
  }

  /** The account a token belongs to (and notes its use), or `null`. */
  async accountFor(token: string): Promise<string | null> {
    const { rows } = await this.db.query<{ account_id: string }>(
      `UPDATE ${this.schema}.api_tokens SET last_used_at = $2 WHERE token_hash = $1 RETURNING account_id`,
      [hashToken(token), this.clock.now()],
    );
    return rows[0]?.account_id ?? null;
  }

  async list(accountId: string): Promise<ApiTokenInfo[]> {
    const { rows } = await this.db.query<{ token_hash: string; name: string; created_at: Date; last_used_at: Date | null }>(
      `SELECT token_hash, name, created_at, last_used_at FROM ${this.schema}.api_tokens WHERE account_id = $1 ORDER BY created_at DESC`,
      [accountId],
    );
    return rows.map((r) => ({
      id: r.token_hash.slice(0, 12),
      name: r.name,
      createdAt: new Date(r.created_at),
      lastUsedAt: r.last_used_at === null ? null : new Date(r.last_used_at),
    }));
  }

  async revoke(accountId: string, id: string): Promise<boolean> {
    const { rows } = await this.db.query(
      `DELETE FROM ${this.schema}.api_tokens WHERE account_id = $1 AND left(token_hash, 12) = $2 RETURNING 1`,
      [accountId, id],
    );
    return rows.length > 0;
  }
}
