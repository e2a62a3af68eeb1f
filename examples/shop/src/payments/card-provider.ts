import { z } from 'zod';
import { paymentsOf } from '../db/payments.js';
import { amountSchema } from './amount.js';
import { asciiDigits, referenceKey } from './digits.js';
import { REQUEST_KEY_PATTERN, type FormEnv, type PaymentProvider } from './provider.js';
import { parsePaidAt } from './paid-at.js';
import { payoutCard } from './payout-card.js';

/** Receipts one buyer may have waiting at once: enough for real use, too few to flood the admins. */
export const MAX_PENDING_RECEIPTS = 5;
/** How old a receipt may be when submitted. */
const MAX_RECEIPT_AGE_MS = 30 * 24 * 3600_000;
/** Clock drift between the buyer's phone, the bank and the shop. */
const FUTURE_SLACK_MS = 10 * 60_000;

export interface CardReceipt {
  amount: number;
  reference: string;
  referenceKey: string;
  cardLast4: string;
  paidAt: Date;
  idempotencyKey: string;
}

const required = { message: 'forms.required' };

function schema(env: FormEnv): z.ZodType<CardReceipt> {
  return z
    .object({
      amount: amountSchema(env.currency),
      reference: z
        .string(required)
        .trim()
        .min(1, required)
        .max(60, { message: 'wallet.errors.reference' })
        .refine((r) => /^[a-z0-9]{4,40}$/.test(referenceKey(r)), { message: 'wallet.errors.reference' }),
      cardLast4: z
        .string(required)
        .transform((v) => asciiDigits(v).trim())
        .refine((v) => /^[0-9]{4}$/.test(v), { message: 'wallet.errors.cardLast4' }),
      paidAt: z
        .string(required)
        .min(1, required)
        .transform((v, ctx) => {
          const at = parsePaidAt(v, env.timeZone);
          if (at === null) ctx.addIssue({ code: 'custom', message: 'wallet.errors.paidAt' });
          else if (at.getTime() > env.now.getTime() + FUTURE_SLACK_MS)
            ctx.addIssue({ code: 'custom', message: 'wallet.errors.paidAtFuture' });
          else if (at.getTime() < env.now.getTime() - MAX_RECEIPT_AGE_MS)
            ctx.addIssue({ code: 'custom', message: 'wallet.errors.paidAtOld' });
          return at ?? z.NEVER;
        }),
      idempotencyKey: z
        .string({ message: 'wallet.errors.formExpired' })
        .regex(REQUEST_KEY_PATTERN, { message: 'wallet.errors.formExpired' }),
    })
    .transform((r) => ({ ...r, referenceKey: referenceKey(r.reference) }));
}

/**
 * Card-to-card: the buyer pays to the shop's card at their bank and submits the receipt; an
 * admin checks the bank statement and approves or rejects it. A receipt reference is accepted
 * once, however it is typed (`referenceKey`, enforced by the unique index).
 */
export const cardProvider: PaymentProvider<CardReceipt> = {
  id: 'card',
  kind: 'manual',
  enabled: async (shop) => (await payoutCard(shop)) !== null,
  formSchema: schema,
  async submit(shop, customerId, input) {
    const created = await paymentsOf(shop).create(
      {
        customerId,
        provider: 'card',
        amount: { amount: input.amount, currency: shop.config.currency },
        status: 'pending',
        reference: input.reference,
        referenceKey: input.referenceKey,
        details: { cardLast4: input.cardLast4, paidAt: input.paidAt.toISOString(), requestKey: input.idempotencyKey },
      },
      { maxPending: MAX_PENDING_RECEIPTS },
    );
    if (created.ok) return { ok: true, payment: created.payment, replayed: false };
    if (created.reason === 'too_many_pending')
      return { ok: false, status: 429, field: '_form', messageKey: 'wallet.errors.tooManyPending', params: { max: MAX_PENDING_RECEIPTS } };
    const { existing } = created;
    // The same form sent twice (a double click, a retried request): the first one stands.
    if (existing.customerId === customerId && existing.details.requestKey === input.idempotencyKey)
      return { ok: true, payment: existing, replayed: true };
    return { ok: false, status: 409, field: 'reference', messageKey: 'wallet.errors.duplicateReference' };
  },
};
