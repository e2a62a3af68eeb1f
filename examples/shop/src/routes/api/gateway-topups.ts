import { Router } from 'express';
import { z } from 'zod';
import { requireAccount } from '../../http/viewer.js';
import { ctxOf, viewerOf } from '../../http/context.js';
import { parseOrThrow } from '../../app/input/forms.js';
import { ShopError } from '../../app/shop-error.js';
import { startGatewayTopUp } from '../../app/payments/rails/start-gateway-top-up.js';
import { REQUEST_KEY_PATTERN } from '../../app/payments/provider.js';
import { gatewayBase } from '../../config/public-addresses.js';
import type { Shop } from '../../app/shop.js';
import { refusalOf, parseGatewayTopUp } from '../gateway-rails.js';
import { paymentJson } from './wallet.js';
import { GATEWAY_TOP_UP_PATH, GatewayRailParam } from './gateway-topup-path.js';

/**
 * The body of `POST /api/v1/gateway-topups/:rail`: the amount in major units ("12.50"), the request's key, and for a
 * rail with ways to pay (EPay) the one picked (`alipay`, `wxpay`).
 */
export const GatewayTopUpBody = z.strictObject({
  amount: z.string().max(30),
  idempotencyKey: z.string().regex(REQUEST_KEY_PATTERN),
  method: z.string().max(40).optional(),
  /** Keep the method for auto-renewals when the wallet is short (a gateway whose `savesMethods` is true). */
  saveMethod: z.boolean().optional(),
});

/** The JSON API's gateway top-ups (every rail of `GATEWAY_RAILS`): the same use case as the wallet page and the bot. */
export function gatewayTopUpApiRoutes(shop: Shop): Router {
  const router = Router();
  router.post(GATEWAY_TOP_UP_PATH, requireAccount, async (req, res) => {
    const parsed = GatewayRailParam.safeParse(req.params['rail']);
    if (!parsed.success) throw new ShopError('not_found', 'errors.notFound');
    const rail = parsed.data;
    const body = parseOrThrow(GatewayTopUpBody, req.body, ctxOf(res).t);
    const started = await startGatewayTopUp(shop, {
      rail,
      customerId: viewerOf(res).customer.id,
      ...parseGatewayTopUp(shop, body),
      base: gatewayBase(shop.config),
      from: 'web',
    });
    if (!started.ok) throw refusalOf(started);
    res.status(202).json({ payment: paymentJson(started.payment, ctxOf(res).t), payUrl: started.payUrl });
  });
  return router;
}
