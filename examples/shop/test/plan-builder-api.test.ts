/**
 * Issue 71, the plan builder and the location picker over the JSON API: a built plan's quote, buying it with the
 * choice, a plan's locations, buying a fixed plan pinned to a location, and moving one's own subscription.
 */
import type { Plan } from '@panelkit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedUpBuyer, startShop, type ShopUnderTest, type Visitor, ROOMY_RATE_LIMITS } from './support/shop-under-test.js';
import { balanceOf, fund, planNamed } from './support/buying.js';

let t: ShopUnderTest;
let built: Plan;
let fixed: Plan;
beforeAll(async () => {
  t = await startShop({ app: { rateLimits: ROOMY_RATE_LIMITS } });
  const base = await planNamed(t, 'Frankfurt · 1 month · 50');
  const currency = base.price.currency;
  const placement = { preferredTargetIds: [], allowedLocations: ['de', 'nl'], requiredTargetTags: [] };
  built = await t.shop.storage.plans.create({
    name: 'Build your own',
    family: 'built',
    price: { amount: 0, currency },
    durationDays: 30,
    trafficBytes: null,
    placement,
    builder: {
      basePrice: { amount: 100, currency },
      locations: { unitPrice: { amount: 200, currency }, min: 1, max: 2, step: 1, options: ['de', 'nl'] },
      devices: null,
      trafficGiB: null,
      durationDays: { unitPrice: { amount: 10, currency }, min: 30, max: 90, step: 30 },
    },
  });
  fixed = await t.shop.storage.plans.create({
    name: 'Anywhere in Europe',
    family: 'europe',
    price: { amount: 500, currency },
    durationDays: 30,
    trafficBytes: null,
    placement,
  });
});
afterAll(() => t.close());

const post = (buyer: Visitor, path: string, body: unknown) =>
  buyer.agent
    .post(path)
    .set('x-csrf-token', buyer.csrf)
    .send(body as object);
const key = () => `key-${Math.random().toString(36).slice(2)}`;

async function fundedBuyer(amount = 5000): Promise<{ buyer: Visitor; customerId: string }> {
  const buyer = await signedUpBuyer(t.app);
  return { buyer, customerId: await fund(t, buyer.email, amount) };
}

async function tagOf(subscriptionId: string): Promise<string[]> {
  const sub = await t.shop.storage.subscriptions.get(subscriptionId);
  const panel = sub === null ? null : await t.shop.storage.panels.get(sub.panelId);
  return panel?.locationTags ?? [];
}

describe('a built plan over the JSON API', () => {
  it('quotes a choice by the SDK rule, says why a choice is refused, and refuses bad input with 400', async () => {
    const { buyer } = await fundedBuyer();
    const ok = await post(buyer, `/api/v1/plans/${built.id}/quote`, { choice: { locations: ['de', 'nl'], days: 60 } }).expect(200);
    expect(ok.body.allowed).toBe(true);
    expect(ok.body.price.amount).toBe(100 + 2 * 200 + 60 * 10);
    expect(ok.body.terms).toMatchObject({ durationDays: 60, locations: ['de', 'nl'] });

    const offStep = await post(buyer, `/api/v1/plans/${built.id}/quote`, { choice: { locations: ['de'], days: 45 } }).expect(200);
    expect(offStep.body).toMatchObject({ allowed: false, reason: 'off_step', part: 'days' });
    expect(offStep.body.message).toContain('fixed steps');
    const notBuilt = await post(buyer, `/api/v1/plans/${fixed.id}/quote`, { choice: {} }).expect(200);
    expect(notBuilt.body).toMatchObject({ allowed: false, reason: 'not_buildable' });

    await post(buyer, `/api/v1/plans/${built.id}/quote`, { choice: { days: 'many' } }).expect(400);
    await post(buyer, `/api/v1/plans/${built.id}/quote`, { choice: {}, extra: 1 }).expect(400);
    await post(buyer, `/api/v1/plans/${built.id}/quote`, { choice: { locations: ['Not A Tag'] } }).expect(400);
    await post(buyer, '/api/v1/plans/nope/quote', { choice: {} }).expect(404);
    await t.shop.storage.plans.update(built.id, { onSale: false });
    await post(buyer, `/api/v1/plans/${built.id}/quote`, { choice: { locations: ['de'] } }).expect(404);
    await t.shop.storage.plans.update(built.id, { onSale: true });
  });

  it('buys the choice through the checkout: one subscription per location, charged the quote once per key', async () => {
    const { buyer, customerId } = await fundedBuyer();
    const body = { items: [{ planId: built.id, quantity: 1, choice: { locations: ['de', 'nl'], days: 30 } }], idempotencyKey: key() };
    const first = await post(buyer, '/api/v1/checkout', body).expect(201);
    expect(first.body.order.subscriptions).toHaveLength(2);
    const again = await post(buyer, '/api/v1/checkout', body).expect(200);
    expect(again.body.replayed).toBe(true);
    expect(await balanceOf(t, customerId)).toBe(5000 - (100 + 2 * 200 + 30 * 10));
    const tags = await Promise.all(first.body.order.subscriptions.map((s: { id: string }) => tagOf(s.id)));
    expect(tags.flat().sort()).toEqual(['de', 'nl']);
  });

  it('refuses a built plan without a choice, or a refused choice, with 400 and charges nothing', async () => {
    const { buyer, customerId } = await fundedBuyer();
    const none = await post(buyer, '/api/v1/checkout', { items: [{ planId: built.id, quantity: 1 }], idempotencyKey: key() }).expect(400);
    expect(none.body.error.message).toContain("Choose this plan's parts");
    const refused = await post(buyer, '/api/v1/checkout', {
      items: [{ planId: built.id, quantity: 1, choice: { locations: ['fr'] } }],
      idempotencyKey: key(),
    }).expect(400);
    expect(refused.body.error.fields.choice).toContain('not sold in that location');
    expect(await balanceOf(t, customerId)).toBe(5000);
  });
});

