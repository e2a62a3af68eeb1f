import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  csrfFrom,
  signedInAdmin,
  signedUpBuyer,
  startShop,
  visitor,
  type ShopUnderTest,
  ROOMY_RATE_LIMITS,
} from './support/shop-under-test.js';
import { balanceOf, buy, customerIdOf, fund, idempotencyKeyFrom, orderIdFrom, planNamed } from './support/buying.js';

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startShop({
    app: {
      rateLimits: ROOMY_RATE_LIMITS,
    },
  });
});
afterAll(() => t.close());

const PLAN = 'Frankfurt · 1 month · 50';

async function createCode(fields: Record<string, string | string[]>) {
  const admin = await signedInAdmin(t.app);
  const page = await admin.agent.get('/admin/discounts').expect(200);
  return admin.agent
    .post('/admin/discounts')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), type: 'percent', appliesTo: 'purchase', ...fields });
}

describe('discount codes in the shop', () => {
  it('the owner creates a code; bad input is refused and changes nothing; a taken code is refused', async () => {
    expect((await createCode({ code: 'SHOP20', value: '20', maxUses: '5' })).status).toBe(303);
    const bad = await createCode({ code: 'x', value: '200' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('3–40 letters, digits, _ or -.');
    expect((await createCode({ code: 'shop20', value: '10' })).status).toBe(409);
    const admin = await signedInAdmin(t.app);
    const list = await admin.agent.get('/admin/discounts').expect(200);
    expect(list.text).toMatch(/data-code="SHOP20"[\s\S]*?data-testid="discount-uses">0 \/ 5</);
    expect((await t.shop.storage.discounts.list({ limit: 100 })).items.map((c) => c.code)).toEqual(['SHOP20']);
  });

  it('a buyer applies a code at checkout: the quote shows it, the payment is lowered, the use is counted', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await fund(t, buyer.email, 1000);
    const plan = await planNamed(t, PLAN);
    const page = await buyer.agent.get(`/checkout/${plan.id}`).expect(200);
    const base = { _csrf: csrfFrom(page.text), idempotencyKey: idempotencyKeyFrom(page.text), quantity: '1' };
    const applied = await buyer.agent
      .post(`/checkout/${plan.id}`)
      .type('form')
      .send({ ...base, intent: 'apply', discountCode: 'shop20' })
      .expect(200);
    expect(applied.text).toMatch(/data-testid="discount-amount">−[^<]*1\.00/);
    expect(applied.text).toMatch(/data-testid="discounted-total">[^<]*4\.00/);
    expect(await balanceOf(t, customerId)).toBe(1000);
    const paid = await buyer.agent
      .post(`/checkout/${plan.id}`)
      .type('form')
      .send({ ...base, discountCode: 'SHOP20' })
      .expect(303);
    const orderId = orderIdFrom(paid.headers['location']);
    expect(await balanceOf(t, customerId)).toBe(600);
    const order = await buyer.agent.get(`/orders/${orderId}`).expect(200);
    expect(order.text).toMatch(/Discount \(SHOP20\)[\s\S]*?data-testid="order-discount">−[^<]*1\.00/);
    expect((await t.shop.storage.discounts.getByCode('SHOP20'))!.uses).toBe(1);
  });

  it('a refused code is said on its field, in English and Farsi, and charges nothing', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await fund(t, buyer.email, 1000);
    const plan = await planNamed(t, PLAN);
    const quote = await buy(buyer, plan.id, { intent: 'apply', discountCode: 'NOSUCH' });
    expect(quote.status).toBe(409);
    expect(quote.text).toContain('There is no such code.');
    const paid = await buy(buyer, plan.id, { discountCode: 'NOSUCH' });
    expect(paid.status).toBe(409);
    expect(paid.text).toContain('There is no such code.');
    await buyer.agent.get('/lang/fa').expect(303);
    const fa = await buy(buyer, plan.id, { intent: 'apply', discountCode: 'NOSUCH' });
    expect(fa.text).toContain('چنین کدی وجود ندارد.');
    expect(await balanceOf(t, customerId)).toBe(1000);
  });

  it('a disabled code is refused at payment', async () => {
    expect((await createCode({ code: 'GONE10', value: '10' })).status).toBe(303);
    const code = (await t.shop.storage.discounts.getByCode('GONE10'))!;
    const admin = await signedInAdmin(t.app);
    const page = await admin.agent.get('/admin/discounts').expect(200);
    await admin.agent
      .post(`/admin/discounts/${code.id}/disabled`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), disabled: 'true' })
      .expect(303);
    expect((await t.shop.storage.discounts.get(code.id))!.disabled).toBe(true);
    const buyer = await signedUpBuyer(t.app);
    const customerId = await fund(t, buyer.email, 1000);
    const res = await buy(buyer, (await planNamed(t, PLAN)).id, { discountCode: 'GONE10' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('This code is no longer valid.');
    expect(await balanceOf(t, customerId)).toBe(1000);
  });
});

