import type { Clock } from '@panelkit/sdk';
import type { SqlClient } from '@panelkit/storage-postgres';

/** A Telegram user who started a storefront's bot, the customer they are in that storefront, and their chat with its bot. */
export interface StorefrontTelegramLink {
  storefrontId: string;
  telegramUserId: string;
  chatId: string;
  customerId: string;
}

interface LinkRow {
  storefront_id: string;
  telegram_user_id: string;
  chat_id: string;
  customer_id: string;
}

const linkOf = (row: LinkRow): StorefrontTelegramLink => ({
  storefrontId: row.storefront_id,
  telegramUserId: row.telegram_user_id,
  chatId: row.chat_id,
  customerId: row.customer_id,
});

/**
 * The `storefront_telegram_links` table: per storefront, which customer a Telegram user is. The same person in two
 * storefronts' bots (or the owner's) is two customers, each with its own wallet, at its own storefront's prices.
 */
export class StorefrontTelegramLinkStore {
  constructor(
    private readonly db: SqlClient,
    private readonly schema: string,
    private readonly clock: Clock,
  ) {}

  /** The user's link in this storefront, or `null`. */
  async get(storefrontId: string, telegramUserId: string): Promise<StorefrontTelegramLink | null> {
    const { rows } = await this.db.query<LinkRow>(
      `SELECT * FROM ${this.schema}.storefront_telegram_links WHERE storefront_id = $1 AND telegram_user_id = $2`,
      [storefrontId, telegramUserId],
    );
    return rows[0] === undefined ? null : linkOf(rows[0]);
  }

  /** Links the user to this customer unless linked already: the link that stands (the first one, under races) is returned. */
  async linkIfNew(link: StorefrontTelegramLink): Promise<StorefrontTelegramLink> {
    await this.db.query(
      `INSERT INTO ${this.schema}.storefront_telegram_links (storefront_id, telegram_user_id, chat_id, customer_id, created_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [link.storefrontId, link.telegramUserId, link.chatId, link.customerId, this.clock.now()],
    );
    const stands = await this.get(link.storefrontId, link.telegramUserId);
    if (stands === null) throw new Error(`the storefront link of Telegram user ${link.telegramUserId} could not be written`);
    return stands;
  }
}
