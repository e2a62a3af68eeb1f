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

  /**
   * Claims `idempotencyKey` for a send to `chatId` unless the chat is marked unreachable (`TelegramUnreachableChats`),
   * in one statement: Telegram's reason when it is marked (nothing claimed), else whether the key was claimed (false:
   * claimed before, so sent or its outcome unknown).
   */
  async claim(idempotencyKey: string, chatId: string): Promise<{ marked: string } | { claimed: boolean }> {
    const { rows } = await this.db.query<{ reason: string | null; claimed: boolean }>(
      `WITH marked AS (SELECT reason FROM ${this.schema}.telegram_unreachable_chats WHERE chat_id = $2),
       claimed AS (
         INSERT INTO ${this.schema}.telegram_sent (idempotency_key, chat_id, sent_at)
         SELECT $1::text, $2::text, $3::timestamptz WHERE NOT EXISTS (SELECT 1 FROM marked) ON CONFLICT DO NOTHING RETURNING 1
       )
       SELECT (SELECT reason FROM marked) AS reason, EXISTS (SELECT 1 FROM claimed) AS claimed`,
      [idempotencyKey, chatId, this.clock.now()],
    );
    const row = rows[0]!;
    return row.reason === null ? { claimed: row.claimed } : { marked: row.reason };
  }

  /** Gives a claimed key back: Telegram refused the send, so it may be tried again. */
  async release(idempotencyKey: string): Promise<void> {
    await this.db.query(`DELETE FROM ${this.schema}.telegram_sent WHERE idempotency_key = $1`, [idempotencyKey]);
  }
}
