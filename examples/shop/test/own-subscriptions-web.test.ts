/**
 * Issue 71 on the buyer's web pages: several subscriptions named apart (the rename form), each one's own link (shown,
 * rotated) and moving one to another location with the same link; a full location is refused with the reason. Bad
 * input is a 4xx and changes nothing; another buyer's subscription is a 404.
 */
import type { Plan } from '@panelkit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedUpBuyer, startShop, type ShopUnderTest, type Visitor, ROOMY_RATE_LIMITS } from './support/shop-under-test.js';
import { buy, fund, idempotencyKeyFrom, orderIdFrom, planNamed } from './support/buying.js';

let t: ShopUnderTest;
let movable: Plan;
beforeAll(async () => {
  t = await startShop({ app: { rateLimits: ROOMY_RATE_LIMITS } });
  const base = await planNamed(t, 'Frankfurt · 1 month · 50');
  movable = await t.shop.storage.plans.create({
    name: 'Anywhere in Europe',
    family: 'europe-move',
    price: { amount: 500, currency: base.price.currency },
    durationDays: 30,
    trafficBytes: null,
    placement: { preferredTargetIds: [], allowedLocations: ['de', 'nl'], requiredTargetTags: [] },
  });
});
afterAll(() => t.close());

const form = (buyer: Visitor, path: string, fields: Record<string, string>) =>
  buyer.agent
    .post(path)
    .type('form')
    .send({ _csrf: buyer.csrf, ...fields });

async function subscriptionOf(buyer: Visitor, planId: string, fields: Record<string, string> = {}): Promise<string> {
  const res = await buy(buyer, planId, fields);
  expect(res.status).toBe(303);
  await t.drain();
  const [sub] = await t.shop.storage.subscriptions.listByOrder(orderIdFrom(res.headers['location']));
  return sub!.id;
}

async function tagsOf(subId: string): Promise<string[]> {
  const sub = await t.shop.storage.subscriptions.get(subId);
  return (await t.shop.storage.panels.get(sub!.panelId))?.locationTags ?? [];
}

