import type { Customer } from '@panelkit/sdk';
import type { Context } from 'grammy';
import type { TelegramConfig } from '../config/config.js';
import type { Locale, Translate } from '../i18n/translate.js';
import type { Shop } from '../app/shop.js';
import type { TelegramLink, TelegramLinkStore } from '../db/telegram-links.js';
import type { ReceiptPhotoStore } from '../db/telegram-receipt-photos.js';
import type { TelegramPromptStore } from '../db/telegram-prompts.js';

/** The person behind an update: their Telegram ids, the shop customer they act as, their language. */
export interface BotUser {
  telegramUserId: string;
  chatId: string;
  customer: Customer;
  locale: Locale;
  t: Translate;
  /** Listed in `TELEGRAM_ADMIN_IDS`. */
  isAdmin: boolean;
}

/**
 * A grammY context with the user the bot's middleware resolved (private chats only), and the sender's link as the
 * update's claim read it (`null`: not linked then; absent: not read).
 */
export type BotContext = Context & { user: BotUser; senderLink?: TelegramLink | null };

/** What the bot's handlers share: the shop, the bot's settings and its tables. */
export interface BotDeps {
  shop: Shop;
  config: TelegramConfig;
  links: TelegramLinkStore;
  photos: ReceiptPhotoStore;
  /** What the bot waits for an admin to type next. */
  prompts: TelegramPromptStore;
}
