import { Router } from 'express';
import { requireAccount } from '../http/viewer.js';
import { viewerOf } from '../http/context.js';
import { ShopError } from '../app/shop-error.js';
import type { Shop } from '../app/shop.js';

/** What linking needs of the bot: a one-time deep link that ties a Telegram user to a customer. */
export interface TelegramDeepLinks {
  deepLink(customerId: string): Promise<string>;
}

/**
 * `POST /account/telegram`: a signed-in buyer gets a one-time deep link into the bot (`/start
 * <token>`), which ties their Telegram to this account. 404 when the bot is off.
 */
export function telegramLinkRoutes(_shop: Shop, telegram: TelegramDeepLinks | null): Router {
  const router = Router();
  router.post('/account/telegram', requireAccount, async (_req, res) => {
    if (telegram === null) throw new ShopError('not_found', 'telegram.web.off');
    res.redirect(303, await telegram.deepLink(viewerOf(res).customer.id));
  });
  return router;
}
