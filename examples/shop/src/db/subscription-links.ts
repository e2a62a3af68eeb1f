import { createHmac, randomBytes } from 'node:crypto';
import type { Clock } from '@panelkit/sdk';
import type { SqlQueryable } from '@panelkit/storage-postgres';
import { hashToken } from './sessions.js';

/** What a link token looks like; anything else is not worth a query. */
export const LINK_TOKEN_PATTERN = /^[A-Za-z0-9_-]{32}$/;

/**
 * Each customer's one shop-owned subscription link (`/s/<token>`). The token is an HMAC of the shop
 * secret over the customer and a random nonce, so the buyer's page can show it again while the table
 * keeps only the nonce and the token's SHA-256 (the lookup key). Rotating replaces both in one
 * statement: the old token stops resolving at once.
 */
export class SubscriptionLinkStore {
  constructor(
    private readonly db: SqlQueryable,
    private readonly schema: string,
    private readonly clock: Clock,
    private readonly secret: string,
  ) {}

  private tokenOf(customerId: string, nonce: string): string {
    return createHmac('sha256', this.secret).update(`subscription-link:${customerId}:${nonce}`).digest('base64url').slice(0, 32);
  }

  /**
   * The customer's current token, created on first use (concurrent first uses agree on one): one statement, the
   * insert or the row already there.
   */
  async tokenFor(customerId: string): Promise<string> {
    const nonce = randomBytes(16).toString('base64url');
    const now = this.clock.now();
    const table = `${this.schema}.subscription_links`;
    const { rows } = await this.db.query<{ nonce: string }>(
      `WITH created AS (
         INSERT INTO ${table} (customer_id, nonce, token_hash, created_at, rotated_at)
         VALUES ($1, $2, $3, $4, $4) ON CONFLICT (customer_id) DO NOTHING RETURNING nonce
       )
       SELECT nonce FROM created UNION ALL SELECT nonce FROM ${table} WHERE customer_id = $1 LIMIT 1`,
      [customerId, nonce, hashToken(this.tokenOf(customerId, nonce)), now],
    );
    // Neither: a concurrent first use committed its row after this statement's snapshot was taken; a new one sees it.
    const found =
      rows[0] ?? (await this.db.query<{ nonce: string }>(`SELECT nonce FROM ${table} WHERE customer_id = $1`, [customerId])).rows[0];
    return this.tokenOf(customerId, (found as { nonce: string }).nonce);
  }

  /** The customer a token belongs to, or `null` (unknown, malformed or rotated away). */
  async customerFor(token: string): Promise<string | null> {
    if (!LINK_TOKEN_PATTERN.test(token)) return null;
    const { rows } = await this.db.query<{ customer_id: string }>(
      `SELECT customer_id FROM ${this.schema}.subscription_links WHERE token_hash = $1`,
      [hashToken(token)],
    );
    return rows[0]?.customer_id ?? null;
  }

  /** The customers who have a link, after `afterId` (keyset, by id), at most `limit` of them. */
  async customersWithLinks(afterId: string, limit: number): Promise<string[]> {
    const { rows } = await this.db.query<{ customer_id: string }>(
      `SELECT customer_id FROM ${this.schema}.subscription_links WHERE customer_id > $1 ORDER BY customer_id LIMIT $2`,
      [afterId, limit],
    );
    return rows.map((r) => r.customer_id);
  }

  /** Replaces the customer's token with a new one (creating it when there was none) and returns it. */
  async rotate(customerId: string): Promise<string> {
    const nonce = randomBytes(16).toString('base64url');
    const now = this.clock.now();
    await this.db.query(
      `INSERT INTO ${this.schema}.subscription_links (customer_id, nonce, token_hash, created_at, rotated_at)
       VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (customer_id) DO UPDATE SET nonce = EXCLUDED.nonce, token_hash = EXCLUDED.token_hash, rotated_at = EXCLUDED.rotated_at`,
      [customerId, nonce, hashToken(this.tokenOf(customerId, nonce)), now],
    );
    return this.tokenOf(customerId, nonce);
  }
}
