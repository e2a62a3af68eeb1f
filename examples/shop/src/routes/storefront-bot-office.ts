import { Router, type Response } from 'express';
import { z } from 'zod';
import { viewerOf } from '../http/context.js';
import { requireAccount } from '../http/viewer.js';
import { ShopError } from '../app/shop-error.js';
import { storefrontBrands } from '../app/storefront-bots/brand.js';
import type { Shop } from '../app/shop.js';
import { brandOwnStorefront } from '../app/storefronts/brand-own-storefront.js';
import { connectOwnBot } from '../app/storefronts/connect-own-bot.js';
import { ownStorefront } from '../app/storefronts/own-storefront.js';
import { brandFromForm, formText } from './storefront-bot-forms.js';

/** `POST /api/v1/storefront/bot`'s body: the token @BotFather gave the reseller. */
export const BotBody = z.strictObject({ token: z.string().max(200) });

/**
 * A reseller's own bot and brand (issue 70), on the web (`/account/storefront/bot`, `/account/storefront/brand`) and
 * the JSON API (`/api/v1/storefront/bot`, `/api/v1/storefront/brand`). As every back office route, the storefront is
 * found from the signed-in customer, never from the request: a customer who runs none gets 404. Bad input is a 4xx
 * that saves nothing.
 */
export function storefrontBotOfficeRoutes(shop: Shop): Router {
  const router = Router();
  const customerOf = (res: Response) => viewerOf(res).customer.id;

  router.post('/account/storefront/bot', requireAccount, async (req, res) => {
    await connectOwnBot(shop, customerOf(res), formText(req.body, 'token', 200));
    res.redirect(303, '/account/storefront?done=storefronts.bot_connected');
  });

  router.post('/account/storefront/brand', requireAccount, async (req, res) => {
    const storefront = await ownStorefront(shop, customerOf(res));
    const current = await storefrontBrands(shop).get(storefront.id);
    await brandOwnStorefront(shop, customerOf(res), brandFromForm(req.body, current));
    res.redirect(303, '/account/storefront?done=storefronts.brand_saved');
  });

  router.post('/api/v1/storefront/bot', requireAccount, async (req, res) => {
    const customerId = customerOf(res);
    await ownStorefront(shop, customerId);
    const body = BotBody.safeParse(req.body ?? {});
    if (!body.success) throw new ShopError('invalid_input', 'errors.invalidInput');
    res.json(await connectOwnBot(shop, customerId, body.data.token));
  });

  router.post('/api/v1/storefront/brand', requireAccount, async (req, res) => {
    const brand = await brandOwnStorefront(shop, customerOf(res), req.body ?? {});
    res.json({ ...brand, updatedAt: brand.updatedAt.toISOString() });
  });
  return router;
}