describe('the location picker over the JSON API', () => {
  it("lists a plan's locations with the owner's names, each available or busy; an unknown plan is 404", async () => {
    const { buyer } = await fundedBuyer();
    const res = await buyer.agent.get(`/api/v1/plans/${fixed.id}/locations`).expect(200);
    expect(res.body.items).toEqual([
      { location: 'de', country: null, name: 'de', status: 'available' },
      { location: 'nl', country: null, name: 'nl', status: 'available' },
    ]);
    await t.shop.kit.locations.name({ location: 'nl', country: 'NL', name: 'Amsterdam' });
    const named = await buyer.agent.get(`/api/v1/plans/${fixed.id}/locations`).expect(200);
    expect(named.body.items[1]).toEqual({ location: 'nl', country: 'NL', name: 'Amsterdam', status: 'available' });
    await t.shop.kit.locations.remove({ location: 'nl' });
    await buyer.agent.get('/api/v1/plans/nope/locations').expect(404);
  });

  it('buys a fixed plan pinned to a location, and refuses one the plan does not offer', async () => {
    const { buyer, customerId } = await fundedBuyer();
    const res = await post(buyer, '/api/v1/checkout', {
      items: [{ planId: fixed.id, quantity: 1, location: 'nl' }],
      idempotencyKey: key(),
    }).expect(201);
    expect(await tagOf(res.body.order.subscriptions[0].id)).toContain('nl');
    const refused = await post(buyer, '/api/v1/checkout', {
      items: [{ planId: fixed.id, quantity: 1, location: 'fr' }],
      idempotencyKey: key(),
    }).expect(400);
    expect(refused.body.error.fields.location).toContain('not sold in that location');
    await post(buyer, '/api/v1/checkout', { items: [{ planId: fixed.id, quantity: 1, location: 'NL!' }], idempotencyKey: key() }).expect(
      400,
    );
    expect(await balanceOf(t, customerId)).toBe(5000 - 500);
  });

  it("moves the buyer's own subscription once per key; another buyer's is 404; bad input is 400", async () => {
    const { buyer } = await fundedBuyer();
    const bought = await post(buyer, '/api/v1/checkout', {
      items: [{ planId: fixed.id, quantity: 1, location: 'de' }],
      idempotencyKey: key(),
    }).expect(201);
    const subId: string = bought.body.order.subscriptions[0].id;
    await t.drain();
    const before = await t.shop.storage.subscriptions.get(subId);

    await post(buyer, `/api/v1/subscriptions/${subId}/location`, { location: 'de', idempotencyKey: key() }).expect(400);
    await post(buyer, `/api/v1/subscriptions/${subId}/location`, { location: 'fr', idempotencyKey: key() }).expect(400);
    await post(buyer, `/api/v1/subscriptions/${subId}/location`, { location: 'nl' }).expect(400);
    const other = await fundedBuyer();
    await post(other.buyer, `/api/v1/subscriptions/${subId}/location`, { location: 'nl', idempotencyKey: key() }).expect(404);

    const move = { location: 'nl', idempotencyKey: key() };
    const first = await post(buyer, `/api/v1/subscriptions/${subId}/location`, move).expect(202);
    expect(first.body.replayed).toBe(false);
    expect((await post(buyer, `/api/v1/subscriptions/${subId}/location`, move).expect(200)).body.replayed).toBe(true);
    await t.drain();
    expect(await tagOf(subId)).toContain('nl');
    const after = await t.shop.storage.subscriptions.get(subId);
    expect(after?.expiresAt).toEqual(before?.expiresAt);
  });
});
