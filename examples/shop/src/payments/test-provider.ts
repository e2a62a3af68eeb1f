import { z } from 'zod';
import { paymentsOf } from '../db/payments.js';
import { amountSchema } from './amount.js';
import { REQUEST_KEY_PATTERN, type FormEnv, type PaymentProvider } from './provider.js';
import { creditPayment } from './settle.js';

export interface TestTopUp {
  amount: number;
  idempotencyKey: string;
}

const schema = (env: FormEnv): z.ZodType<TestTopUp> =>
  z.object({
    amount: amountSchema(env.currency),
    idempotencyKey: z.string({ message: 'wallet.errors.formExpired' }).regex(REQUEST_KEY_PATTERN, { message: 'wallet.errors.formExpired' }),
  });

/** For demos and tests only: whatever amount the buyer types is credited at once, no money involved. */
export const testProvider: PaymentProvider<TestTopUp> = {
  id: 'test',
  kind: 'instant',
  enabled: (shop) => shop.config.testPayments,
  formSchema: schema,
  async submit(shop, customerId, input) {
    const created = await paymentsOf(shop).create(
      {
        customerId,
        provider: 'test',
        amount: { amount: input.amount, currency: shop.config.currency },
        status: 'approved',
        reference: null,
        // The form's key doubles as the dedupe key: the same form sent twice is one payment.
        referenceKey: `${customerId}:${input.idempotencyKey}`,
        details: { requestKey: input.idempotencyKey },
      },
      { maxPending: null },
    );
    if (!created.ok) {
      if (created.reason === 'duplicate' && created.existing.customerId === customerId) {
        const entry = await creditPayment(shop, created.existing);
        return { ok: true, payment: { ...created.existing, creditedEntryId: entry.id }, replayed: true };
      }
      return { ok: false, status: 409, field: 'idempotencyKey', messageKey: 'wallet.errors.formExpired' };
    }
    const entry = await creditPayment(shop, created.payment);
    return { ok: true, payment: { ...created.payment, creditedEntryId: entry.id }, replayed: false };
  },
};
