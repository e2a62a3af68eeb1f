import { PaymentProviderUnavailableError } from '@panelkit/sdk';
import type { Shop } from '../../shop.js';
import { toShopPayment, type Payment } from '../records.js';
import { railMethods, railOffered, railSavesMethods, type GatewayRail } from './gateway-rails.js';
import { keyRefusalIn } from '@panelkit/payment-providers';
import { reportRefusedGatewayKey } from './refused-key-report.js';

/** What starting a gateway top-up came to: the payment and the gateway's page, or why not. */
export type StartedGatewayTopUp =
  | { ok: true; payment: Payment; payUrl: string }
  | {
      ok: false;
      reason: 'not_offered' | 'bad_method' | 'too_many_pending' | 'key_reused' | 'gateway_unavailable' | 'gateway_misconfigured';
    };

/**
 * Starts a wallet top-up through a gateway rail, for the web wallet, the JSON API and the bot alike: the gateway's
 * invoice or payment request is made first and the payment stored only once it exists (a gateway that is down
 * leaves nothing counted against the buyer). The same `requestKey` again gives the same payment. `base` is the
 * shop's public address, for the buyer's way back: the wallet (`web`), or a page with no sign-in that points back
 * to the bot (`bot`). A rail with ways to pay (EPay's Alipay and WeChat Pay) needs the buyer's `method`, one of them.
 * A gateway that refuses the shop's own merchant id or key is `gateway_misconfigured` (nothing stored; the owner is
 * told once, `reportRefusedGatewayKey`).
 */
export async function startGatewayTopUp(
  shop: Shop,
  request: {
    rail: GatewayRail;
    customerId: string;
    amount: number;
    requestKey: string;
    base: string;
    from: 'web' | 'bot';
    method?: string | null;
    /** The buyer keeps the method for auto-renewals when the wallet is short (rails that save methods; ignored by others). */
    saveMethod?: boolean;
  },
): Promise<StartedGatewayTopUp> {
  if (!(await railOffered(shop, request.rail))) return { ok: false, reason: 'not_offered' };
  const methods = railMethods(request.rail);
  const method = request.method ?? null;
  if (methods.length === 0 ? method !== null : method === null || !methods.includes(method)) return { ok: false, reason: 'bad_method' };
  try {
    const started = await shop.kit.payments.start({
      customerId: request.customerId,
      providerId: request.rail,
      amount: { amount: request.amount, currency: shop.config.currency },
      requestKey: request.requestKey,
      details: { requestKey: request.requestKey },
      returnUrl: `${request.base}/wallet/pay/${request.rail}/{paymentId}/${request.from === 'bot' ? 'back-to-bot' : 'return'}`,
      description: `${shop.config.shopName} wallet top-up`,
      method,
      ...(request.saveMethod === true && railSavesMethods(request.rail) ? { saveMethod: true, allowRenewal: true } : {}),
    });
    if (!started.ok) return { ok: false, reason: started.reason === 'too_many_pending' ? 'too_many_pending' : 'key_reused' };
    if (started.redirectUrl === null) return { ok: false, reason: 'gateway_unavailable' };
    return { ok: true, payment: toShopPayment(started.payment), payUrl: started.redirectUrl };
  } catch (error) {
    if (!PaymentProviderUnavailableError.is(error)) throw error;
    const refusal = keyRefusalIn(error);
    if (refusal !== null) {
      await reportRefusedGatewayKey(shop, request.rail, refusal);
      return { ok: false, reason: 'gateway_misconfigured' };
    }
    shop.logger.warn({ err: error, customerId: request.customerId, rail: request.rail }, 'a gateway top-up could not be started');
    return { ok: false, reason: 'gateway_unavailable' };
  }
}

/**
 * What became of a gateway top-up, asked of the gateway itself (never the buyer's query): `credited`, `failed`
 * (rejected or expired) or `waiting` (nothing final yet, or the gateway could not be asked).
 */
export async function gatewayTopUpOutcome(
  shop: Shop,
  paymentId: string,
  returned: Readonly<Record<string, string | undefined>>,
): Promise<'credited' | 'failed' | 'waiting'> {
  const settled = await shop.kit.payments.verify(paymentId, returned).catch((error: unknown) => {
    if (PaymentProviderUnavailableError.is(error)) return null;
    throw error;
  });
  // Whatever this call did, the payment's status says where it stands (one ended before is `unchanged` now).
  const status = settled?.payment?.status;
  if (status === 'credited') return 'credited';
  if (status === 'rejected' || status === 'expired' || status === 'cancelled') return 'failed';
  return 'waiting';
}
