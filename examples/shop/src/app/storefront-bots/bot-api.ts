import type { Api } from 'grammy';
import type { Shop } from '../shop.js';
import { botApiOf, telegramClientOptions } from '../telegram-api.js';

/**
 * A Bot API client for a storefront's bot: the token is the storefront's, the API root the shop's
 * (TELEGRAM_API_ROOT, shared by every bot the shop runs). It waits for nothing in-process: a job's 429 is its retry.
 */
export function storefrontBotApi(shop: Pick<Shop, 'config'>, token: string, options: { timeoutSeconds?: number } = {}): Api {
  const apiRoot = shop.config.telegram?.apiRoot ?? null;
  return botApiOf(token, { ...telegramClientOptions({ apiRoot } as Parameters<typeof telegramClientOptions>[0]), ...options });
}
