import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfFrom, signedUpBuyer, startShop, type ShopUnderTest, type Visitor, ROOMY_RATE_LIMITS } from './support/shop-under-test.js';
import { balanceOf, boughtAndProvisioned, fund, idempotencyKeyFrom, planNamed } from './support/buying.js';

const DAY = 86_400_000;
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

describe('traffic top-up pages', () => {
  it('quotes first, charges a double submission once, and raises the limit on the panel', async () => {
    const { buyer, id, customerId } = await subscribed(200);
    const sub = await buyer.agent.get(`/subscriptions/${id}`).expect(200);
    expect(sub.text).toContain(`href="/subscriptions/${id}/traffic"`);
    const offer = await buyer.agent.get(`/subscriptions/${id}/traffic`).expect(200);
    expect(offer.text).toContain('data-testid="traffic-ask"');
    expect(offer.text).not.toContain('data-testid="traffic-form"');
    const quote = await buyer.agent.get(`/subscriptions/${id}/traffic?gib=5`).expect(200);
    expect(quote.text).toMatch(/data-testid="traffic-price">[^<]*0\.50/);
    const form = { _csrf: csrfFrom(quote.text), gib: '5', idempotencyKey: idempotencyKeyFrom(quote.text) };
    const [paid, twice] = await Promise.all([1, 2].map(() => buyer.agent.post(`/subscriptions/${id}/traffic`).type('form').send(form)));
    expect(paid!.status).toBe(303);
    expect(paid!.headers['location']).toBe(`/subscriptions/${id}?done=traffic.bought`);
    expect([303, 409]).toContain(twice!.status);
    expect(await balanceOf(t, customerId)).toBe(150);
    const notice = await buyer.agent.get(`/subscriptions/${id}?done=traffic.bought`).expect(200);
    expect(notice.text).toContain('Extra traffic paid');
    await t.drain();
    expect((await t.shop.storage.subscriptions.get(id))!.trafficLimitBytes).toBe(55 * GiB);
    expect(await balanceOf(t, customerId)).toBe(150);
  });

  it('refuses bad amounts and short wallets with a clear page, charging nothing', async () => {
    const { buyer, id, customerId } = await subscribed(20);
    await buyer.agent.get(`/subscriptions/${id}/traffic?gib=abc`).expect(400);
    const tooMany = await buyer.agent.get(`/subscriptions/${id}/traffic?gib=101`).expect(200);
    expect(tooMany.text).toContain('data-reason="above_maximum"');
    const quote = await buyer.agent.get(`/subscriptions/${id}/traffic?gib=3`).expect(200);
    const short = await buyer.agent
      .post(`/subscriptions/${id}/traffic`)
      .type('form')
      .send({ _csrf: csrfFrom(quote.text), gib: '3', idempotencyKey: idempotencyKeyFrom(quote.text) });
    expect(short.status).toBe(402);
    expect(short.text).toContain('data-testid="traffic-problem"');
    const forged = await buyer.agent
      .post(`/subscriptions/${id}/traffic`)
      .type('form')
      .send({ _csrf: csrfFrom(quote.text), gib: '-4', idempotencyKey: idempotencyKeyFrom(quote.text) });
    expect(forged.status).toBe(400);
    expect(await balanceOf(t, customerId)).toBe(20);
  });

  it('speaks Farsi', async () => {
    const { buyer, id } = await subscribed(0);
    await buyer.agent.get('/lang/fa?next=/dashboard').expect(303);
    const page = await buyer.agent.get(`/subscriptions/${id}/traffic?gib=2`).expect(200);
    expect(page.text).toContain('خرید حجم اضافه');
  });
});

