import { z } from 'zod';
import { amountSchema } from './amount.js';
import { REQUEST_KEY_PATTERN, type FormEnv, type PaymentProvider } from './provider.js';
import { toShopPayment } from './records.js';

export interface TestTopUp {
  amount: number;
  idempotencyKey: string;
  /** Save the "test card" for later charges, and let it pay auto-renewals when the wallet is short. */
  saveMethod: boolean;
}

const schema = (env: FormEnv): z.ZodType<TestTopUp> =>
  z.object({
    amount: amountSchema(env.currency),
    idempotencyKey: z.string({ message: 'wallet.errors.formExpired' }).regex(REQUEST_KEY_PATTERN, { message: 'wallet.errors.formExpired' }),
    // A checkbox: `yes` when ticked (forms), or a boolean (JSON).
    saveMethod: z
      .union([z.literal('yes'), z.boolean()])
      .optional()
      .transform((v) => v === 'yes' || v === true),
  });

/**
 * For demos and tests only: whatever amount the buyer types is credited at once, no money involved (the SDK's
 * `testPaymentProvider`). Ticking "save" keeps a "test card" the SDK can refund to and charge for auto-renewals.
 */
export const testProvider: PaymentProvider<TestTopUp> = {
  id: 'test',
  kind: 'instant',
  enabled: (shop) => shop.config.testPayments,
  formSchema: schema,
  async submit(shop, customerId, input) {
    // The form's key is the request key: the same form sent twice is one payment, credited once.
    const started = await shop.kit.payments.start({
      customerId,
      providerId: 'test',
      amount: { amount: input.amount, currency: shop.config.currency },
      requestKey: input.idempotencyKey,
      details: { requestKey: input.idempotencyKey },
      saveMethod: input.saveMethod,
      allowRenewal: input.saveMethod,
    });
    if (!started.ok) return { ok: false, code: 'conflict', field: 'idempotencyKey', messageKey: 'wallet.errors.formExpired' };
    return { ok: true, payment: toShopPayment(started.payment), replayed: started.replayed };
  },
};
