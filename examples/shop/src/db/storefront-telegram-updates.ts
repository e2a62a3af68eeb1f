import type { Clock } from '@panelkit/sdk';
import type { SqlClient } from '@panelkit/storage-postgres';
import { UPDATE_CLAIM_LEASE_MS, type UpdateClaim } from './telegram-updates.js';

/** How long handled update ids are kept: far past Telegram's 24 h redelivery window. */
const KEEP_UPDATES_MS = 7 * 24 * 3600_000;

/**
 * The `storefront_telegram_updates` table: the update ids each storefront bot's webhook claimed, keyed by the bot
 * (Telegram numbers updates per bot: two bots' update 1 are two updates). The same claim, finish and release as the
 * owner's bot (`telegram-updates.ts`): handled once across every replica, a redelivery of one still running waits.
 */
export class StorefrontUpdateLog {
  constructor(
    private readonly db: SqlClient,
    private readonly schema: string,
    private readonly clock: Clock,
  ) {}

  /** Claims bot `botId`'s update `updateId`: the first claim anywhere wins, and so does the first after an unfinished claim's lease ran out. */
  async claim(botId: string, updateId: number): Promise<UpdateClaim> {
    const now = this.clock.now();
    const { rows } = await this.db.query(
      `INSERT INTO ${this.schema}.storefront_telegram_updates AS u (bot_id, update_id, received_at, finished_at) VALUES ($1, $2, $3, NULL)
       ON CONFLICT (bot_id, update_id) DO UPDATE SET received_at = EXCLUDED.received_at
         WHERE u.finished_at IS NULL AND u.received_at < $4
       RETURNING 1`,
      [botId, updateId, now, new Date(now.getTime() - UPDATE_CLAIM_LEASE_MS)],
    );
    if (rows.length > 0) return 'claimed';
    const held = await this.db.query<{ finished: boolean }>(
      `SELECT finished_at IS NOT NULL AS finished FROM ${this.schema}.storefront_telegram_updates WHERE bot_id = $1 AND update_id = $2`,
      [botId, updateId],
    );
    return held.rows[0]?.finished === true ? 'handled' : 'running';
  }

  /** Marks a claimed update done: every later delivery of it is `handled`. */
  async finish(botId: string, updateId: number): Promise<void> {
    await this.db.query(`UPDATE ${this.schema}.storefront_telegram_updates SET finished_at = $3 WHERE bot_id = $1 AND update_id = $2`, [
      botId,
      updateId,
      this.clock.now(),
    ]);
  }

  /** Gives an update back (it failed before anything reached the user): a redelivery handles it again. */
  async release(botId: string, updateId: number): Promise<void> {
    await this.db.query(`DELETE FROM ${this.schema}.storefront_telegram_updates WHERE bot_id = $1 AND update_id = $2`, [botId, updateId]);
  }

  /** When the bot's webhook last received an update (within the week kept), or `null` when none is on record. */
  async lastSeen(botId: string): Promise<Date | null> {
    const { rows } = await this.db.query<{ at: Date | null }>(
      `SELECT max(received_at) AS at FROM ${this.schema}.storefront_telegram_updates WHERE bot_id = $1`,
      [botId],
    );
    const at = rows[0]?.at ?? null;
    return at === null ? null : new Date(at);
  }

  /** Forgets ids older than a week. */
  async prune(): Promise<void> {
    await this.db.query(`DELETE FROM ${this.schema}.storefront_telegram_updates WHERE received_at < $1`, [
      new Date(this.clock.now().getTime() - KEEP_UPDATES_MS),
    ]);
  }
}
