import type { Customer, Money, PriceBookEntry } from '@panelkit/sdk';
import type { CustomerWithPriceBook } from '@panelkit/sdk/storage';
import type { Context } from 'grammy';
import type { TelegramConfig } from '../config/config.js';
import type { Locale, Translate } from '../i18n/translate.js';
import type { Shop } from '../app/shop.js';
import type { StorefrontView } from '../app/storefront-bots/storefront-sales.js';
import type { StorefrontBrand } from '../db/storefront-brands.js';
import type { TelegramLink, TelegramLinkStore } from '../db/telegram-links.js';
import type { NewSenderRead } from '../db/telegram-updates.js';
import type { ReceiptPhotoStore } from '../db/telegram-receipt-photos.js';
import type { TelegramPromptStore } from '../db/telegram-prompts.js';

/** The person behind an update: their Telegram ids, the shop customer they act as, their language. */
export interface BotUser {
  telegramUserId: string;
  /**
   * The chat as the shop addresses it, and what the screens' idempotency keys are made of: the chat id in the owner's
   * bot, `sf:<bot id>:<chat id>` in a storefront's (`storefrontAddress`), so one Telegram user's taps in two bots
   * never share a key.
   */
  chatId: string;
  customer: Customer;
  /**
   * The customer's price book lines, read with the customer (none for a buyer at list prices): what the buyer screens
   * price plans with, without a read a screen. Absent where it was not read (a storefront's bot): each screen reads it.
   */
  priceBook?: readonly PriceBookEntry[];
  /**
   * The customer's ledger balances, read with the customer (`ledger.balances`: a currency not listed is 0), for the
   * screens that show one. Absent where they were not read (a customer made by this update, a storefront's bot).
   */
  balances?: readonly Money[];
  locale: Locale;
  t: Translate;
  /** Listed in `TELEGRAM_ADMIN_IDS`. */
  isAdmin: boolean;
}

/**
 * The storefront a storefront bot's update is for (issue 70), read once per update by that bot's runtime. The buyer
 * screens (`buyer/*`) speak for it when it is set (its name, its menu, its rails: `face.ts`), for the owner's shop
 * when it is absent (the owner's bot).
 */
export interface StorefrontOfUpdate {
  view: StorefrontView;
  /** The Telegram id of the storefront's bot that received the update. */
  botId: string;
  /** Its brand; `null`: none set yet (the storefront's name is shown). */
  brand: StorefrontBrand | null;
  /** The sender runs this storefront: the reseller's shop account is linked to this Telegram user (the owner's bot's link). */
  byReseller: boolean;
}

/**
 * A grammY context with the user the bot's middleware resolved (private chats only), the sender's link and that
 * link's customer as the update's claim read them (`null`: not linked then; absent: not read), for a sender with no
 * link the customer keyed by their Telegram id and the new account's slot the claim took (absent: not read), and in a
 * storefront's bot its storefront.
 */
export type BotContext = Context & {
  user: BotUser;
  senderLink?: TelegramLink | null;
  senderCustomer?: CustomerWithPriceBook | null;
  senderNew?: NewSenderRead;
  storefront?: StorefrontOfUpdate;
};

/** What the bot's handlers share: the shop, the bot's settings and its tables. */
export interface BotDeps {
  shop: Shop;
  config: TelegramConfig;
  links: TelegramLinkStore;
  photos: ReceiptPhotoStore;
  /** What the bot waits for an admin to type next. */
  prompts: TelegramPromptStore;
}
