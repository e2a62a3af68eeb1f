import type { Clock } from '@panelkit/sdk';
import type { SqlClient } from '@panelkit/storage-postgres';

/** How long handled update ids are kept: far past Telegram's 24 h redelivery window. */
const KEEP_UPDATES_MS = 7 * 24 * 3600_000;

/**
 * The `telegram_updates` table: the update ids already handled, so an update Telegram delivers
 * again (a webhook retried, polling resumed after a crash) is handled once across every replica.
 */
export class TelegramUpdateLog {
  constructor(
    private readonly db: SqlClient,
    private readonly schema: string,
    private readonly clock: Clock,
  ) {}

  /** True for the first claim of an update id anywhere; false when it was claimed before. */
  async claim(updateId: number): Promise<boolean> {
    const { rows } = await this.db.query(
      `INSERT INTO ${this.schema}.telegram_updates (update_id, received_at) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING update_id`,
      [updateId, this.clock.now()],
    );
    return rows.length > 0;
  }

  /**
   * Gives an update back when handling it failed before any Bot API call could have reached the user, so a
   * redelivery tries again (every money action is keyed); one that may have shown something stays claimed.
   */
  async release(updateId: number): Promise<void> {
    await this.db.query(`DELETE FROM ${this.schema}.telegram_updates WHERE update_id = $1`, [updateId]);
  }

  /** Forgets ids older than a week. */
  async prune(): Promise<void> {
    await this.db.query(`DELETE FROM ${this.schema}.telegram_updates WHERE received_at < $1`, [
      new Date(this.clock.now().getTime() - KEEP_UPDATES_MS),
    ]);
  }
}
