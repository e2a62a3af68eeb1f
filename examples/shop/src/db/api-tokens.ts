import type { Clock } from '@panelkit/sdk';
import type { SqlQueryable } from '@panelkit/storage-postgres';
import { toAccount, type Account, type AccountRow } from './accounts.js';
import { hashToken, newToken } from './sessions.js';

export interface ApiTokenInfo {
  /** The first characters of the token's hash: enough to tell tokens apart, useless to an attacker. */
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** How stale a token's `lastUsedAt` may get: the tokens page shows it to the minute. */
const USE_NOTED_EVERY_SECONDS = 60;

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

  /**
   * The account a token belongs to, or `null`, in one statement (a request's every statement waits for a
   * pool connection); notes the token's use when the last one noted is a minute old or more. Only that
   * write makes PostgreSQL flush its log before answering: a bot's every request paid for one
   * (`bench/checkout`).
   */
  async accountOf(token: string): Promise<Account | null> {
    const { rows } = await this.db.query<AccountRow>(
      `WITH found AS (SELECT a.* FROM ${this.schema}.api_tokens t JOIN ${this.schema}.accounts a ON a.id = t.account_id
                       WHERE t.token_hash = $1),
            noted AS (UPDATE ${this.schema}.api_tokens SET last_used_at = $2
                       WHERE token_hash = $1 AND (last_used_at IS NULL OR last_used_at <= $2::timestamptz - interval '${USE_NOTED_EVERY_SECONDS} seconds'))
       SELECT * FROM found`,
      [hashToken(token), this.clock.now()],
    );
    return rows[0] === undefined ? null : toAccount(rows[0]);
  }

  /** The id of the account a token belongs to, or `null` (see {@link accountOf}). */
  async accountFor(token: string): Promise<string | null> {
    return (await this.accountOf(token))?.id ?? null;
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
