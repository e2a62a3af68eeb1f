import type { Clock } from '@panelkit/sdk';
import type { SqlQueryable } from '@panelkit/storage-postgres';
import { toAccount, type Account, type AccountRow } from './accounts.js';
import { hashToken, newToken } from './sessions.js';

/**
 * What a token may do on the JSON API (`/api/…`, its only reach): `read` looks (GET, price quotes), `write`
 * also buys, pays and changes subscriptions. Tokens made before scopes existed hold both.
 */
export const API_TOKEN_SCOPES = ['read', 'write'] as const;

/** One scope of an API token (see {@link API_TOKEN_SCOPES}). */
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

function scopesOf(text: string): ApiTokenScope[] {
  return API_TOKEN_SCOPES.filter((scope) => text.split(' ').includes(scope));
}

export interface ApiTokenInfo {
  /** The first characters of the token's hash: enough to tell tokens apart, useless to an attacker. */
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  scopes: ApiTokenScope[];
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

  /** A new token with `scopes` (default read and write); `read` is always included. */
  async create(
    accountId: string,
    name: string,
    scopes: readonly ApiTokenScope[] = API_TOKEN_SCOPES,
  ): Promise<{ token: string; info: ApiTokenInfo }> {
    const token = `pk_${newToken()}`;
    const hash = hashToken(token);
    const now = this.clock.now();
    const granted = scopesOf(['read', ...scopes].join(' '));
    await this.db.query(
      `INSERT INTO ${this.schema}.api_tokens (token_hash, account_id, name, created_at, scopes) VALUES ($1, $2, $3, $4, $5)`,
      [hash, accountId, name, now, granted.join(' ')],
    );
    return { token, info: { id: hash.slice(0, 12), name, createdAt: now, lastUsedAt: null, scopes: granted } };
  }

  /**
   * The account a token belongs to, or `null`, in one statement (a request's every statement waits for a
   * pool connection); notes the token's use when the last one noted is a minute old or more. Only that
   * write makes PostgreSQL flush its log before answering: a bot's every request paid for one
   * (`bench/checkout`).
   */
  async accountOf(token: string): Promise<Account | null> {
    return (await this.grantOf(token))?.account ?? null;
  }

  /** The account a token belongs to and what the token may do, or `null` (notes the use as {@link accountOf} says). */
  async grantOf(token: string): Promise<{ account: Account; scopes: ApiTokenScope[] } | null> {
    const { rows } = await this.db.query<AccountRow & { token_scopes: string }>(
      `WITH found AS (SELECT a.*, t.scopes AS token_scopes FROM ${this.schema}.api_tokens t JOIN ${this.schema}.accounts a ON a.id = t.account_id
                       WHERE t.token_hash = $1),
            noted AS (UPDATE ${this.schema}.api_tokens SET last_used_at = $2
                       WHERE token_hash = $1 AND (last_used_at IS NULL OR last_used_at <= $2::timestamptz - interval '${USE_NOTED_EVERY_SECONDS} seconds'))
       SELECT * FROM found`,
      [hashToken(token), this.clock.now()],
    );
    return rows[0] === undefined ? null : { account: toAccount(rows[0]), scopes: scopesOf(rows[0].token_scopes) };
  }

  /** The id of the account a token belongs to, or `null` (see {@link accountOf}). */
  async accountFor(token: string): Promise<string | null> {
    return (await this.accountOf(token))?.id ?? null;
  }

  async list(accountId: string): Promise<ApiTokenInfo[]> {
    const { rows } = await this.db.query<{ token_hash: string; name: string; created_at: Date; last_used_at: Date | null; scopes: string }>(
      `SELECT token_hash, name, created_at, last_used_at, scopes FROM ${this.schema}.api_tokens WHERE account_id = $1 ORDER BY created_at DESC`,
      [accountId],
    );
    return rows.map((r) => ({
      id: r.token_hash.slice(0, 12),
      name: r.name,
      createdAt: new Date(r.created_at),
      lastUsedAt: r.last_used_at === null ? null : new Date(r.last_used_at),
      scopes: scopesOf(r.scopes),
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
