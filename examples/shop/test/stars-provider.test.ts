import { createPanelkit } from '@panelkit/sdk';
import { describePaymentProvider, ManualClock } from '@panelkit/sdk/testing';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { Api } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STARS_SECRET_HEADER, starsPayload, starsProvider } from '../src/app/payments/stars/provider.js';
import { starsFor } from '../src/app/payments/stars/stars-amount.js';
import { FakeTelegram } from './support/fake-telegram.js';

const SECRET = 'stars-callback-secret-for-tests';
const PAYER = 4242;
let fake: FakeTelegram;
beforeAll(async () => {
  fake = await FakeTelegram.start();
});
afterAll(async () => {
  await fake.close();
});

const provider = (rate: string | null = '2') =>
  starsProvider({
    rate: () => rate,
    api: () => new Api(fake.token, { apiRoot: fake.apiRoot }),
    callbackSecret: SECRET,
    payerOf: async () => PAYER,
  });

/** The message Telegram delivers about a charge of `payload`: paid, or refunded. */
function messageAbout(payload: string, chargeId: string, kind: 'successful_payment' | 'refunded_payment') {
  const charge = fake.charges.get(chargeId)!;
  return {
    message_id: 1,
    date: 0,
    chat: { id: PAYER, type: 'private' },
    from: { id: PAYER, is_bot: false, first_name: 'Payer' },
    [kind]: { currency: 'XTR', total_amount: charge.totalAmount, invoice_payload: payload, telegram_payment_charge_id: chargeId },
  };
}

describePaymentProvider('telegram stars (fake Bot API)', async () => ({
  provider: provider(),
  gateway: {
    pay: async (opened) => {
      const { chargeId } = fake.charge(PAYER, opened.externalRef);
      return {
        callback: {
          headers: { [STARS_SECRET_HEADER]: SECRET },
          body: messageAbout(opened.externalRef, chargeId, 'successful_payment'),
          query: {},
        },
      };
    },
    refund: async (opened) => {
      const [chargeId, charge] = [...fake.charges].find(([, c]) => c.payload === opened.externalRef)!;
      charge.refunded = true;
      return {
        callback: {
          headers: { [STARS_SECRET_HEADER]: SECRET },
          body: messageAbout(opened.externalRef, chargeId, 'refunded_payment'),
          query: {},
        },
      };
    },
    forge: (callback) => ({ ...callback, headers: { [STARS_SECRET_HEADER]: 'guessed' } }),
    setDown: (down) => {
      fake.down = down;
    },
  },
  // Refunds through the Bot API's refundStarPayment: Telegram refunds a charge once (no saved methods).
  capabilities: {
    refundCount: async () => [...fake.charges.values()].filter((c) => c.refunded).length,
    chargeCount: async () => 0,
    setChargeAnswer: () => undefined,
    setDown: (down) => {
      fake.down = down;
    },
  },
}));

describe('stars pricing and charges', () => {
  it('prices a top-up in whole Stars at the rate, rounded up, exactly', () => {
    expect(starsFor(500, 'USD', '50')).toBe(250);
    expect(starsFor(1, 'USD', '0.5')).toBe(1);
    expect(starsFor(1_000_000, 'IRR', '0.0025')).toBe(2500);
    expect(starsFor(1_000_001, 'IRR', '0.0025')).toBe(2501);
    expect(starsFor(1_999, 'USD', '1.1')).toBe(22);
  });

  it('a charge of other Stars than the invoice asked is a mismatch, left for an admin; two charges are two payments', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const storage = createMemoryStorage({ clock });
    const kit = createPanelkit({
      storage,
      clock,
      panels: () => null as never,
      policy: { identity: { secret: 'stars-test-secret-0123456789', prefix: 'pk' } },
      payments: { providers: [provider()] },
    });
    const buyer = (await storage.customers.create({ email: 'buyer@example.com' })).id;
    const started = await kit.payments.start({ customerId: buyer, providerId: 'stars', amount: { amount: 1_000, currency: 'USD' } });
    if (!started.ok) throw new Error(started.reason);
    const payload = started.payment.externalRef!;
    expect(payload).toBe(starsPayload(started.payment.id, 20));
    const callback = (body: unknown) => ({ headers: { [STARS_SECRET_HEADER]: SECRET }, body, query: {} });
    const wrong = { ...messageAbout(payload, fake.charge(PAYER, payload).chargeId, 'successful_payment') };
    (wrong.successful_payment as { total_amount: number }).total_amount = 19;
    expect(await kit.payments.handleCallback('stars', callback(wrong))).toMatchObject({ outcome: 'mismatch' });
    expect(await storage.ledger.balance(buyer, 'USD')).toBe(0);

    const first = fake.charge(PAYER, payload).chargeId;
    const second = fake.charge(PAYER, payload).chargeId;
    expect(await kit.payments.handleCallback('stars', callback(messageAbout(payload, first, 'successful_payment')))).toMatchObject({
      outcome: 'credited',
    });
    expect(await kit.payments.handleCallback('stars', callback(messageAbout(payload, first, 'successful_payment')))).toMatchObject({
      outcome: 'already_credited',
    });
    // A second charge of one invoice is money of its own: credited once as a payment of its own.
    expect(await kit.payments.handleCallback('stars', callback(messageAbout(payload, second, 'successful_payment')))).toMatchObject({
      outcome: 'credited',
    });
    expect(await kit.payments.handleCallback('stars', callback(messageAbout(payload, second, 'successful_payment')))).toMatchObject({
      outcome: 'already_credited',
    });
    expect(await storage.ledger.balance(buyer, 'USD')).toBe(2_000);
  });

  it('Stars switched off: nothing is opened', async () => {
    await expect(
      provider(null).open!({
        paymentId: 'pay_x',
        customerId: 'c',
        amount: { amount: 1, currency: 'USD' },
        returnUrl: null,
        description: 'x',
      }),
    ).rejects.toMatchObject({
      code: 'PAYMENT_PROVIDER_UNAVAILABLE',
    });
  });
});
