import type { Api } from 'grammy';
import type { Shop } from '../../app/shop.js';
import { storefrontBots } from '../../app/storefront-bots/connect-bot.js';
import { storefrontBotApi } from '../../app/storefront-bots/bot-api.js';
import { pacedPerBot } from './pacing.js';

// The address's format is kept beside the statement that builds it in SQL.
export { parseStorefrontAddress, storefrontAddress } from '../../db/telegram-unreachable.js';

/** How notices reach a storefront's buyers (their address: `TelegramUnreachableChats.reachableAddressOf`). */
export interface StorefrontRoutes {
  /** A client of bot `botId` that waits for nothing (a job's 429 is its retry), paced per bot; `null` when it is gone. */
  apiOf(botId: string): Promise<Api | null>;
}

/** {@link StorefrontRoutes} on the shop's tables. */
export function storefrontRoutes(shop: Pick<Shop, 'db' | 'shopSchema' | 'clock' | 'secretBox' | 'config'>): StorefrontRoutes {
  const bots = storefrontBots(shop);
  return {
    async apiOf(botId) {
      const bot = await bots.byBotId(botId);
      if (bot === null) return null;
      const api = storefrontBotApi(shop, bot.token);
      api.config.use(pacedPerBot(botId));
      return api;
    },
  };
}
