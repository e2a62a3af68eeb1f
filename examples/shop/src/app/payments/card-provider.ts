import { z } from 'zod';
import { amountSchema } from './amount.js';
import { asciiDigits, referenceKey } from '../input/digits.js';
import { REQUEST_KEY_PATTERN, type FormEnv, type PaymentProvider } from './provider.js';
import { parsePaidAt } from './paid-at.js';
import { payoutCard } from './payout-card.js';
import { toShopPayment } from './records.js';

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
 * Card-to-card: the buyer pays to the shop's card at their bank and submits the receipt; an admin
 * checks the bank statement and approves or rejects it (the SDK's `cardToCardProvider`). A receipt
 * reference is accepted once, however it is typed: its key is the payment's external reference.
 */
export const cardProvider: PaymentProvider<CardReceipt> = {
  id: 'card',
  kind: 'manual',
  enabled: async (shop) => (await payoutCard(shop)) !== null,
  formSchema: schema,
  async submit(shop, customerId, input) {
    const started = await shop.kit.payments.start({
      customerId,
      providerId: 'card',
      amount: { amount: input.amount, currency: shop.config.currency },
      externalRef: input.referenceKey,
      requestKey: input.idempotencyKey,
      details: {
        reference: input.reference,
        cardLast4: input.cardLast4,
        paidAt: input.paidAt.toISOString(),
        requestKey: input.idempotencyKey,
      },
    });
    if (started.ok) return { ok: true, payment: toShopPayment(started.payment), replayed: started.replayed };
    if (started.reason === 'too_many_pending')
      return {
        ok: false,
        code: 'too_many_requests',
        field: '_form',
        messageKey: 'wallet.errors.tooManyPending',
        params: { max: started.max },
      };
    return { ok: false, code: 'conflict', field: 'reference', messageKey: 'wallet.errors.duplicateReference' };
  },
};
