import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  csrfFrom,
  signedInAdmin,
  signedUpBuyer,
  startShop,
  type ShopUnderTest,
  type Visitor,
  ROOMY_RATE_LIMITS,
} from './support/shop-under-test.js';
import { balanceOf, boughtAndProvisioned, fund, idempotencyKeyFrom, planNamed } from './support/buying.js';

const DAY = 86_400_000;

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startShop({
    app: {
      rateLimits: ROOMY_RATE_LIMITS,
    },
  });
});
afterAll(() => t.close());

/**
 * A buyer with a Frankfurt 1-month subscription (5.00) half through its period, nothing used: 2.50 of
 * credit, so the 3-month plan (13.00) costs 10.50; `balanceAfter` left in the wallet.
 */
async function halfway(balanceAfter: number): Promise<{ buyer: Visitor & { email: string }; id: string; customerId: string }> {
  const [bought] = await subscribed([balanceAfter]);
  return bought!;
}

/** `halfway` for several buyers at once (the clock moves once, after every one has bought). */
async function subscribed(balancesAfter: number[]) {
  const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
  const bought: { buyer: Visitor & { email: string }; id: string; customerId: string }[] = [];
  for (const balanceAfter of balancesAfter) {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await fund(t, buyer.email, plan.price.amount + balanceAfter);
    bought.push({ buyer, customerId, id: await boughtAndProvisioned(t, buyer, plan.id) });
  }
  t.clock.set(new Date(t.clock.now().getTime() + 15 * DAY));
  return bought;
}

let codes = 0;
/** A fresh code for plan changes (20% off unless told), created through the engine. */
async function planChangeCode(over: { percent?: number; maxUses?: number; appliesTo?: ('plan_change' | 'purchase')[] } = {}) {
  const text = `MOVE${++codes}`;
  const code = await t.shop.kit.createDiscountCode({
    code: text,
    value: { type: 'percent', percent: over.percent ?? 20 },
    appliesTo: over.appliesTo ?? ['plan_change'],
    maxUses: over.maxUses ?? null,
  });
  return { text, id: code.id };
}

const section = (html: string, planId: string) => html.slice(html.indexOf(`data-plan-id="${planId}"`)).split('</section>')[0]!;

describe('a discount code on the plan change page', () => {
  it('the admin form offers plan changes, and a code made there applies to them', async () => {
    const admin = await signedInAdmin(t.app);
    const page = await admin.agent.get('/admin/discounts').expect(200);
    expect(page.text).toContain('name="appliesTo" value="plan_change"');
    await admin.agent
      .post('/admin/discounts')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), code: 'ADMINMOVE', type: 'percent', value: '10', appliesTo: ['plan_change'] })
      .expect(303);
    expect((await t.shop.storage.discounts.getByCode('ADMINMOVE'))?.appliesTo).toEqual(['plan_change']);
  });

  it('quotes every plan with the code, pays the discounted amount once for a double submission, and counts one use', async () => {
    const { buyer, id, customerId } = await halfway(2000);
    const code = await planChangeCode();
    const longer = await planNamed(t, 'Frankfurt · 3 months');
    const page = await buyer.agent.get(`/subscriptions/${id}/plan?discountCode=${code.text.toLowerCase()}`).expect(200);
    const option = section(page.text, longer.id);
    expect(option).toMatch(/data-testid="plan-change-charge">[^<]*10\.50/);
    expect(option).toMatch(/data-testid="discount-amount">−[^<]*2\.10/);
    expect(option).toMatch(/data-testid="discounted-total">[^<]*8\.40/);
    expect(option).toContain(`name="discountCode" value="${code.text}"`);
    expect(option).toMatch(/Pay [^<]*8\.40 and switch/);
    expect(await balanceOf(t, customerId)).toBe(2000);

    const form = { _csrf: csrfFrom(page.text), planId: longer.id, idempotencyKey: idempotencyKeyFrom(page.text), discountCode: code.text };
    const [changed, twice] = await Promise.all([1, 2].map(() => buyer.agent.post(`/subscriptions/${id}/plan`).type('form').send(form)));
    expect(changed!.status).toBe(303);
    expect([303, 409]).toContain(twice!.status);
    expect(await balanceOf(t, customerId)).toBe(2000 - 840);
    expect(await t.shop.storage.discounts.get(code.id)).toMatchObject({ uses: 1 });
    await t.drain();
    expect((await t.shop.storage.subscriptions.get(id))!.planId).toBe(longer.id);
    expect(await balanceOf(t, customerId)).toBe(2000 - 840);
  });

  it('refuses a code that fits no plan on its field (4xx), and a code too long to be one, charging nothing', async () => {
    const { buyer, id, customerId } = await halfway(2000);
    const unknown = await buyer.agent.get(`/subscriptions/${id}/plan?discountCode=NOSUCHCODE`).expect(409);
    expect(unknown.text).toContain('There is no such code.');
    expect(unknown.text).not.toContain('data-testid="discount-quote"');
    const forPurchases = await planChangeCode({ appliesTo: ['purchase'] });
    const wrongUse = await buyer.agent.get(`/subscriptions/${id}/plan?discountCode=${forPurchases.text}`).expect(409);
    expect(wrongUse.text).toContain('data-reason="wrong_use"');
    expect(wrongUse.text).toContain('This code cannot be used for this.');
    await buyer.agent.get(`/subscriptions/${id}/plan?discountCode=${'A'.repeat(61)}`).expect(400);
    expect(await balanceOf(t, customerId)).toBe(2000);
  });

  it('a code whose last use went elsewhere since the quote is refused at payment, charging nothing', async () => {
    const [mine, other] = await subscribed([2000, 2000]);
    const { buyer, id, customerId } = mine!;
    const code = await planChangeCode({ maxUses: 1 });
    const longer = await planNamed(t, 'Frankfurt · 3 months');
    const page = await buyer.agent.get(`/subscriptions/${id}/plan?discountCode=${code.text}`).expect(200);
    await t.shop.kit.changePlan({ subscriptionId: other!.id, planId: longer.id, idempotencyKey: 'first', discountCode: code.text });
    const late = await buyer.agent
      .post(`/subscriptions/${id}/plan`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), planId: longer.id, idempotencyKey: idempotencyKeyFrom(page.text), discountCode: code.text });
    expect(late.status).toBe(409);
    expect(late.text).toContain('This code has been used up.');
    expect(await balanceOf(t, customerId)).toBe(2000);
    expect(await t.shop.storage.discounts.get(code.id)).toMatchObject({ uses: 1 });
    expect(await t.shop.kit.changeInFlight(id)).toBe(false);
  });

  it('speaks Farsi', async () => {
    const { buyer, id } = await halfway(0);
    const code = await planChangeCode();
    await buyer.agent.get('/lang/fa?next=/dashboard').expect(303);
    const page = await buyer.agent.get(`/subscriptions/${id}/plan?discountCode=${code.text}`).expect(200);
    expect(page.text).toContain('کد تخفیف');
    expect(page.text).toContain('تخفیف از مبلغی که پس از کسر اعتبار');
    expect(page.text).toContain(`تخفیف (${code.text})`);
  });
});

