import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@panelkit/sdk/testing';
import { ApiTokenStore } from '../src/db/api-tokens.js';
import {
  csrfFrom,
  signedUpBuyer,
  startShop,
  TEST_START,
  type ShopUnderTest,
  type Visitor,
  ROOMY_RATE_LIMITS,
} from './support/shop-under-test.js';
import { balanceOf, customerIdOf, fund, planNamed } from './support/buying.js';
import { buyerLinkOf } from '../src/app/subscriptions/buyer-link.js';

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

/** A buyer and an API token made on the tokens page (shown once). */
async function buyerWithToken(): Promise<{ buyer: Visitor & { email: string }; token: string; customerId: string }> {
  const buyer = await signedUpBuyer(t.app);
  const page = await buyer.agent.get('/account/api-tokens').expect(200);
  const created = await buyer.agent
    .post('/account/api-tokens')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), name: 'Telegram bot' })
    .expect(201);
  const token = /id="new-token" type="text" readonly value="(pk_[^"]+)"/.exec(created.text)?.[1];
  if (token === undefined) throw new Error('no token on the page');
  return { buyer, token, customerId: await customerIdOf(t, buyer.email) };
}

const api = () => supertest(t.app);

describe('JSON API', () => {
  it('lists plans to anyone, and answers the rest without a token (or with a bad one) with 401 JSON', async () => {
    const plans = await api().get('/api/v1/plans').expect(200);
    expect(plans.body.items.map((p: { name: string }) => p.name)).toContain('Frankfurt · 1 month · 50 GiB');
    // The demo's Farsi plan names, for a caller that reads Farsi (by its Accept-Language or its language cookie).
    for (const asked of [
      api().get('/api/v1/plans').set('accept-language', 'fa-IR,fa;q=0.9'),
      api().get('/api/v1/plans').set('cookie', 'pk_lang=fa'),
    ]) {
      const farsi = await asked.expect(200);
      expect(farsi.body.items.map((p: { name: string }) => p.name)).toContain('فرانکفورت · یک ماه · ۵۰ گیگابایت');
    }
    const none = await api().get('/api/v1/subscriptions').expect(401);
    expect(none.body.error.code).toBe('signInFirst');
    const bad = await api()
      .get('/api/v1/subscriptions')
      .set('authorization', `Bearer pk_${'x'.repeat(43)}`)
      .expect(401);
    expect(bad.body.error.code).toBe('badToken');
  });

  it('buys with a bearer token and no CSRF, replays the same key, and shows the order and its subscriptions', async () => {
    const { token, customerId, buyer } = await buyerWithToken();
    await fund(t, buyer.email, 2000);
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const body = { items: [{ planId: plan.id, quantity: 2, autoRenew: true }], idempotencyKey: 'bot-order-0001' };
    const first = await api().post('/api/v1/checkout').set('authorization', `Bearer ${token}`).send(body).expect(201);
    expect(first.body.replayed).toBe(false);
    expect(first.body.order.subscriptions).toHaveLength(2);
    const again = await api().post('/api/v1/checkout').set('authorization', `Bearer ${token}`).send(body).expect(200);
    expect(again.body.replayed).toBe(true);
    expect(again.body.order.id).toBe(first.body.order.id);
    expect(await balanceOf(t, customerId)).toBe(2000 - 2 * plan.price.amount);
    const clash = await api()
      .post('/api/v1/checkout')
      .set('authorization', `Bearer ${token}`)
      .send({ ...body, items: [{ planId: plan.id, quantity: 1 }] })
      .expect(409);
    expect(clash.body.error.code).toBe('checkout.refused.key_reused');

    await t.drain();
    const order = await api().get(`/api/v1/orders/${first.body.order.id}`).set('authorization', `Bearer ${token}`).expect(200);
    expect(order.body.status).toBe('completed');
    expect(order.body.subscriptions.map((s: { status: string }) => s.status)).toEqual(['active', 'active']);

    const list = await api().get('/api/v1/subscriptions').set('authorization', `Bearer ${token}`).expect(200);
    expect(list.body.items).toHaveLength(2);
    expect(list.body.items[0]).not.toHaveProperty('subscriptionUrl');
    const one = await api().get(`/api/v1/subscriptions/${list.body.items[0].id}`).set('authorization', `Bearer ${token}`).expect(200);
    // The shop's link, never the panel's own /sub/ URL (which would bypass the link's device checks).
    expect(one.body.subscriptionUrl).toBe(await buyerLinkOf(t.shop, customerId));
    expect(one.body.subscriptionUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/s\/[A-Za-z0-9_-]{32}$/);
    expect(one.body.shareLinks.length).toBeGreaterThan(0);
    expect(one.body.autoRenew).toBe(true);
  });

  it('answers malformed bodies with 400 and field messages, and writes nothing', async () => {
    const { token, buyer, customerId } = await buyerWithToken();
    await fund(t, buyer.email, 5000);
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const bodies: unknown[] = [
      {},
      { items: [], idempotencyKey: 'bot-order-0002' },
      { items: [{ planId: plan.id, quantity: 0 }], idempotencyKey: 'bot-order-0002' },
      { items: [{ planId: plan.id, quantity: '1' }], idempotencyKey: 'bot-order-0002' },
      { items: [{ planId: plan.id, quantity: 11 }], idempotencyKey: 'bot-order-0002' },
      { items: [{ planId: plan.id, quantity: 1, trial: 'yes' }], idempotencyKey: 'bot-order-0002' },
      { items: [{ planId: plan.id, quantity: 1, price: 0 }], idempotencyKey: 'bot-order-0002' },
      { items: [{ planId: plan.id, quantity: 1 }] },
      { items: [{ planId: plan.id, quantity: 1 }], idempotencyKey: 'short' },
      { items: [{ planId: '../x', quantity: 1 }], idempotencyKey: 'bot-order-0002' },
      [1, 2, 3],
    ];
    for (const body of bodies) {
      const res = await api()
        .post('/api/v1/checkout')
        .set('authorization', `Bearer ${token}`)
        .send(body as object);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('invalidInput');
      expect(Object.keys(res.body.error.fields).length).toBeGreaterThan(0);
    }
    const broken = await api()
      .post('/api/v1/checkout')
      .set('authorization', `Bearer ${token}`)
      .set('content-type', 'application/json')
      .send('{"items":');
    expect(broken.status).toBe(400);
    const unknownPlan = await api()
      .post('/api/v1/checkout')
      .set('authorization', `Bearer ${token}`)
      .send({ items: [{ planId: 'pln_nope', quantity: 1 }], idempotencyKey: 'bot-order-0003' });
    expect(unknownPlan.status).toBe(404);
    const badExtension = await api()
      .post('/api/v1/subscriptions/sub_nope/extension')
      .set('authorization', `Bearer ${token}`)
      .send({ idempotencyKey: 'x' });
    expect(badExtension.status).toBe(404);
    expect((await t.shop.storage.orders.list({ customerId }, { limit: 10 })).items).toHaveLength(0);
    expect(await balanceOf(t, customerId)).toBe(5000);
  });

  it('refuses a purchase the wallet does not cover with 402 and writes nothing', async () => {
    const { token, customerId } = await buyerWithToken();
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const res = await api()
      .post('/api/v1/checkout')
      .set('authorization', `Bearer ${token}`)
      .send({ items: [{ planId: plan.id, quantity: 1 }], idempotencyKey: 'bot-order-0004' })
      .expect(402);
    expect(res.body.error.code).toBe('checkout.refused.insufficient_funds');
    expect(res.body.error.message).toContain('does not cover');
    expect((await t.shop.storage.orders.list({ customerId }, { limit: 10 })).items).toHaveLength(0);
  });

  it('quotes and pays an extension: too early with its date, then paid once and applied on the panel', async () => {
    const { token, buyer, customerId } = await buyerWithToken();
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    await fund(t, buyer.email, 2 * plan.price.amount);
    const bought = await api()
      .post('/api/v1/checkout')
      .set('authorization', `Bearer ${token}`)
      .send({ items: [{ planId: plan.id, quantity: 1 }], idempotencyKey: 'bot-order-0005' })
      .expect(201);
    await t.drain();
    const id = bought.body.order.subscriptions[0].id as string;
    const sub = (await t.shop.storage.subscriptions.get(id))!;
    const early = await api().get(`/api/v1/subscriptions/${id}/extension`).set('authorization', `Bearer ${token}`).expect(200);
    expect(early.body).toMatchObject({
      allowed: false,
      reason: 'too_early',
      opensAt: new Date(sub.expiresAt!.getTime() - 3 * DAY).toISOString(),
    });
    expect(early.body.message).toContain('too early');
    const refused = await api()
      .post(`/api/v1/subscriptions/${id}/extension`)
      .set('authorization', `Bearer ${token}`)
      .send({ idempotencyKey: 'bot-extend-0001' })
      .expect(409);
    expect(refused.body.error.code).toBe('extension.reasons.too_early');

    t.clock.set(new Date(sub.expiresAt!.getTime() - DAY));
    const open = await api().get(`/api/v1/subscriptions/${id}/extension`).set('authorization', `Bearer ${token}`).expect(200);
    const newExpiresAt = new Date(sub.expiresAt!.getTime() + 30 * DAY).toISOString();
    expect(open.body).toMatchObject({ allowed: true, quote: { action: 'extend', newExpiresAt, price: plan.price } });
    const paid = await api()
      .post(`/api/v1/subscriptions/${id}/extension`)
      .set('authorization', `Bearer ${token}`)
      .send({ idempotencyKey: 'bot-extend-0002' })
      .expect(202);
    expect(paid.body).toMatchObject({ replayed: false, charged: plan.price, newExpiresAt });
    await api()
      .post(`/api/v1/subscriptions/${id}/extension`)
      .set('authorization', `Bearer ${token}`)
      .send({ idempotencyKey: 'bot-extend-0002' })
      .expect(200);
    expect(await balanceOf(t, customerId)).toBe(0);
    await t.drain();
    const frankfurt = t.shop.demo!.panels.find((p) => p.tag === 'de')!;
    expect(frankfurt.sim.client(sub.remote.username)?.['expiryTime']).toBe(Date.parse(newExpiresAt));
    const after = await api().get(`/api/v1/subscriptions/${id}`).set('authorization', `Bearer ${token}`).expect(200);
    expect(after.body).toMatchObject({ expiresAt: newExpiresAt, changeInProgress: false });
  });

  it("answers another buyer's order, subscription and extension with 404", async () => {
    const owner = await buyerWithToken();
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    await fund(t, owner.buyer.email, plan.price.amount * 2);
    const bought = await api()
      .post('/api/v1/checkout')
      .set('authorization', `Bearer ${owner.token}`)
      .send({ items: [{ planId: plan.id, quantity: 1 }], idempotencyKey: 'owner-order-01' })
      .expect(201);
    const orderId = bought.body.order.id as string;
    const subId = bought.body.order.subscriptions[0].id as string;
    const { token } = await buyerWithToken();
    const auth = `Bearer ${token}`;
    await api().get(`/api/v1/orders/${orderId}`).set('authorization', auth).expect(404);
    await api().get(`/api/v1/subscriptions/${subId}`).set('authorization', auth).expect(404);
    await api().get(`/api/v1/subscriptions/${subId}/extension`).set('authorization', auth).expect(404);
    const post = await api()
      .post(`/api/v1/subscriptions/${subId}/extension`)
      .set('authorization', auth)
      .send({ idempotencyKey: 'thief-key-0001' })
      .expect(404);
    expect(post.body.error.code).toBe('notFound');
    expect(await balanceOf(t, owner.customerId)).toBe(plan.price.amount);
  });

  it('takes the browser session with x-csrf-token (and refuses it without)', async () => {
    const buyer = await signedUpBuyer(t.app);
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const body = { items: [{ planId: plan.id, quantity: 1, trial: true }], idempotencyKey: 'session-trial-1' };
    await buyer.agent.post('/api/v1/checkout').send(body).expect(403);
    const res = await buyer.agent.post('/api/v1/checkout').set('x-csrf-token', buyer.csrf).send(body).expect(201);
    expect(res.body.order.total.amount).toBe(0);
    await buyer.agent.get('/api/v1/subscriptions').expect(200);
  });
});

