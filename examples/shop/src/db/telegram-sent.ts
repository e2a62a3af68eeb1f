import type { Clock } from '@panelkit/sdk';
import type { SqlQueryable } from '@panelkit/storage-postgres';

/**
 * The Telegram notifications sent, by idempotency key: a send claims its key before calling Telegram, so a
 * retried job never sends twice; a send Telegram refused gives its key back to be tried again.
 */
export class TelegramSentStore {
  constructor(
    private readonly db: SqlQueryable,
    private readonly schema: string,
    private readonly clock: Clock,
  ) {}

  /** Claims `idempotencyKey` for a send to `chatId`; false when it was claimed before (sent, or its outcome unknown). */
  async claim(idempotencyKey: string, chatId: string): Promise<boolean> {
    const { rows } = await this.db.query(
      `INSERT INTO ${this.schema}.telegram_sent (idempotency_key, chat_id, sent_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING chat_id`,
      [idempotencyKey, chatId, this.clock.now()],
    );
    return rows.length > 0;
  }

  /** Gives a claimed key back: Telegram refused the send, so it may be tried again. */
  async release(idempotencyKey: string): Promise<void> {
    await this.db.query(`DELETE FROM ${this.schema}.telegram_sent WHERE idempotency_key = $1`, [idempotencyKey]);
  }
}
