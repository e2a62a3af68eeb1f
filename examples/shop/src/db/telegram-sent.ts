import type { Clock } from '@panelkit/sdk';
import type { SqlQueryable } from '@panelkit/storage-postgres';

/** What `TelegramSentStore.claimMany` answers a send: the chat's unreachable mark, or whether its key was claimed now. */
export type SendClaim = { marked: string } | { claimed: boolean };

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
   * Claims each send's `idempotencyKey` for its chat unless the chat is marked unreachable (`TelegramUnreachableChats`),
   * all in one statement, answered in the order asked: Telegram's reason when the chat is marked (nothing claimed),
   * else whether the key was claimed (false: claimed before, so sent or its outcome unknown; a key asked twice is
   * claimed for its first ask only).
   */
  async claimMany(sends: readonly { idempotencyKey: string; chatId: string }[]): Promise<SendClaim[]> {
    if (sends.length === 0) return [];
    const { rows } = await this.db.query<{ reason: string | null; claimed: boolean }>(
      `WITH asked AS (SELECT * FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS a(idempotency_key, chat_id, n)),
       marked AS (
         SELECT a.n, u.reason FROM asked AS a JOIN ${this.schema}.telegram_unreachable_chats AS u ON u.chat_id = a.chat_id
       ),
       claimed AS (
         INSERT INTO ${this.schema}.telegram_sent (idempotency_key, chat_id, sent_at)
         SELECT a.idempotency_key, a.chat_id, $3::timestamptz FROM asked AS a
         WHERE NOT EXISTS (SELECT 1 FROM marked AS m WHERE m.n = a.n) ORDER BY a.idempotency_key
         ON CONFLICT DO NOTHING RETURNING idempotency_key
       )
       SELECT m.reason, a.idempotency_key IN (SELECT idempotency_key FROM claimed) AS claimed
       FROM asked AS a LEFT JOIN marked AS m ON m.n = a.n ORDER BY a.n`,
      [sends.map((s) => s.idempotencyKey), sends.map((s) => s.chatId), this.clock.now()],
    );
    const asked = new Set<string>();
    return rows.map((row, i) => {
      if (row.reason !== null) return { marked: row.reason };
      const key = sends[i]!.idempotencyKey;
      const first = !asked.has(key);
      asked.add(key);
      return { claimed: row.claimed && first };
    });
  }

  /** Gives a claimed key back: Telegram refused the send, so it may be tried again. */
  async release(idempotencyKey: string): Promise<void> {
    await this.db.query(`DELETE FROM ${this.schema}.telegram_sent WHERE idempotency_key = $1`, [idempotencyKey]);
  }
}
