import type { Api } from 'grammy';
import type { Shop } from '../../app/shop.js';
import { storefrontBots } from '../../app/storefront-bots/connect-bot.js';
import { storefrontBotApi } from '../../app/storefront-bots/bot-api.js';
import { StorefrontTelegramLinkStore } from '../../db/storefront-telegram-links.js';
import { pacedPerBot } from './pacing.js';

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

/** Where notices to a storefront's buyers go: their storefront bot's chat, and that bot's client. */
export interface StorefrontRoutes {
  /** The buyer's address with their storefront's bot, or `null` when they are no storefront bot's buyer (or it has no bot now). */
  addressOf(customerId: string): Promise<string | null>;
  /** A client of bot `botId` that waits for nothing (a job's 429 is its retry), paced per bot; `null` when it is gone. */
  apiOf(botId: string): Promise<Api | null>;
}

/** {@link StorefrontRoutes} on the shop's tables. */
export function storefrontRoutes(shop: Pick<Shop, 'db' | 'shopSchema' | 'clock' | 'secretBox' | 'config'>): StorefrontRoutes {
  const links = new StorefrontTelegramLinkStore(shop.db, shop.shopSchema, shop.clock);
  const bots = storefrontBots(shop);
  return {
    async addressOf(customerId) {
      const link = await links.byCustomer(customerId);
      if (link === null) return null;
      const bot = await bots.byStorefront(link.storefrontId);
      return bot === null ? null : storefrontAddress(bot.botId, link.chatId);
    },
    async apiOf(botId) {
      const bot = await bots.byBotId(botId);
      if (bot === null) return null;
      const api = storefrontBotApi(shop, bot.token);
      api.config.use(pacedPerBot(botId));
      return api;
    },
  };
}
