import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveStripeSettings } from '../src/app/payments/stripe/settings.js';
import { saveYooKassaSettings } from '../src/app/payments/yookassa/settings.js';
import { StripeSimulator, YooKassaSimulator } from '@panelkit/payment-providers/simulators';
import { signedUpBuyer, startShop, type ShopUnderTest } from './support/shop-under-test.js';

/** The gateway's page the shop's payment page links to (`data-testid="pay-on-gateway"`). */
const gatewayLink = (page: string): string | null => /href="([^"]+)"[^>]*data-testid="pay-on-gateway"/.exec(page)?.[1] ?? null;

/**
 * One buyer action, one payment at the provider: a wallet top-up whose create reached the gateway but whose answer
 * was lost, sent again by the buyer with the same form (same idempotency key), is the payment the gateway made the
 * first time; the form sent once more is the same payment page. The form's key with another amount is refused.
 */
describe.each([
  {
    rail: 'yookassa' as const,
    currency: 'RUB',
    method: { method: 'smart' } as Record<string, string>,
    start: async () => new YooKassaSimulator().start(),
    enable: (t: ShopUnderTest, sim: YooKassaSimulator | StripeSimulator) => {
      const yk = sim as YooKassaSimulator;
      return saveYooKassaSettings(
        t.shop,
        { enabled: true, baseUrl: yk.url, shopId: yk.shopId, secretKey: yk.secretKey, receipts: false, vatCode: 1 },
        new Date(),
        null,
      );
    },
    count: (sim: YooKassaSimulator | StripeSimulator) => (sim as YooKassaSimulator).payments.size,
  },
  {
    rail: 'stripe' as const,
    currency: 'USD',
    method: {} as Record<string, string>,
    start: async () => new StripeSimulator().start(),
    enable: (t: ShopUnderTest, sim: YooKassaSimulator | StripeSimulator) => {
      const st = sim as StripeSimulator;
      return saveStripeSettings(
        t.shop,
        { enabled: true, baseUrl: st.url, secretKey: st.secretKey, webhookSecret: st.webhookSecret },
        new Date(),
        null,
      );
    },
    count: (sim: YooKassaSimulator | StripeSimulator) => (sim as StripeSimulator).sessions.size,
  },
])('a $rail top-up sent again after its answer was lost', ({ rail, currency, method, start, enable, count }) => {
  let t: ShopUnderTest;
  let sim: YooKassaSimulator | StripeSimulator;
  beforeAll(async () => {
    t = await startShop({ env: { SHOP_CURRENCY: currency } });
    sim = await start();
    await enable(t, sim);
  });
  afterAll(async () => {
    await sim?.close();
    await t?.close();
  });

  it('makes one payment at the gateway, and the buyer gets the same payment page each time', async () => {
    const buyer = await signedUpBuyer(t.app);
    const form = { _csrf: buyer.csrf, amount: '25', idempotencyKey: `${rail}-lost-answer-form-0001`, ...method };
    const post = (body: Record<string, string>) => buyer.agent.post(`/wallet/pay/${rail}`).type('form').send(body);
    const before = count(sim);

    sim.loseNextAnswer();
    await post(form).expect(503);
    expect(count(sim)).toBe(before + 1);
    const customerId = (await t.shop.accounts.getByEmail(buyer.email))!.customerId;
    expect((await t.shop.kit.payments.list({ customerId }, { limit: 10 })).items).toEqual([]);

    const resent = await post(form).expect(303);
    const again = await post(form).expect(303);
    expect(again.headers['location']).toBe(resent.headers['location']);
    expect(count(sim)).toBe(before + 1);
    const payments = (await t.shop.kit.payments.list({ customerId }, { limit: 10 })).items;
    expect(payments).toHaveLength(1);
    const page = (await buyer.agent.get(resent.headers['location'] as string).expect(200)).text;
    expect(gatewayLink(page)).toBe(payments[0]!.details['redirectUrl']);

    // The same form with another amount: refused (the form is stale), nothing made here or at the gateway.
    await post({ ...form, amount: '30' }).expect(409);
    expect(count(sim)).toBe(before + 1);
    expect((await t.shop.kit.payments.list({ customerId }, { limit: 10 })).items).toHaveLength(1);
  });
});
