import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfFrom, signedUpBuyer, startShop, visitor, type ShopUnderTest, ROOMY_RATE_LIMITS } from './support/shop-under-test.js';
import { balanceOf, buy, customerIdOf, fund, idempotencyKeyFrom, orderIdFrom, planNamed } from './support/buying.js';
import { buyerLinkOf } from '../src/app/subscriptions/buyer-link.js';
import { ownLinkOf } from '../src/app/subscriptions/own-link.js';

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startShop({
    app: {
      rateLimits: ROOMY_RATE_LIMITS,
    },
  });
});
afterAll(() => t.close());

const ordersOf = async (customerId: string) => (await t.shop.storage.orders.list({ customerId }, { limit: 100 })).items;

describe('checkout page', () => {
  it('shows the plan, the price, the balance and a form with a fresh idempotency key', async () => {
    const buyer = await signedUpBuyer(t.app);
    await fund(t, buyer.email, 700);
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const page = await buyer.agent.get(`/checkout/${plan.id}`).expect(200);
    expect(page.text).toContain(plan.name);
    expect(page.text).toContain('data-testid="checkout-form"');
    expect(page.text).toMatch(/data-testid="wallet-balance">[^<]*7\.00/);
    expect(page.text).toContain('name="trial"');
    expect(page.text).toContain('name="autoRenew"');
    expect(page.text).not.toContain('data-testid="balance-short"');
    const again = await buyer.agent.get(`/checkout/${plan.id}`).expect(200);
    expect(idempotencyKeyFrom(again.text)).not.toBe(idempotencyKeyFrom(page.text));
  });

  it('says when the balance is short, with a link to the wallet, and keeps the form', async () => {
    const buyer = await signedUpBuyer(t.app);
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const page = await buyer.agent.get(`/checkout/${plan.id}?quantity=3`).expect(200);
    expect(page.text).toContain('data-testid="balance-short"');
    expect(page.text).toContain('href="/wallet"');
    expect(page.text).toContain('data-testid="checkout-form"');
    expect(page.text).toMatch(/data-testid="checkout-total"[^>]*>[^<]*15\.00/);
  });

  it('sends visitors to sign in, and answers an unknown plan with 404', async () => {
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const anonymous = await visitor(t.app);
    const res = await anonymous.agent.get(`/checkout/${plan.id}`).expect(303);
    expect(res.headers['location']).toBe(`/signin?next=${encodeURIComponent(`/checkout/${plan.id}`)}`);
    const buyer = await signedUpBuyer(t.app);
    await buyer.agent.get('/checkout/plan_nope').expect(404);
    await buyer.agent.get('/checkout/..%2F..%2Fetc').expect(404);
  });
});

