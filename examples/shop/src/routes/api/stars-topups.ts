import { Router } from 'express';
import { requireAccount } from '../../http/viewer.js';
import { ctxOf, viewerOf } from '../../http/context.js';
import { parseOrThrow } from '../../app/input/forms.js';
import { ShopError } from '../../app/shop-error.js';
import { startStarsInvoice } from '../../app/payments/stars/start-invoice.js';
import type { Shop } from '../../app/shop.js';
import { parseGatewayTopUp } from '../gateway-rails.js';
import { starsOffered, starsRefusal } from '../stars.js';
import { GatewayTopUpBody } from './gateway-topups.js';
import { paymentJson } from './wallet.js';

/** The JSON API's Stars top-up: the same use case as the bot and the web wallet; pay at `invoiceLink` in Telegram. */
export function starsTopUpApiRoutes(shop: Shop): Router {
  const router = Router();
  router.post('/api/v1/stars-topups', requireAccount, async (req, res) => {
    if (!(await starsOffered(shop))) throw new ShopError('not_found', 'errors.notFound');
    const body = parseOrThrow(GatewayTopUpBody, req.body, ctxOf(res).t);
    const started = await startStarsInvoice(shop, { customerId: viewerOf(res).customer.id, ...parseGatewayTopUp(shop, body) });
    if (!started.ok) throw starsRefusal(started);
    res.status(202).json({ payment: paymentJson(started.payment, ctxOf(res).t), stars: started.stars, invoiceLink: started.invoiceLink });
  });
  return router;
}