describe('several subscriptions on the web', () => {
  it('names two subscriptions apart from the dashboard and the subscription page; a bad name is 400 and changes nothing', async () => {
    const buyer = await signedUpBuyer(t.app);
    await fund(t, buyer.email, 5000);
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const phone = await subscriptionOf(buyer, plan.id);
    const laptop = await subscriptionOf(buyer, plan.id);

    const named = await form(buyer, `/subscriptions/${phone}/label`, { label: '  Phone ', back: 'dashboard' }).expect(303);
    expect(named.headers['location']).toBe('/dashboard?done=ownSubscriptions.renamed');
    await form(buyer, `/subscriptions/${laptop}/label`, { label: 'Laptop', back: 'subscription' }).expect(303);
    const dashboard = await buyer.agent.get('/dashboard').expect(200);
    expect(dashboard.text).toContain('Phone</a>');
    expect(dashboard.text).toContain('Laptop</a>');
    expect((await buyer.agent.get(`/subscriptions/${laptop}`).expect(200)).text).toContain('data-testid="subscription-title">Laptop</h1>');

    await form(buyer, `/subscriptions/${phone}/label`, { label: 'x'.repeat(65) }).expect(400);
    await form(buyer, `/subscriptions/${phone}/label`, { label: 'a\u0007b' }).expect(400);
    await form(buyer, `/subscriptions/${phone}/label`, { label: 'Mine', back: 'elsewhere' }).expect(400);
    await buyer.agent.post(`/subscriptions/${phone}/label`).type('form').send({ label: 'No token' }).expect(403);
    const other = await signedUpBuyer(t.app);
    await form(other, `/subscriptions/${phone}/label`, { label: 'Mine' }).expect(404);
    expect((await t.shop.storage.subscriptions.get(phone))?.label).toBe('Phone');
    expect((await t.shop.storage.subscriptions.get(laptop))?.label).toBe('Laptop');

    await form(buyer, `/subscriptions/${phone}/label`, { label: '' }).expect(303);
    expect((await t.shop.storage.subscriptions.get(phone))?.label).toBeNull();
  });

  it('shows each subscription its own link, rotates it (the old one refused) and hides it from another buyer', async () => {
    const buyer = await signedUpBuyer(t.app);
    await fund(t, buyer.email, 5000);
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const first = await subscriptionOf(buyer, plan.id);
    const second = await subscriptionOf(buyer, plan.id);
    const linkOf = async (id: string) =>
      /value="([^"]+\/s\/[A-Za-z0-9_-]+)"/.exec((await buyer.agent.get(`/subscriptions/${id}/link`).expect(200)).text)?.[1];
    const one = await linkOf(first);
    const two = await linkOf(second);
    expect(one).toMatch(/\/s\/[A-Za-z0-9_-]{32}$/);
    expect(two).not.toBe(one);

    const other = await signedUpBuyer(t.app);
    await other.agent.get(`/subscriptions/${first}/link`).expect(404);
    await form(other, `/subscriptions/${first}/link/rotate`, {}).expect(404);
    await buyer.agent.post(`/subscriptions/${first}/link/rotate`).type('form').send({}).expect(403);
    expect(await linkOf(first)).toBe(one);

    const rotated = await form(buyer, `/subscriptions/${first}/link/rotate`, {}).expect(303);
    expect(rotated.headers['location']).toBe(`/subscriptions/${first}/link?done=ownSubscriptions.link_rotated`);
    const fresh = await linkOf(first);
    expect(fresh).not.toBe(one);
    expect(await t.shop.kit.links.scope(String(one).split('/s/')[1]!, {})).toBeNull();
    expect(await linkOf(second)).toBe(two);
  });

  it('moves a subscription to another location with the same links; refuses bad input and a full location cleanly', async () => {
    const buyer = await signedUpBuyer(t.app);
    await fund(t, buyer.email, 5000);
    const subId = await subscriptionOf(buyer, movable.id, { location: 'de' });
    const sub = await t.shop.storage.subscriptions.get(subId);
    const customerLink = await t.shop.kit.links.tokenFor(sub!.customerId);
    const ownLink = await t.shop.kit.links.tokenForSubscription(sub!.customerId, subId);
    expect((await buyer.agent.get(`/subscriptions/${subId}`).expect(200)).text).toContain('data-testid="move-link"');

    const page = await buyer.agent.get(`/subscriptions/${subId}/move`).expect(200);
    expect(page.text).toContain('<option value="nl"');
    expect(page.text).not.toContain('<option value="de"');
    const key = idempotencyKeyFrom(page.text);

    expect((await form(buyer, `/subscriptions/${subId}/move`, { location: 'NOT A TAG', idempotencyKey: key }).expect(400)).text).toContain(
      'Choose a location from the list.',
    );
    expect((await form(buyer, `/subscriptions/${subId}/move`, { location: 'de', idempotencyKey: key }).expect(400)).text).toContain(
      'in that location already',
    );
    await form(buyer, `/subscriptions/${subId}/move`, { location: 'fr', idempotencyKey: key }).expect(400);
    await form(buyer, `/subscriptions/${subId}/move`, { location: 'nl' }).expect(400);
    const other = await signedUpBuyer(t.app);
    await form(other, `/subscriptions/${subId}/move`, { location: 'nl', idempotencyKey: key }).expect(404);

    // Every server in nl full: the page shows it busy, and a post anyway is refused with the reason.
    const panels = (await t.shop.storage.panels.list()).filter((p) => p.locationTags.includes('nl')).map((p) => p.id);
    const nlTargets = (await t.shop.storage.targets.list()).filter((x) => panels.includes(x.panelId));
    for (const target of nlTargets) await t.shop.storage.targets.update(target.id, { capacity: target.allocated });
    expect((await buyer.agent.get(`/subscriptions/${subId}/move`).expect(200)).text).toMatch(/<option value="nl"\s+disabled/);
    const full = await form(buyer, `/subscriptions/${subId}/move`, { location: 'nl', idempotencyKey: key }).expect(409);
    expect(full.text).toContain('That location is full right now.');
    await t.drain();
    expect(await tagsOf(subId)).toContain('de');
    for (const target of nlTargets) await t.shop.storage.targets.update(target.id, { capacity: target.capacity });

    const moved = await form(buyer, `/subscriptions/${subId}/move`, { location: 'nl', idempotencyKey: key }).expect(303);
    expect(moved.headers['location']).toBe(`/subscriptions/${subId}?done=ownSubscriptions.moving`);
    await t.drain();
    expect(await tagsOf(subId)).toContain('nl');
    expect(await t.shop.kit.links.tokenFor(sub!.customerId)).toBe(customerLink);
    expect(await t.shop.kit.links.tokenForSubscription(sub!.customerId, subId)).toBe(ownLink);
    expect((await t.shop.storage.subscriptions.get(subId))?.expiresAt).toEqual(sub?.expiresAt);
  });
});
