import type { StorefrontTelegramLinkStore } from '../../db/storefront-telegram-links.js';
import type { StorefrontSales } from '../../app/storefront-bots/storefront-sales.js';
import type { BotContext, BotDeps, StorefrontOfUpdate } from '../context.js';

/** A storefront bot's context: the bot's user resolved to the storefront's buyer, and the storefront (always set). */
export type StorefrontContext = BotContext & { storefront: StorefrontOfUpdate };

/** What a storefront bot's handlers share: the shop's bot deps (its token and settings), the storefront's tables and sales. */
export interface StorefrontDeps extends BotDeps {
  sales: StorefrontSales;
  buyers: StorefrontTelegramLinkStore;
}
