import { Router } from 'express';
import { requireAccount } from '../http/viewer.js';
import { ctxOf, viewerOf } from '../http/context.js';
import { ShopError } from '../app/shop-error.js';
import { idParam } from '../app/input/ids.js';
import { paymentsOf } from '../app/payments/records.js';
import { activeStarsRate } from '../app/payments/stars/settings.js';
import { startStarsInvoice, type StartedStarsInvoice } from '../app/payments/stars/start-invoice.js';
import { STARS_PROVIDER } from '@panelkit/payment-providers/stars';
import type { Shop } from '../app/shop.js';
import { starsInvoicePage } from '../views/stars-invoice-page.js';
import { parseGatewayTopUp } from './gateway-rails.js';

/** Whether the shop takes Stars now: a bot to be paid to, and the owner's rate. */
export async function starsOffered(shop: Shop): Promise<boolean> {
  return shop.config.telegram !== null && (await activeStarsRate(shop)) !== null;
}

/** A Stars top-up's refusal as the shop's typed error (the web and the JSON API alike). */
export function starsRefusal(started: Extract<StartedStarsInvoice, { ok: false }>): ShopError {
  if (started.reason === 'not_linked') return new ShopError('conflict', 'payRails.stars.notLinked');
  if (started.reason === 'too_many_pending') return new ShopError('too_many_requests', 'payRails.stars.tooMany');
  if (started.reason === 'key_reused') return new ShopError('conflict', 'wallet.errors.formExpired');
  return new ShopError('unavailable', 'payRails.stars.unavailable');
}

/**
 * Stars from the web wallet: the top-up is priced in Stars and its invoice link handed out (it opens Telegram's
 * payment sheet in the buyer's Telegram); Telegram's successful payment then reaches the bot and credits the wallet.
 */
export function starsRoutes(shop: Shop): Router {
  const router = Router();
  router.post('/wallet/stars', requireAccount, async (req, res) => {
    if (!(await starsOffered(shop))) throw new ShopError('not_found', 'errors.notFound');
    const started = await startStarsInvoice(shop, { customerId: viewerOf(res).customer.id, ...parseGatewayTopUp(shop, req.body) });
    if (!started.ok) throw starsRefusal(started);
    res.redirect(303, `/wallet/stars/${started.payment.id}`);
  });
  router.get('/wallet/stars/:id', requireAccount, async (req, res) => {
    const payment = await paymentsOf(shop).get(idParam(req));
    if (payment === null || payment.customerId !== viewerOf(res).customer.id || payment.provider !== STARS_PROVIDER)
      throw new ShopError('not_found', 'errors.notFound');
    res.send(starsInvoicePage(ctxOf(res), payment).value);
  });
  return router;
}