describe('discount codes in the JSON API', () => {
  it('quotes a code, refuses an unknown one with its reason on the field, and checks out with it', async () => {
    expect((await createCode({ code: 'API50', value: '50', maxUses: '1' })).status).toBe(303);
    const buyer = await signedUpBuyer(t.app);
    const customerId = await fund(t, buyer.email, 1000);
    const page = await buyer.agent.get('/account/api-tokens').expect(200);
    const created = await buyer.agent
      .post('/account/api-tokens')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'bot' })
      .expect(201);
    const token = /id="new-token" type="text" readonly value="(pk_[^"]+)"/.exec(created.text)![1]!;
    const api = () => supertest(t.app);
    const plan = await planNamed(t, PLAN);
    const items = [{ planId: plan.id, quantity: 1 }];
    const quote = await api()
      .post('/api/v1/checkout/quote')
      .set('authorization', `Bearer ${token}`)
      .send({ items, discountCode: 'api50' })
      .expect(200);
    expect(quote.body).toMatchObject({
      subtotal: { amount: 500 },
      total: { amount: 250 },
      discount: { allowed: true, code: 'API50', discount: { amount: 250 } },
    });
    const unknown = await api()
      .post('/api/v1/checkout/quote')
      .set('authorization', `Bearer ${token}`)
      .send({ items, discountCode: 'NOPE-NOPE' })
      .expect(200);
    expect(unknown.body.discount).toEqual({ allowed: false, reason: 'unknown_code', message: 'There is no such code.' });
    const refused = await api()
      .post('/api/v1/checkout')
      .set('authorization', `Bearer ${token}`)
      .send({ items, idempotencyKey: 'api-key-0001', discountCode: 'NOPE-NOPE' })
      .expect(409);
    expect(refused.body.error.fields).toEqual({ discountCode: 'There is no such code.' });
    const bought = await api()
      .post('/api/v1/checkout')
      .set('authorization', `Bearer ${token}`)
      .send({ items, idempotencyKey: 'api-key-0002', discountCode: 'API50' })
      .expect(201);
    expect(bought.body.discount).toEqual({ code: 'API50', amount: { amount: 250, currency: 'USD' } });
    expect(await balanceOf(t, customerId)).toBe(750);
  });
});

