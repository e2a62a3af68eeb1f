import type { Clock } from '@panelkit/sdk';
import type { SqlQueryable } from '@panelkit/storage-postgres';

/**
 * The `telegram_unreachable_chats` table: chats Telegram refused for good (blocked the bot, chat not found, user
 * deactivated). Nothing is sent to a marked chat until an update from it arrives and clears the mark
 * (`TelegramUpdateLog.claim`).
 */
export class TelegramUnreachableChats {
  constructor(
    private readonly db: SqlQueryable,
    private readonly schema: string,
    private readonly clock: Clock,
  ) {}

  private get table(): string {
    return `${this.schema}.telegram_unreachable_chats`;
  }

  /** Marks the chat unreachable with Telegram's reason (a later refusal keeps the first mark's time). */
  async mark(chatId: string, reason: string): Promise<void> {
    await this.db.query(
      `INSERT INTO ${this.table} (chat_id, reason, marked_at) VALUES ($1, $2, $3) ON CONFLICT (chat_id) DO UPDATE SET reason = EXCLUDED.reason`,
      [chatId, reason.slice(0, 500), this.clock.now()],
    );
  }

  /** Unmarks the chat: it wrote to the bot (or unblocked it), so it may be sent to again. */
  async clear(chatId: string): Promise<void> {
    await this.db.query(`DELETE FROM ${this.table} WHERE chat_id = $1`, [chatId]);
  }

  /** Telegram's reason when the chat is marked, else `null`. */
  async reasonOf(chatId: string): Promise<string | null> {
    const { rows } = await this.db.query<{ reason: string }>(`SELECT reason FROM ${this.table} WHERE chat_id = $1`, [chatId]);
    return rows[0]?.reason ?? null;
  }

  /** The chat the customer's Telegram link names (`telegram_links`), unless it is marked; `null` without either. */
  async reachableChatOf(customerId: string): Promise<string | null> {
    const { rows } = await this.db.query<{ chat_id: string }>(
      `SELECT l.chat_id FROM ${this.schema}.telegram_links l
       WHERE l.customer_id = $1 AND NOT EXISTS (SELECT 1 FROM ${this.table} u WHERE u.chat_id = l.chat_id)`,
      [customerId],
    );
    return rows[0]?.chat_id ?? null;
  }

  /** Those of `chatIds` that are not marked, in their order. */
  async reachable(chatIds: readonly string[]): Promise<string[]> {
    if (chatIds.length === 0) return [];
    const { rows } = await this.db.query<{ chat_id: string }>(`SELECT chat_id FROM ${this.table} WHERE chat_id = ANY($1::text[])`, [
      [...chatIds],
    ]);
    const marked = new Set(rows.map((r) => r.chat_id));
    return chatIds.filter((id) => !marked.has(id));
  }
}
