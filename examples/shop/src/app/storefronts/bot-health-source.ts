import { GrammyError } from 'grammy';
import { storefrontWebhookUrl } from '../../config/public-addresses.js';
import { StorefrontUpdateLog } from '../../db/storefront-telegram-updates.js';
import type { Shop } from '../shop.js';
import { NO_BOT, type BotHealthSource, type StorefrontBotHealth } from './bot-health.js';
import { storefrontBotApi } from '../storefront-bots/bot-api.js';
import { storefrontBots } from '../storefront-bots/connect-bot.js';

/** What the back office says when the Bot API did not answer (the bot itself may be fine). */
export const TELEGRAM_UNREACHABLE = 'Telegram could not be reached';
/** What it says when Telegram has no webhook, or another one, for a bot the shop gave its own. */
export const WEBHOOK_NOT_SET = 'the webhook is not set on this shop';

/**
 * The back office's bot health from the bots' store: no row is `none`; a connected bot is asked for its webhook
 * (`getWebhookInfo`, a short timeout): a token Telegram refuses (its words), a webhook missing or pointing elsewhere, or
 * Telegram's last delivery error is `failing` with those words, an unreachable Bot API too. `lastUpdateAt` is the
 * last update its webhook received.
 */
export function storefrontBotHealth(shop: Shop): BotHealthSource {
  const updates = new StorefrontUpdateLog(shop.db, shop.shopSchema, shop.clock);
  return async (storefrontId) => {
    const bot = await storefrontBots(shop).byStorefront(storefrontId);
    if (bot === null) return NO_BOT;
    const lastUpdateAt = await updates.lastSeen(bot.botId);
    const health = (problem: string | null): StorefrontBotHealth => ({
      state: problem === null ? 'working' : 'failing',
      username: bot.username,
      problem,
      lastUpdateAt,
    });
    let info: Awaited<ReturnType<ReturnType<typeof storefrontBotApi>['getWebhookInfo']>>;
    try {
      info = await storefrontBotApi(shop, bot.token, { timeoutSeconds: 5 }).getWebhookInfo();
    } catch (error) {
      return health(error instanceof GrammyError && error.error_code < 500 ? error.description : TELEGRAM_UNREACHABLE);
    }
    const expected = storefrontWebhookUrl(shop.config, bot.botId);
    if (expected !== null && info.url !== expected) return health(WEBHOOK_NOT_SET);
    return health(info.last_error_message ?? null);
  };
}
