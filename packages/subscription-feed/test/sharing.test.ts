/**
 * The feed handler over `kit.links.scope`: a subscription's own link serves that subscription alone (its device
 * counted on it), the customer's link still serves all of them, and a removed family member's links are refused in
 * the very next request.
 */
import { describe, expect, it } from 'vitest';
import { createFeedHandler } from '../src/handler.js';
import { memoryKit } from './support/memory-kit.js';

const happ = (hwid: string) => ({ 'user-agent': 'Happ/4.6.0/ios/2603181556604', 'x-hwid': hwid });
const names = (body: string) =>
  Buffer.from(body, 'base64')
    .toString('utf8')
    .split('\n')
    .map((l) => decodeURIComponent(l.slice(l.indexOf('#') + 1)));

async function setUp() {
  const m = await memoryKit();
  const answer = createFeedHandler({
    kit: m.kit,
    title: 'Demo VPN',
    linkUrl: (t) => `https://shop.example/s/${t}`,
    now: () => m.clock.now(),
  });
  return { ...m, answer };
}

describe('the feed handler with several subscriptions and family sharing', () => {
  it("a subscription's own link serves it alone and counts its device there; the customer's link serves both", async () => {
    const s = await setUp();
    const { customerId, subscription: first } = await s.buyer();
    await s.kit.topUp({ customerId, amount: { amount: 1000, currency: 'USD' }, idempotencyKey: 'more' });
    const { subscriptions } = await s.kit.checkout({ customerId, items: [{ planId: first.planId }], idempotencyKey: 'second' });
    await s.kit.createWorker({ heartbeatIntervalMs: 3_600_000 }).drain();
    const second = (await s.storage.subscriptions.get(subscriptions[0]!.id))!;

    const own = await s.kit.links.tokenForSubscription(customerId, second.id);
    const served = await s.answer({ token: own, method: 'GET', headers: happ('tablet') });
    expect(served.status).toBe(200);
    expect(names(served.body)).toEqual([second.remote.username]);
    expect((await s.kit.devices.list(second.id)).map((d) => d.hwid)).toEqual(['tablet']);
    expect(await s.kit.devices.list(first.id)).toEqual([]);

    const wide = await s.kit.links.tokenFor(customerId);
    const all = await s.answer({ token: wide, method: 'GET', headers: happ('laptop') });
    expect(names(all.body).sort()).toEqual([first.remote.username, second.remote.username].sort());

    const rotated = await s.kit.links.rotateForSubscription(customerId, second.id, { type: 'customer', id: customerId });
    expect((await s.answer({ token: own, method: 'GET', headers: happ('tablet') })).status).toBe(404);
    expect((await s.answer({ token: rotated, method: 'GET', headers: happ('tablet') })).status).toBe(200);
  });

  it("a member removed by the payer: the member's links answer nothing usable in the next request", async () => {
    const s = await setUp();
    const { customerId: payer, subscription: group } = await s.buyer({ sharing: { maxMembers: 2 }, deviceLimit: 1 });
    const member = await s.storage.customers.create({ email: 'member@example.com' });
    const { token: invite } = await s.kit.sharing.invite({ customerId: payer, groupId: group.id });
    const { subscription } = await s.kit.sharing.accept({ token: invite, customerId: member.id });
    await s.kit.createWorker({ heartbeatIntervalMs: 3_600_000 }).drain();
    const memberSub = (await s.storage.subscriptions.get(subscription.id))!;
    const [own, wide] = [await s.kit.links.tokenForSubscription(member.id, memberSub.id), await s.kit.links.tokenFor(member.id)];
    expect(names((await s.answer({ token: own, method: 'GET', headers: happ('m1') })).body)).toEqual([memberSub.remote.username]);
    // The payer's link serves the payer's subscription only, not the member's.
    const payerAnswer = await s.answer({ token: await s.kit.links.tokenFor(payer), method: 'GET', headers: happ('p1') });
    expect(names(payerAnswer.body)).toEqual([group.remote.username]);

    await s.kit.sharing.remove({ customerId: payer, subscriptionId: memberSub.id });
    expect((await s.answer({ token: own, method: 'GET', headers: happ('m1') })).status).toBe(404);
    const after = await s.answer({ token: wide, method: 'GET', headers: happ('m1') });
    expect(after.body.includes(memberSub.remote.username)).toBe(false);
    expect(Buffer.from(after.body, 'base64').toString('utf8')).not.toContain(memberSub.remote.username);
  });
});