describe('referrals in the shop', () => {
  it('the owner sets the refund window in days (Persian digits too); a window past 3650 days is refused and changes nothing', async () => {
    const admin = await signedInAdmin(t.app);
    const page = await admin.agent.get('/admin/referrals').expect(200);
    expect(page.text).toMatch(/name="refundWindowDays"[^>]*value="30"|value="30"[^>]*name="refundWindowDays"/);
    const send = async (refundWindowDays: string) => {
      const form = await admin.agent.get('/admin/referrals').expect(200);
      return admin.agent
        .post('/admin/referrals')
        .type('form')
        .send({ _csrf: csrfFrom(form.text), enabled: 'on', type: 'share', percent: '10', refundWindowDays });
    };
    expect((await send('۱۴')).status).toBe(303);
    expect((await t.shop.kit.referralProgram())?.refundWindowDays).toBe(14);
    const refused = await send('9999');
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('0 to 3650');
    expect((await t.shop.kit.referralProgram())?.refundWindowDays).toBe(14);
    expect((await send('0')).status).toBe(303);
    expect((await t.shop.kit.referralProgram())?.refundWindowDays).toBe(0);
    expect((await send('')).status).toBe(303);
    expect((await t.shop.kit.referralProgram())?.refundWindowDays).toBe(30);
  });

  it('a buyer signed up through a link buys; once the order is live the referrer is credited once, and the page shows it', async () => {
    const admin = await signedInAdmin(t.app);
    const settings = await admin.agent.get('/admin/referrals').expect(200);
    await admin.agent
      .post('/admin/referrals')
      .type('form')
      .send({ _csrf: csrfFrom(settings.text), enabled: 'on', type: 'share', percent: '10' })
      .expect(303);

    const referrer = await signedUpBuyer(t.app);
    const referrerId = await customerIdOf(t, referrer.email);
    const mine = await referrer.agent.get('/referrals').expect(200);
    expect(mine.text).toContain(`/signup?ref=${referrerId}`);
    expect(mine.text).toContain('10% of their first order');

    const friend = await visitor(t.app);
    const form = await friend.agent.get(`/signup?ref=${referrerId}`).expect(200);
    expect(form.text).toContain(`name="ref" value="${referrerId}"`);
    const email = `friend-${Date.now()}@example.com`;
    await friend.agent
      .post('/signup')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), email, password: 'correct horse battery', ref: referrerId })
      .expect(303);
    const friendId = await customerIdOf(t, email);
    expect(await t.shop.storage.referrals.get(friendId)).toMatchObject({ referrerId, status: 'pending' });

    await fund(t, email, 1000);
    const plan = await planNamed(t, PLAN);
    expect((await buy({ agent: friend.agent, csrf: '' }, plan.id)).status).toBe(303);
    await t.shop.kit.createScheduler().tick();
    expect(await balanceOf(t, referrerId)).toBe(0);
    await t.drain();
    t.clock.advance(60_000);
    await t.shop.kit.createScheduler().tick();
    expect(await balanceOf(t, referrerId)).toBe(50);
    t.clock.advance(60_000);
    await t.shop.kit.createScheduler().tick();
    expect(await balanceOf(t, referrerId)).toBe(50);
    const after = await referrer.agent.get('/referrals').expect(200);
    expect(after.text).toMatch(/data-testid="referral-count">1</);
    expect(after.text).toMatch(/data-testid="referral-earned">[^<]*0\.50/);
  });

  it('an account signing up through its own link is not referred, and a second account cannot be referred twice', async () => {
    const buyer = await signedUpBuyer(t.app);
    const id = await customerIdOf(t, buyer.email);
    expect(await t.shop.kit.recordReferral({ referrerId: id, referredId: id })).toEqual({ recorded: false, reason: 'self_referral' });
    const again = await visitor(t.app);
    const form = await again.agent.get('/signup?ref=not%20an%20id').expect(200);
    expect(form.text).not.toContain('name="ref"');
  });
});

describe('a discount code on the extension page', () => {
  it('applying shows the discount and the lower price; paying debits it; a code not for extensions is refused on its field', async () => {
    const admin = await signedInAdmin(t.app);
    const list = await admin.agent.get('/admin/discounts').expect(200);
    await admin.agent
      .post('/admin/discounts')
      .type('form')
      .send({ _csrf: csrfFrom(list.text), code: 'EXTEND1', type: 'fixed', value: '1', appliesTo: ['extension'] })
      .expect(303);
    const buyer = await signedUpBuyer(t.app);
    const customerId = await fund(t, buyer.email, 1000);
    const plan = await planNamed(t, PLAN);
    const bought = await buy(buyer, plan.id);
    await t.drain();
    const [sub] = await t.shop.storage.subscriptions.listByOrder(orderIdFrom(bought.headers['location']));
    const expiresAt = (await t.shop.storage.subscriptions.get(sub!.id))!.expiresAt!;
    if (t.clock.now().getTime() < expiresAt.getTime() - 86_400_000) t.clock.set(new Date(expiresAt.getTime() - 86_400_000));
    const page = await buyer.agent.get(`/subscriptions/${sub!.id}/extend`).expect(200);
    const base = { _csrf: csrfFrom(page.text), idempotencyKey: idempotencyKeyFrom(page.text) };
    const wrong = await buyer.agent
      .post(`/subscriptions/${sub!.id}/extend`)
      .type('form')
      .send({ ...base, intent: 'apply', discountCode: 'SHOP20' })
      .expect(409);
    expect(wrong.text).toContain('This code cannot be used for this.');
    const applied = await buyer.agent
      .post(`/subscriptions/${sub!.id}/extend`)
      .type('form')
      .send({ ...base, intent: 'apply', discountCode: 'extend1' })
      .expect(200);
    expect(applied.text).toMatch(/data-testid="discounted-total">[^<]*4\.00/);
    expect(applied.text).toContain('name="discountCode" value="EXTEND1"');
    await buyer.agent
      .post(`/subscriptions/${sub!.id}/extend`)
      .type('form')
      .send({ ...base, discountCode: 'EXTEND1' })
      .expect(303);
    expect(await balanceOf(t, customerId)).toBe(1000 - 500 - 400);
  });
});