describe('a discount code on the JSON API’s plan change', () => {
  it('quotes with the code and pays the discounted amount, once per key; a refused code is a typed 409', async () => {
    const { buyer, id, customerId } = await halfway(2000);
    const code = await planChangeCode({ percent: 50 });
    const page = await buyer.agent.get('/account/api-tokens').expect(200);
    const created = await buyer.agent
      .post('/account/api-tokens')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'bot' })
      .expect(201);
    const token = /id="new-token" type="text" readonly value="(pk_[^"]+)"/.exec(created.text)![1]!;
    const api = () => supertest(t.app);
    const auth = { authorization: `Bearer ${token}` };
    const longer = await planNamed(t, 'Frankfurt · 3 months');
    const url = `/api/v1/subscriptions/${id}/plan-change`;

    const quote = await api().get(`${url}?planId=${longer.id}&discountCode=${code.text}`).set(auth).expect(200);
    expect(quote.body).toMatchObject({
      allowed: true,
      quote: { charge: { amount: 1050 } },
      discount: { allowed: true, code: code.text, discount: { amount: 525 }, price: { amount: 525 } },
    });
    const nope = await api().get(`${url}?planId=${longer.id}&discountCode=NOSUCHCODE`).set(auth).expect(200);
    expect(nope.body.discount).toMatchObject({ allowed: false, reason: 'unknown_code' });
    const refused = await api().post(url).set(auth).send({ planId: longer.id, idempotencyKey: 'api-code-0', discountCode: 'NOSUCHCODE' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe('There is no such code.');
    expect(await balanceOf(t, customerId)).toBe(2000);

    const body = { planId: longer.id, idempotencyKey: 'api-code-1', discountCode: code.text };
    const changed = await api().post(url).set(auth).send(body).expect(202);
    expect(changed.body).toMatchObject({ charged: { amount: 525 }, discount: { code: code.text, amount: { amount: 525 } } });
    const replay = await api().post(url).set(auth).send(body).expect(200);
    expect(replay.body).toMatchObject({ replayed: true, discount: null });
    expect(await balanceOf(t, customerId)).toBe(2000 - 525);
    expect(await t.shop.storage.discounts.get(code.id)).toMatchObject({ uses: 1 });
  });
});