describe('buying', () => {
  it('charges once, provisions on the panel, and the order page follows it to ready', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await fund(t, buyer.email, 1000);
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const res = await buy(buyer, plan.id, { autoRenew: 'on' });
    expect(res.status).toBe(303);
    const orderId = orderIdFrom(res.headers['location']);
    expect(await balanceOf(t, customerId)).toBe(500);

    const pending = await buyer.agent.get(`/orders/${orderId}`).expect(200);
    expect(pending.text).toContain('<meta http-equiv="refresh" content="3">');
    expect(pending.text).toContain('data-status="pending"');

    await t.drain();
    const done = await buyer.agent.get(`/orders/${orderId}`).expect(200);
    expect(done.text).not.toContain('http-equiv="refresh"');
    expect(done.text).toContain('data-status="completed"');
    expect(done.text).toContain('data-status="active"');

    const [sub] = await t.shop.storage.subscriptions.listByOrder(orderId);
    expect(sub?.status).toBe('active');
    expect(sub?.autoRenew).toBe(true);
    const frankfurt = t.shop.demo?.panels.find((p) => p.tag === 'de');
    expect(frankfurt?.sim.client(sub!.remote.username)).toBeDefined();

    const page = await buyer.agent.get(`/subscriptions/${sub!.id}`).expect(200);
    expect(page.text).toContain('data-testid="subscription-url"');
    // The subscription's own link, not the account's (which carries every subscription the buyer holds).
    expect(page.text).toContain(`value="${await ownLinkOf(t.shop, sub!.customerId, sub!.id)}"`);
    expect(page.text).not.toContain(`value="${await buyerLinkOf(t.shop, sub!.customerId)}"`);
    expect(page.text).not.toContain(sub!.subscriptionUrl!);
    expect(page.text).toMatch(/<img class="qr" src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"[^>]*data-testid="qr"/);
  });

  it('replays a double submit (and a refresh-resubmit, and two at once) as one order and one charge', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await fund(t, buyer.email, 5000);
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const page = await buyer.agent.get(`/checkout/${plan.id}`).expect(200);
    const form = { _csrf: csrfFrom(page.text), idempotencyKey: idempotencyKeyFrom(page.text), quantity: '2' };
    const post = () => buyer.agent.post(`/checkout/${plan.id}`).type('form').send(form);
    const [a, b] = await Promise.all([post(), post()]);
    const c = await post();
    expect([a.status, b.status, c.status]).toEqual([303, 303, 303]);
    const locations = new Set([a, b, c].map((r) => orderIdFrom(r.headers['location'])));
    expect(locations.size).toBe(1);
    expect(await ordersOf(customerId)).toHaveLength(1);
    expect(await balanceOf(t, customerId)).toBe(5000 - 2 * plan.price.amount);
    const [orderId] = [...locations];
    expect(await t.shop.storage.subscriptions.listByOrder(orderId!)).toHaveLength(2);
  });

  it('makes three subscriptions for quantity 3, each on the panel', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await fund(t, buyer.email, 3 * 600);
    const plan = await planNamed(t, 'Amsterdam · 1 month');
    const res = await buy(buyer, plan.id, { quantity: '3' });
    expect(res.status).toBe(303);
    await t.drain();
    const subs = await t.shop.storage.subscriptions.listByOrder(orderIdFrom(res.headers['location']));
    expect(subs).toHaveLength(3);
    expect(subs.every((s) => s.status === 'active')).toBe(true);
    const amsterdam = t.shop.demo?.panels.find((p) => p.tag === 'nl');
    for (const sub of subs) expect(amsterdam?.sim.client(sub.remote.username)).toBeDefined();
    expect(await balanceOf(t, customerId)).toBe(0);
  });

  it('refuses a purchase the wallet does not cover with 402, the reason and a wallet link, and writes nothing', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await fund(t, buyer.email, 400);
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const res = await buy(buyer, plan.id);
    expect(res.status).toBe(402);
    expect(res.text).toContain('data-testid="checkout-problem"');
    expect(res.text).toContain('does not cover this order');
    expect(res.text).toContain('href="/wallet"');
    expect(res.text).toContain('data-testid="checkout-form"');
    expect(await ordersOf(customerId)).toHaveLength(0);
    expect(await balanceOf(t, customerId)).toBe(400);
    expect((await t.shop.storage.subscriptions.listByCustomer(customerId, { limit: 10 })).items).toHaveLength(0);
  });

  it('answers malformed input with field messages, the values kept, and writes nothing', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await fund(t, buyer.email, 5000);
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const page = await buyer.agent.get(`/checkout/${plan.id}`).expect(200);
    const csrf = csrfFrom(page.text);
    const key = idempotencyKeyFrom(page.text);
    const bodies: Array<Record<string, unknown>> = [
      { quantity: '0', idempotencyKey: key },
      { quantity: '11', idempotencyKey: key },
      { quantity: 'three', idempotencyKey: key },
      { quantity: '1.5', idempotencyKey: key },
      { idempotencyKey: key },
      { quantity: ['1', '2'], idempotencyKey: key },
      { quantity: '1' },
      { quantity: '1', idempotencyKey: 'x' },
      { quantity: '1', idempotencyKey: key, trial: 'maybe' },
    ];
    for (const body of bodies) {
      const res = await buyer.agent
        .post(`/checkout/${plan.id}`)
        .type('form')
        .send({ _csrf: csrf, ...body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.text).toMatch(/class="(field-)?error"/);
    }
    const kept = await buyer.agent.post(`/checkout/${plan.id}`).type('form').send({ _csrf: csrf, quantity: 'three', idempotencyKey: key });
    expect(kept.text).toContain('value="three"');
    expect(kept.text).toContain('Enter a whole number.');
    expect(await ordersOf(customerId)).toHaveLength(0);
    expect(await balanceOf(t, customerId)).toBe(5000);
  });

  it('gives a free trial once, and says so the second time', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await customerIdOf(t, buyer.email);
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const first = await buy(buyer, plan.id, { trial: 'on' });
    expect(first.status).toBe(303);
    const [order] = await ordersOf(customerId);
    expect(order?.total.amount).toBe(0);
    const tooMany = await buy(buyer, plan.id, { trial: 'on', quantity: '2' });
    expect(tooMany.status).toBe(400);
    expect(tooMany.text).toContain('set the quantity to 1');
    const second = await buy(buyer, plan.id, { trial: 'on' });
    expect(second.status).toBe(409);
    expect(second.text).toContain('trial has already been used: one trial per person');
    expect(await ordersOf(customerId)).toHaveLength(1);
  });

  it('says sold out and off sale on the page, and charges nothing', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await fund(t, buyer.email, 5000);
    const base = await planNamed(t, 'Frankfurt · 1 month · 50');
    const full = await t.shop.storage.plans.create({
      name: 'Full plan',
      family: 'full',
      price: base.price,
      durationDays: 30,
      trafficBytes: null,
      placement: base.placement,
      maxClients: 0,
    });
    const soldOut = await buy(buyer, full.id);
    expect(soldOut.status).toBe(409);
    expect(soldOut.text).toContain('Sold out');

    const retired = await t.shop.storage.plans.create({
      name: 'Retired plan',
      family: 'retired',
      price: base.price,
      durationDays: 30,
      trafficBytes: null,
      placement: base.placement,
    });
    const page = await buyer.agent.get(`/checkout/${retired.id}`).expect(200);
    await t.shop.storage.plans.update(retired.id, { onSale: false });
    const offSale = await buyer.agent
      .post(`/checkout/${retired.id}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), idempotencyKey: idempotencyKeyFrom(page.text), quantity: '1' });
    expect(offSale.status).toBe(409);
    expect(offSale.text).toContain('not on sale any more');
    expect((await buyer.agent.get(`/checkout/${retired.id}`).expect(200)).text).not.toContain('data-testid="checkout-form"');

    expect(await ordersOf(customerId)).toHaveLength(0);
    expect(await balanceOf(t, customerId)).toBe(5000);
  });

  it("answers another buyer's order with 404, as if it did not exist", async () => {
    const owner = await signedUpBuyer(t.app);
    await fund(t, owner.email, 1000);
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const orderId = orderIdFrom((await buy(owner, plan.id)).headers['location']);
    await owner.agent.get(`/orders/${orderId}`).expect(200);
    const other = await signedUpBuyer(t.app);
    const res = await other.agent.get(`/orders/${orderId}`).expect(404);
    const missing = await other.agent.get('/orders/ord_does_not_exist').expect(404);
    const message = (html: string) => /data-testid="error-message">([^<]*)</.exec(html)?.[1];
    expect(message(res.text)).toBe(message(missing.text));
  });
});
