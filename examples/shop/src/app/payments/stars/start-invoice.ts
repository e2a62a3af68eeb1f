import { PaymentProviderUnavailableError } from '@panelkit/sdk';
import { TelegramLinkStore } from '../../../db/telegram-links.js';
import type { Shop } from '../../shop.js';
import { toShopPayment, type Payment } from '../records.js';
import { STARS_PROVIDER } from '@panelkit/payment-providers/stars';

/** A Stars top-up ready to pay: the payment, what it costs in Stars, and the invoice's payload and link. */
export type StartedStarsInvoice =
  | { ok: true; payment: Payment; stars: number; payload: string; invoiceLink: string; title: string }
  | { ok: false; reason: 'too_many_pending' | 'key_reused' | 'unavailable' | 'not_linked' };

/**
 * Starts a wallet top-up in Telegram Stars through the SDK (the bot, the web wallet and the JSON API alike; only for
 * a buyer whose Telegram account is linked, `not_linked` otherwise): priced at the owner's rate when the invoice is
 * made (the buyer sees the Stars before paying), stored only once Telegram made the invoice link. The same
 * `requestKey` again (a double tap, a redelivered update) gives the same payment and invoice.
 */
export async function startStarsInvoice(
  shop: Shop,
  request: { customerId: string; amount: number; requestKey: string },
): Promise<StartedStarsInvoice> {
  const title = `${shop.config.shopName} wallet top-up`.slice(0, 32);
  // Telegram lets only the buyer's own Telegram account pay (the pre-checkout check): a web buyer links it first.
  if ((await new TelegramLinkStore(shop.db, shop.shopSchema, shop.clock).byCustomer(request.customerId)) === null)
    return { ok: false, reason: 'not_linked' };
  try {
    const started = await shop.kit.payments.start({
      customerId: request.customerId,
      providerId: STARS_PROVIDER,
      amount: { amount: request.amount, currency: shop.config.currency },
      requestKey: request.requestKey,
      details: { requestKey: request.requestKey },
      description: title,
    });
    if (!started.ok) return { ok: false, reason: started.reason === 'too_many_pending' ? 'too_many_pending' : 'key_reused' };
    const { payment } = started;
    const stars = payment.details['stars'];
    const link = payment.details['invoiceLink'];
    if (typeof stars !== 'number' || typeof link !== 'string' || payment.externalRef === null) return { ok: false, reason: 'unavailable' };
    return { ok: true, payment: toShopPayment(payment), stars, payload: payment.externalRef, invoiceLink: link, title };
  } catch (error) {
    if (!PaymentProviderUnavailableError.is(error)) throw error;
    shop.logger.warn({ err: error, customerId: request.customerId }, 'a Stars invoice could not be made');
    return { ok: false, reason: 'unavailable' };
  }
}
