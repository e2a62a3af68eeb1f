import type { Clock } from '@panelkit/sdk';
import type { SqlQueryable } from '@panelkit/storage-postgres';

/**
 * A storefront buyer's Telegram address as the notification channel keeps it: `sf:<bot id>:<chat id>`, so a notice
 * is sent through the bot of the storefront the buyer belongs to (the chat id alone names no bot), and a chat
 * marked unreachable is the one with that bot only.
 */
export function storefrontAddress(botId: string, chatId: string): string {
  return `sf:${botId}:${chatId}`;
}

/** The bot and chat of a {@link storefrontAddress}, or `null` for an owner's bot chat id. */
export function parseStorefrontAddress(address: string): { botId: string; chatId: string } | null {
  const match = /^sf:([0-9]{1,20}):(-?[0-9]{1,20})$/.exec(address);
  return match === null ? null : { botId: match[1]!, chatId: match[2]! };
}

/** {@link storefrontAddress} in SQL, of two text expressions. */
const storefrontAddressSql = (botId: string, chatId: string) => `'sf:' || ${botId} || ':' || ${chatId}`;

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

  /**
   * Where the bot reaches the customer, in one statement: a storefront's buyer (`storefront_telegram_links`) in the
   * chat with their storefront's bot ({@link storefrontAddress}) while it has one, else the chat their Telegram link
   * names (`telegram_links`); `null` when that address is marked, or there is none.
   */
  async reachableAddressOf(customerId: string): Promise<string | null> {
    return (await this.reachableAddressesOf([customerId])).get(customerId) ?? null;
  }

  /** {@link reachableAddressOf} of each customer, in one statement: the ones with an address, by customer id. */
  async reachableAddressesOf(customerIds: readonly string[]): Promise<Map<string, string>> {
    const { rows } = await this.db.query<{ customer_id: string; address: string }>(
      `WITH a AS (
         SELECT c.id AS customer_id, coalesce(
           (SELECT ${storefrontAddressSql('b.bot_id::text', 's.chat_id')}
            FROM ${this.schema}.storefront_telegram_links s JOIN ${this.schema}.storefront_bots b ON b.storefront_id = s.storefront_id
            WHERE s.customer_id = c.id),
           (SELECT l.chat_id FROM ${this.schema}.telegram_links l WHERE l.customer_id = c.id)) AS address
         FROM unnest($1::text[]) AS c(id)
       )
       SELECT a.customer_id, a.address FROM a
       WHERE a.address IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${this.table} u WHERE u.chat_id = a.address)`,
      [[...customerIds]],
    );
    return new Map(rows.map((r) => [r.customer_id, r.address]));
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
