import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfFrom, signedUpBuyer, startShop, type ShopUnderTest, type Visitor, ROOMY_RATE_LIMITS } from './support/shop-under-test.js';
import { balanceOf, boughtAndProvisioned, fund, idempotencyKeyFrom, planNamed } from './support/buying.js';

const GiB = 1024 ** 3;

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startShop({
    app: {
      rateLimits: ROOMY_RATE_LIMITS,
    },
  });
});
afterAll(() => t.close());

/** A buyer with a live Frankfurt 1-month 50 GiB subscription (extra traffic at 0.10 per GiB) and `balanceAfter` left. */
async function subscribed(balanceAfter: number): Promise<{ buyer: Visitor & { email: string }; id: string; customerId: string }> {
  const buyer = await signedUpBuyer(t.app);
  const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
  const customerId = await fund(t, buyer.email, plan.price.amount + balanceAfter);
  const id = await boughtAndProvisioned(t, buyer, plan.id);
  return { buyer, id, customerId };
}

describe('a discount code on the traffic top-up page', () => {
  it('quotes the GiB asked for with the code, pays the discounted price once, and counts one use', async () => {
    const { buyer, id, customerId } = await subscribed(500);
    const code = await t.shop.kit.createDiscountCode({
      code: 'HALFGB',
      value: { type: 'percent', percent: 50 },
      appliesTo: ['traffic_top_up'],
    });
    const quote = await buyer.agent.get(`/subscriptions/${id}/traffic?gib=10&discountCode=halfgb`).expect(200);
    expect(quote.text).toMatch(/data-testid="traffic-price">[^<]*1\.00/);
    expect(quote.text).toMatch(/data-testid="discounted-total">[^<]*0\.50/);
    expect(quote.text).toContain('name="discountCode" value="HALFGB"');
    const form = { _csrf: csrfFrom(quote.text), gib: '10', idempotencyKey: idempotencyKeyFrom(quote.text), discountCode: 'HALFGB' };
    const [paid, twice] = await Promise.all([1, 2].map(() => buyer.agent.post(`/subscriptions/${id}/traffic`).type('form').send(form)));
    expect(paid!.status).toBe(303);
    expect([303, 409]).toContain(twice!.status);
    expect(await balanceOf(t, customerId)).toBe(450);
    expect(await t.shop.storage.discounts.get(code.id)).toMatchObject({ uses: 1 });
    await t.drain();
    expect((await t.shop.storage.subscriptions.get(id))!.trafficLimitBytes).toBe(60 * GiB);
  });

  it('refuses a code not made for top-ups on its field (409), and one too long to be a code (400), charging nothing', async () => {
    const { buyer, id, customerId } = await subscribed(500);
    await t.shop.kit.createDiscountCode({ code: 'ONLYBUY', value: { type: 'percent', percent: 50 }, appliesTo: ['purchase'] });
    const wrong = await buyer.agent.get(`/subscriptions/${id}/traffic?gib=10&discountCode=ONLYBUY`).expect(409);
    expect(wrong.text).toContain('This code cannot be used for this.');
    expect(wrong.text).not.toContain('data-testid="discount-quote"');
    await buyer.agent.get(`/subscriptions/${id}/traffic?gib=10&discountCode=${'A'.repeat(61)}`).expect(400);
    const forged = await buyer.agent
      .post(`/subscriptions/${id}/traffic`)
      .type('form')
      .send({ _csrf: csrfFrom(wrong.text), gib: '10', idempotencyKey: idempotencyKeyFrom(wrong.text), discountCode: 'ONLYBUY' });
    expect(forged.status).toBe(409);
    expect(forged.text).toContain('This code cannot be used for this.');
    expect(await balanceOf(t, customerId)).toBe(500);
  });

  it('the JSON API quotes and buys with the code', async () => {
    const { buyer, id, customerId } = await subscribed(500);
    await t.shop.kit.createDiscountCode({
      code: 'APIGB',
      value: { type: 'fixed', amount: { amount: 30, currency: 'USD' } },
      appliesTo: ['traffic_top_up'],
    });
    const page = await buyer.agent.get('/account/api-tokens').expect(200);
    const created = await buyer.agent
      .post('/account/api-tokens')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'bot' })
      .expect(201);
    const token = /id="new-token" type="text" readonly value="(pk_[^"]+)"/.exec(created.text)![1]!;
    const auth = { authorization: `Bearer ${token}` };
    const url = `/api/v1/subscriptions/${id}/traffic`;
    const quote = await supertest(t.app).get(`${url}?gib=10&discountCode=APIGB`).set(auth).expect(200);
    expect(quote.body).toMatchObject({
      allowed: true,
      quote: { price: { amount: 100 } },
      discount: { allowed: true, price: { amount: 70 } },
    });
    const bought = await supertest(t.app)
      .post(url)
      .set(auth)
      .send({ gib: 10, idempotencyKey: 'api-gb-code', discountCode: 'APIGB' })
      .expect(202);
    expect(bought.body).toMatchObject({ charged: { amount: 70 }, discount: { code: 'APIGB', amount: { amount: 30 } } });
    expect(await balanceOf(t, customerId)).toBe(430);
  });
});