describe('API tokens page', () => {
  it('shows a token once, lists it without the secret, and revokes it', async () => {
    const { buyer, token } = await buyerWithToken();
    const page = await buyer.agent.get('/account/api-tokens').expect(200);
    expect(page.text).toContain('Telegram bot');
    expect(page.text).not.toContain(token);
    await api().get('/api/v1/subscriptions').set('authorization', `Bearer ${token}`).expect(200);
    await api().get('/account/api-tokens').set('authorization', `Bearer ${token}`).expect(403);
    const tokenId = /data-testid="api-token" data-token-id="([0-9a-f]{12})"/.exec(page.text)?.[1];
    const revoked = await buyer.agent
      .post(`/account/api-tokens/${tokenId}/revoke`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
      .expect(303);
    expect(revoked.headers['location']).toBe('/account/api-tokens?done=account.revoked');
    await api().get('/api/v1/subscriptions').set('authorization', `Bearer ${token}`).expect(401);
    await buyer.agent
      .post(`/account/api-tokens/${tokenId}/revoke`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
      .expect(404);
  });

  it('notes when a token was used, at most once a minute (a write on every request would flush the log on every request)', async () => {
    const buyer = await signedUpBuyer(t.app);
    const accountId = (await t.shop.accounts.getByEmail(buyer.email))?.id as string;
    const clock = new ManualClock(TEST_START);
    const store = new ApiTokenStore(t.shop.db, t.shop.shopSchema, clock);
    const { token } = await store.create(accountId, 'script');
    const lastUsed = async () => (await store.list(accountId))[0]?.lastUsedAt ?? null;
    expect(await lastUsed()).toBeNull();
    expect(await store.accountFor(token)).toBe(accountId);
    expect(await lastUsed()).toEqual(TEST_START);
    clock.advance(59_000);
    expect(await store.accountFor(token)).toBe(accountId);
    expect(await lastUsed()).toEqual(TEST_START);
    clock.advance(1_000);
    expect(await store.accountFor(token)).toBe(accountId);
    expect(await lastUsed()).toEqual(clock.now());
    expect(await store.accountFor(`pk_${'y'.repeat(43)}`)).toBeNull();
  });

  it('re-renders a bad name with its message and creates nothing', async () => {
    const buyer = await signedUpBuyer(t.app);
    const page = await buyer.agent.get('/account/api-tokens').expect(200);
    for (const name of ['', '   ', 'x'.repeat(61)]) {
      const res = await buyer.agent
        .post('/account/api-tokens')
        .type('form')
        .send({ _csrf: csrfFrom(page.text), name })
        .expect(400);
      expect(res.text).toContain('class="field-error"');
    }
    const account = await t.shop.accounts.getByEmail(buyer.email);
    expect(await t.shop.apiTokens.list(account!.id)).toHaveLength(0);
  });
});
