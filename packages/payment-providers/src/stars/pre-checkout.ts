import type { Panelkit } from '@panelkit/sdk';
import { parseStarsPayload, STARS_CURRENCY, STARS_PROVIDER } from './provider.js';

/** Why a pre-checkout query is refused: the invoice is not the host's, no longer pending, ran out, another amount, another payer. */
export type PreCheckoutRefusal = 'unknown' | 'not_pending' | 'expired' | 'amount' | 'not_yours';

/** What Telegram asks before it charges: the invoice's payload, the Stars it would charge, and who pays. */
export interface PreCheckoutQuery {
  /** `invoice_payload`. */
  payload: string;
  /** `currency` (`XTR` for Stars). */
  currency: string;
  /** `total_amount`, in Stars. */
  totalAmount: number;
  /** `from.id`, as a string. */
  telegramUserId: string;
}

/** What {@link checkStarsPreCheckout} needs of the host besides the kit. */
export interface PreCheckoutHost {
  /** Now, on the host's clock (an expired invoice is refused). */
  now: Date;
  /** The Telegram user linked to a customer (the only one who may pay their invoices), or `null`. */
  telegramUserOf(customerId: string): Promise<string | null>;
}

/**
 * Whether Telegram may charge this pre-checkout query, framework-free (the host's bot answers
 * `answerPreCheckoutQuery` with it): only for a Stars payment of this kit that is still pending and unexpired, for
 * exactly the Stars its invoice asked, by the Telegram user linked to the payment's buyer. Reads only (one
 * payment, one link): answered well inside Telegram's 10 seconds.
 */
export async function checkStarsPreCheckout(
  kit: Pick<Panelkit, 'payments'>,
  query: PreCheckoutQuery,
  host: PreCheckoutHost,
): Promise<{ ok: true } | { ok: false; reason: PreCheckoutRefusal }> {
  const invoice = parseStarsPayload(query.payload);
  const payment = invoice === null ? null : await kit.payments.get(invoice.paymentId);
  if (invoice === null || payment === null || payment.providerId !== STARS_PROVIDER || payment.externalRef !== query.payload)
    return { ok: false, reason: 'unknown' };
  if (payment.status !== 'pending') return { ok: false, reason: 'not_pending' };
  if (payment.expiresAt !== null && payment.expiresAt.getTime() <= host.now.getTime()) return { ok: false, reason: 'expired' };
  if (query.currency !== STARS_CURRENCY || query.totalAmount !== invoice.stars || payment.details['stars'] !== invoice.stars)
    return { ok: false, reason: 'amount' };
  if ((await host.telegramUserOf(payment.customerId)) !== query.telegramUserId) return { ok: false, reason: 'not_yours' };
  return { ok: true };
}
