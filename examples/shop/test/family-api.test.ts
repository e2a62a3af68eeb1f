/**
 * Issue 71, family plans over the JSON API: the payer invites, a signed-in buyer accepts, the payer lists and
 * removes members; another buyer's subscription, invite or member is a 404 and bad input a 400.
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

describe('family plans over the JSON API', () => {
  it('invites, accepts once, lists and removes members, and keeps every other buyer out', async () => {
    const base = await planNamed(t, 'Frankfurt · 1 month · 50');
    const family = await t.shop.storage.plans.create({
      name: 'Family',
      family: 'family-plan',
      price: base.price,
      durationDays: 30,
      trafficBytes: null,
      placement: base.placement,
      sharing: { maxMembers: 2 },
    });
    const payer = await signedUpBuyer(t.app);
    await fund(t, payer.email, 5000);
    const bought = await post(payer, '/api/v1/checkout', {
      items: [{ planId: family.id, quantity: 1 }],
      idempotencyKey: 'family-1',
    }).expect(201);
    const groupId: string = bought.body.order.subscriptions[0].id;
    await t.drain();

    const stranger = await signedUpBuyer(t.app);
    await post(stranger, `/api/v1/subscriptions/${groupId}/invites`).expect(404);
    await stranger.agent.get(`/api/v1/subscriptions/${groupId}/members`).expect(404);

    const invite = await post(payer, `/api/v1/subscriptions/${groupId}/invites`).expect(201);
    expect(typeof invite.body.token).toBe('string');
    const member = await signedUpBuyer(t.app);
    await post(member, '/api/v1/family/accept', {}).expect(400);
    await post(member, '/api/v1/family/accept', { token: 'not-a-token' }).expect(404);
    const accepted = await post(member, '/api/v1/family/accept', { token: invite.body.token }).expect(201);
    const memberSubId: string = accepted.body.subscriptionId;
    const again = await post(stranger, '/api/v1/family/accept', { token: invite.body.token }).expect(409);
    expect(again.body.error.message).toBe('This invite has been used already.');

    const members = await payer.agent.get(`/api/v1/subscriptions/${groupId}/members`).expect(200);
    expect(members.body.items.map((m: { subscriptionId: string }) => m.subscriptionId)).toEqual([memberSubId]);

    await post(stranger, `/api/v1/subscriptions/${groupId}/members/${memberSubId}/remove`).expect(404);
    await post(member, `/api/v1/subscriptions/${memberSubId}/members/${memberSubId}/remove`).expect(404);
    const removed = await post(payer, `/api/v1/subscriptions/${groupId}/members/${memberSubId}/remove`).expect(200);
    expect(removed.body.removedAt).not.toBeNull();
    expect((await payer.agent.get(`/api/v1/subscriptions/${groupId}/members`).expect(200)).body.items).toEqual([]);
  });
});
