/**
 * Issue 71, several subscriptions per buyer over the JSON API: naming one's own subscription and its own link (read
 * and rotated); another buyer's subscription is a 404 and bad input a 400, changing nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedUpBuyer, startShop, type ShopUnderTest, type Visitor, ROOMY_RATE_LIMITS } from './support/shop-under-test.js';
import { fund, planNamed } from './support/buying.js';

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startShop({ app: { rateLimits: ROOMY_RATE_LIMITS } });
});
afterAll(() => t.close());

const post = (buyer: Visitor, path: string, body: unknown = {}) =>
  buyer.agent
    .post(path)
    .set('x-csrf-token', buyer.csrf)
    .send(body as object);

async function buyerWithSubscription(): Promise<{ buyer: Visitor; subId: string }> {
  const buyer = await signedUpBuyer(t.app);
  await fund(t, buyer.email, 5000);
  const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
  const res = await post(buyer, '/api/v1/checkout', {
    items: [{ planId: plan.id, quantity: 1 }],
    idempotencyKey: `k-${Math.random()}`,
  }).expect(201);
  await t.drain();
  return { buyer, subId: res.body.order.subscriptions[0].id };
}

describe('named subscriptions and their own links over the JSON API', () => {
  it('names the buyer’s own subscription, clears the name, and refuses a bad one or another buyer’s', async () => {
    const { buyer, subId } = await buyerWithSubscription();
    const named = await post(buyer, `/api/v1/subscriptions/${subId}/label`, { label: '  Phone  ' }).expect(200);
    expect(named.body).toEqual({ subscriptionId: subId, label: 'Phone' });
    expect((await t.shop.storage.subscriptions.get(subId))?.label).toBe('Phone');

    await post(buyer, `/api/v1/subscriptions/${subId}/label`, { label: 'x'.repeat(65) }).expect(400);
    await post(buyer, `/api/v1/subscriptions/${subId}/label`, { label: 'a\u0007b' }).expect(400);
    await post(buyer, `/api/v1/subscriptions/${subId}/label`, {}).expect(400);
    const other = await signedUpBuyer(t.app);
    await post(other, `/api/v1/subscriptions/${subId}/label`, { label: 'Mine' }).expect(404);
    expect((await t.shop.storage.subscriptions.get(subId))?.label).toBe('Phone');

    await post(buyer, `/api/v1/subscriptions/${subId}/label`, { label: null }).expect(200);
    expect((await t.shop.storage.subscriptions.get(subId))?.label).toBeNull();
  });

  it('gives the subscription its own link, rotates it (the old one dead), and hides it from another buyer', async () => {
    const { buyer, subId } = await buyerWithSubscription();
    const first = await buyer.agent.get(`/api/v1/subscriptions/${subId}/link`).expect(200);
    expect(first.body.link).toMatch(/\/s\//);
    expect((await buyer.agent.get(`/api/v1/subscriptions/${subId}/link`).expect(200)).body.link).toBe(first.body.link);
    const rotated = await post(buyer, `/api/v1/subscriptions/${subId}/link/rotate`).expect(200);
    expect(rotated.body.link).not.toBe(first.body.link);
    const oldToken = String(first.body.link).split('/s/')[1] ?? '';
    expect(await t.shop.kit.links.scope(oldToken, {})).toBeNull();

    const other = await signedUpBuyer(t.app);
    await other.agent.get(`/api/v1/subscriptions/${subId}/link`).expect(404);
    await post(other, `/api/v1/subscriptions/${subId}/link/rotate`).expect(404);
    expect((await buyer.agent.get(`/api/v1/subscriptions/${subId}/link`).expect(200)).body.link).toBe(rotated.body.link);
  });
});
