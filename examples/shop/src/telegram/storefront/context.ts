import type { StorefrontBrand } from '../../db/storefront-brands.js';
import type { StorefrontTelegramLinkStore } from '../../db/storefront-telegram-links.js';
import type { StorefrontSales, StorefrontView } from '../../app/storefront-bots/storefront-sales.js';
import type { BotContext, BotDeps } from '../context.js';

/** The storefront an update's bot serves, read once per update. */
export interface StorefrontOfUpdate {
  view: StorefrontView;
  botId: string;
  /** Its brand; `null`: none set yet (the storefront's name is shown). */
  brand: StorefrontBrand | null;
}

/** A storefront bot's context: the bot's user resolved to the storefront's buyer, and the storefront. */
export type StorefrontContext = BotContext & { storefront: StorefrontOfUpdate };

/** What a storefront bot's handlers share: the shop's bot deps (its token and settings), the storefront's tables and sales. */
export interface StorefrontDeps extends BotDeps {
  sales: StorefrontSales;
  buyers: StorefrontTelegramLinkStore;
}

/** The shop name a storefront's buyers see: its brand's, else the storefront's own name. */
export function brandName(storefront: StorefrontOfUpdate): string {
  return storefront.brand?.shopName ?? storefront.view.name;
}