describe('plan change pages', () => {
  it('quotes every plan, upgrades in place for the prorated price, and moves to Amsterdam with a new link', async () => {
    const { buyer, id, customerId } = await subscribed(2000);
    t.clock.set(new Date(t.clock.now().getTime() + 15 * DAY)); // half the period left, nothing used: 250 of credit
    const page = await buyer.agent.get(`/subscriptions/${id}/plan`).expect(200);
    const longer = await planNamed(t, 'Frankfurt · 3 months');
    const amsterdam = await planNamed(t, 'Amsterdam · 1 month');
    const section = (planId: string) => page.text.slice(page.text.indexOf(`data-plan-id="${planId}"`)).split('</section>')[0]!;
    expect(section(longer.id)).toMatch(/data-testid="plan-change-charge">[^<]*10\.50/);
    expect(section(longer.id)).not.toContain('plan-change-moves');
    expect(section(amsterdam.id)).toContain('data-testid="plan-change-moves"');

    const form = { _csrf: csrfFrom(page.text), planId: longer.id, idempotencyKey: idempotencyKeyFrom(page.text) };
    const [changed, twice] = await Promise.all([1, 2].map(() => buyer.agent.post(`/subscriptions/${id}/plan`).type('form').send(form)));
    expect(changed!.status).toBe(303);
    expect(changed!.headers['location']).toBe(`/subscriptions/${id}?done=planChange.changed`);
    expect([303, 409]).toContain(twice!.status);
    expect(await balanceOf(t, customerId)).toBe(2000 - 1050);
    await t.drain();
    const upgraded = (await t.shop.storage.subscriptions.get(id))!;
    expect(upgraded).toMatchObject({ planId: longer.id, trafficLimitBytes: 200 * GiB });

    const again = await buyer.agent.get(`/subscriptions/${id}/plan`).expect(200);
    const move = await buyer.agent
      .post(`/subscriptions/${id}/plan`)
      .type('form')
      .send({ _csrf: csrfFrom(again.text), planId: amsterdam.id, idempotencyKey: idempotencyKeyFrom(again.text) });
    expect(move.status).toBe(303);
    await t.drain();
    const moved = (await t.shop.storage.subscriptions.get(id))!;
    const ams = t.shop.demo!.panels.find((p) => p.tag === 'nl')!;
    expect(moved.planId).toBe(amsterdam.id);
    expect(moved.panelId).toBe(ams.panel.id);
    expect(moved.subscriptionUrl).not.toBe(upgraded.subscriptionUrl);
  });

  it('refuses an unknown plan and a plan that costs more than the wallet holds, charging nothing', async () => {
    const { buyer, id, customerId } = await subscribed(0);
    const page = await buyer.agent.get(`/subscriptions/${id}/plan`).expect(200);
    const longer = await planNamed(t, 'Frankfurt · 3 months');
    const send = (planId: string) =>
      buyer.agent
        .post(`/subscriptions/${id}/plan`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), planId, idempotencyKey: idempotencyKeyFrom(page.text) });
    expect((await send('pln_nope')).status).toBe(404);
    const short = await send(longer.id);
    expect(short.status).toBe(402);
    expect(short.text).toContain('data-testid="plan-change-problem"');
    expect(await balanceOf(t, customerId)).toBe(0);
    expect((await t.shop.storage.subscriptions.get(id))!.planId).not.toBe(longer.id);
  });
});

describe('the JSON API', () => {
  it('quotes and buys traffic and a plan change with a token, once per key, with typed refusals', async () => {
    const { buyer, id, customerId } = await subscribed(1500);
    const page = await buyer.agent.get('/account/api-tokens').expect(200);
    const created = await buyer.agent
      .post('/account/api-tokens')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'bot' })
      .expect(201);
    const token = /id="new-token" type="text" readonly value="(pk_[^"]+)"/.exec(created.text)![1]!;
    const api = () => supertest(t.app);
    const auth = { authorization: `Bearer ${token}` };

    const quote = await api().get(`/api/v1/subscriptions/${id}/traffic?gib=4`).set(auth).expect(200);
    expect(quote.body).toMatchObject({
      allowed: true,
      quote: { price: { amount: 40 }, newTrafficLimitBytes: 54 * GiB },
      offer: { maxGiBPerPurchase: 100 },
    });
    await api().get(`/api/v1/subscriptions/${id}/traffic?gib=0`).set(auth).expect(400);
    await api().post(`/api/v1/subscriptions/${id}/traffic`).set(auth).send({ gib: 2.5, idempotencyKey: 'api-traffic-1' }).expect(400);
    const bought = await api()
      .post(`/api/v1/subscriptions/${id}/traffic`)
      .set(auth)
      .send({ gib: 4, idempotencyKey: 'api-traffic-1' })
      .expect(202);
    expect(bought.body).toMatchObject({ replayed: false, charged: { amount: 40 } });
    const replay = await api()
      .post(`/api/v1/subscriptions/${id}/traffic`)
      .set(auth)
      .send({ gib: 4, idempotencyKey: 'api-traffic-1' })
      .expect(200);
    expect(replay.body.replayed).toBe(true);
    const busy = await api()
      .post(`/api/v1/subscriptions/${id}/traffic`)
      .set(auth)
      .send({ gib: 4, idempotencyKey: 'api-traffic-2' })
      .expect(409);
    expect(busy.body.error.code).toBeDefined();
    await t.drain();

    const longer = await planNamed(t, 'Frankfurt · 3 months');
    const planQuote = await api().get(`/api/v1/subscriptions/${id}/plan-change?planId=${longer.id}`).set(auth).expect(200);
    expect(planQuote.body).toMatchObject({ allowed: true, moves: false, quote: { newPlanId: longer.id } });
    await api().get(`/api/v1/subscriptions/${id}/plan-change?planId=pln_missing`).set(auth).expect(404);
    const changed = await api()
      .post(`/api/v1/subscriptions/${id}/plan-change`)
      .set(auth)
      .send({ planId: longer.id, idempotencyKey: 'api-plan-1' })
      .expect(202);
    expect(changed.body.charged.amount).toBe(planQuote.body.quote.charge.amount);
    expect(await balanceOf(t, customerId)).toBe(1500 - 40 - planQuote.body.quote.charge.amount);
    await t.drain();
    expect((await t.shop.storage.subscriptions.get(id))!.planId).toBe(longer.id);
  });
});
