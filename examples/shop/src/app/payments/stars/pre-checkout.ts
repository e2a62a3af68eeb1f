import type { TelegramLinkStore } from '../../../db/telegram-links.js';
import type { Shop } from '../../shop.js';
import { parseStarsPayload, STARS_CURRENCY, STARS_PROVIDER } from './provider.js';

/** Why a pre-checkout query is refused: the invoice is not the shop's, no longer pending, ran out, another amount, another payer. */
export type PreCheckoutRefusal = 'unknown' | 'not_pending' | 'expired' | 'amount' | 'not_yours';

/** What Telegram asks before it charges: the invoice's payload, the Stars it would charge, and who pays. */
export interface PreCheckoutQuery {
  payload: string;
  currency: string;
  totalAmount: number;
  telegramUserId: string;
}

/**
 * Whether Telegram may charge this pre-checkout query: only for a Stars payment of this shop that is still
 * pending and unexpired, for exactly the Stars its invoice asked, by the Telegram user of the payment's
 * buyer. Reads only (one payment, one link): answered well inside Telegram's 10 seconds.
 */
export async function checkStarsPreCheckout(
  shop: Shop,
  links: TelegramLinkStore,
  query: PreCheckoutQuery,
): Promise<{ ok: true } | { ok: false; reason: PreCheckoutRefusal }> {
  const invoice = parseStarsPayload(query.payload);
  const payment = invoice === null ? null : await shop.kit.payments.get(invoice.paymentId);
  if (invoice === null || payment === null || payment.providerId !== STARS_PROVIDER || payment.externalRef !== query.payload)
    return { ok: false, reason: 'unknown' };
  if (payment.status !== 'pending') return { ok: false, reason: 'not_pending' };
  if (payment.expiresAt !== null && payment.expiresAt.getTime() <= shop.clock.now().getTime()) return { ok: false, reason: 'expired' };
  if (query.currency !== STARS_CURRENCY || query.totalAmount !== invoice.stars || payment.details['stars'] !== invoice.stars)
    return { ok: false, reason: 'amount' };
  const link = await links.byCustomer(payment.customerId);
  if (link?.telegramUserId !== query.telegramUserId) return { ok: false, reason: 'not_yours' };
  return { ok: true };
}
