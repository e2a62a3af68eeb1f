import { describe, expect, it } from 'vitest';
import { EligibilityError, NotFoundError, parseDeviceHeaders, ValidationError } from '../../src/index.js';
import { createHarness } from './harness.js';

const SECRET = 'sharing-test-secret-0123456789';
const DAY = 86_400_000;
const LIVE = ['active', 'on_hold'] as const;
const reasonOf = (e: unknown) => (EligibilityError.is(e) ? e.reasons[0] : String(e));
const device = (hwid: string) => parseDeviceHeaders({ 'x-hwid': hwid, 'user-agent': 'Happ/3.0' });

/** A harness with a family plan (3 members, 2 devices each) and a payer who bought it, provisioned. */
async function family(maxMembers = 3) {
  const h = await createHarness({ links: { secret: SECRET } });
  const plan = await h.addPlan({ sharing: { maxMembers }, deviceLimit: 2, price: { amount: 3000, currency: 'USD' } });
  const payer = await h.customer(10_000);
  const bought = await h.kit.checkout({ customerId: payer, items: [{ planId: plan.id, quantity: 1 }], idempotencyKey: 'fam' });
  await h.worker().drain();
  const group = (await h.storage.subscriptions.get(bought.subscriptions[0]!.id))!;
  expect(group.status).toBe('active');
  return { h, plan, payer, group };
}

describe('several subscriptions and family sharing', () => {
  it('a family of 3: own links and device limits each, a removed member refused at once, no member sees another', async () => {
    const { h, payer, group } = await family();
    const members = [await h.customer(), await h.customer(), await h.customer()];
    const accepted = [];
    for (const customerId of members) {
      const { token } = await h.kit.sharing.invite({ customerId: payer, groupId: group.id });
      accepted.push(await h.kit.sharing.accept({ token, customerId }));
    }
    // Nothing is charged to members.
    for (const [i, a] of accepted.entries()) {
      expect(a.order).toMatchObject({ customerId: members[i], total: { amount: 0 } });
      expect(await h.balance(members[i]!)).toBe(0);
    }
    await h.worker().drain();
    const subs = await Promise.all(accepted.map(async (a) => (await h.storage.subscriptions.get(a.subscription.id))!));
    for (const [i, sub] of subs.entries()) {
      expect(sub).toMatchObject({ customerId: members[i], status: 'active', deviceLimit: 2, expiresAt: group.expiresAt });
    }
    expect((await h.kit.sharing.members(payer, group.id)).map((m) => m.customerId).sort()).toEqual([...members].sort());

    // Three links: each member's own (customer-wide) link serves their subscription alone.
    const links = await Promise.all(members.map((m) => h.kit.links.tokenFor(m)));
    expect(new Set(links).size).toBe(3);
    for (const [i, token] of links.entries()) {
      const scope = await h.kit.links.scope(token, { statuses: LIVE });
      expect(scope?.subscriptions.map((s) => s.id)).toEqual([subs[i]!.id]);
    }
    // Device limits each: two devices fill one member's quota, not the others'.
    expect(await h.kit.devices.touch(subs[0]!.id, device('a1'))).toMatchObject({ served: true });
    expect(await h.kit.devices.touch(subs[0]!.id, device('a2'))).toMatchObject({ served: true });
    expect(await h.kit.devices.touch(subs[0]!.id, device('a3'))).toMatchObject({ served: false, reason: 'limit_reached', limit: 2 });
    expect(await h.kit.devices.touch(subs[1]!.id, device('b1'))).toMatchObject({ served: true });

    // A member cannot get another member's (or the payer's) subscription link, nor list the group.
    const own = await h.kit.links.tokenForSubscription(members[0]!, subs[0]!.id);
    await expect(h.kit.links.tokenForSubscription(members[0]!, subs[1]!.id)).rejects.toSatisfy((e) => NotFoundError.is(e));
    await expect(h.kit.links.tokenForSubscription(members[0]!, group.id)).rejects.toSatisfy((e) => NotFoundError.is(e));
    await expect(h.kit.sharing.members(members[0]!, group.id)).rejects.toSatisfy((e) => NotFoundError.is(e));
    await expect(h.kit.sharing.remove({ customerId: members[0]!, subscriptionId: subs[1]!.id })).rejects.toSatisfy((e) =>
      NotFoundError.is(e),
    );

    // The payer removes member 0: both of that member's links serve nothing from the moment it returns.
    await h.kit.sharing.remove({ customerId: payer, subscriptionId: subs[0]!.id });
    expect(await h.kit.links.scope(own, { statuses: LIVE })).toBeNull();
    expect((await h.kit.links.scope(links[0]!, { statuses: LIVE }))?.subscriptions).toEqual([]);
    expect((await h.storage.subscriptions.get(subs[0]!.id))!.status).toBe('terminated');
    const removal = await h.storage.jobs.list({ dedupeKey: `subscription.remove:${subs[0]!.id}` }, { limit: 5 });
    expect(removal.items).toHaveLength(1);
    await h.worker().drain();
    expect((await h.storage.jobs.get(removal.items[0]!.id))!.state).toBe('succeeded');
    expect(h.fakes.get(subs[0]!.panelId)!.client(subs[0]!.remote.username)).toBeUndefined();
    // The others keep theirs.
    expect((await h.kit.links.scope(links[1]!, { statuses: LIVE }))?.subscriptions.map((s) => s.id)).toEqual([subs[1]!.id]);
    expect((await h.kit.sharing.members(payer, group.id)).map((m) => m.customerId).sort()).toEqual(members.slice(1).sort());
  });

  it("members follow the payer's expiry: an extension of the payer's reaches theirs through jobs", async () => {
    const { h, payer, group } = await family();
    const member = await h.customer();
    const { token } = await h.kit.sharing.invite({ customerId: payer, groupId: group.id });
    const { subscription } = await h.kit.sharing.accept({ token, customerId: member });
    await h.worker().drain();
    h.clock.advanceDays(28);
    await h.kit.extend({ subscriptionId: group.id, idempotencyKey: 'ext' });
    await h.worker().drain();
    const extended = (await h.storage.subscriptions.get(group.id))!;
    expect(extended.expiresAt!.getTime()).toBe(group.expiresAt!.getTime() + 30 * DAY);
    const followed = (await h.storage.subscriptions.get(subscription.id))!;
    expect(followed.expiresAt).toEqual(extended.expiresAt);
    expect(h.fakes.get(followed.panelId)!.client(followed.remote.username)?.expiry).toEqual({ type: 'at', at: extended.expiresAt });
    expect(await h.balance(member)).toBe(0);
  });

  it('refuses clearly and changes nothing: a used or expired invite, a full group, the payer, a plan for one, bad input', async () => {
    const { h, payer, group } = await family(1);
    const [first, second] = [await h.customer(), await h.customer()];
    const one = await h.kit.sharing.invite({ customerId: payer, groupId: group.id, validHours: 1 });
    const two = await h.kit.sharing.invite({ customerId: payer, groupId: group.id, validHours: 1 });
    await expect(h.kit.sharing.accept({ token: one.token, customerId: payer })).rejects.toSatisfy((e) => reasonOf(e) === 'own_group');
    await h.kit.sharing.accept({ token: one.token, customerId: first });
    await expect(h.kit.sharing.accept({ token: one.token, customerId: second })).rejects.toSatisfy((e) => reasonOf(e) === 'invite_used');
    await expect(h.kit.sharing.accept({ token: two.token, customerId: second })).rejects.toSatisfy((e) => reasonOf(e) === 'group_full');
    await expect(h.kit.sharing.accept({ token: 'x'.repeat(32), customerId: second })).rejects.toSatisfy((e) => NotFoundError.is(e));
    h.clock.advance(2 * 3_600_000);
    await expect(h.kit.sharing.accept({ token: two.token, customerId: second })).rejects.toSatisfy((e) => reasonOf(e) === 'invite_expired');
    expect(await h.storage.subscriptions.listByCustomer(second, { limit: 10 })).toMatchObject({ items: [] });
    expect((await h.kit.sharing.members(payer, group.id)).map((m) => m.customerId)).toEqual([first]);

    const single = await h.kit.checkout({ customerId: payer, items: [{ planId: h.plan.id, quantity: 1 }], idempotencyKey: 'one' });
    await h.worker().drain();
    await expect(h.kit.sharing.invite({ customerId: payer, groupId: single.subscriptions[0]!.id })).rejects.toSatisfy(
      (e) => reasonOf(e) === 'not_shared',
    );
    await expect(h.kit.sharing.invite({ customerId: payer, groupId: group.id, validHours: 0 })).rejects.toSatisfy((e) =>
      ValidationError.is(e),
    );
    await expect(h.kit.sharing.invite({ customerId: first, groupId: group.id })).rejects.toSatisfy((e) => NotFoundError.is(e));
  });

  it('one buyer with two subscriptions manages each apart: names, own links, rotation of one leaves the other', async () => {
    const h = await createHarness({ links: { secret: SECRET } });
    const buyer = await h.customer(5000);
    const bought = await h.kit.checkout({ customerId: buyer, items: [{ planId: h.plan.id, quantity: 2 }], idempotencyKey: 'two' });
    await h.worker().drain();
    const [a, b] = bought.subscriptions.map((s) => s.id) as [string, string];
    expect((await h.kit.sharing.name({ customerId: buyer, subscriptionId: a, label: '  Phone ' })).label).toBe('Phone');
    await h.kit.sharing.name({ customerId: buyer, subscriptionId: b, label: 'Laptop' });
    await expect(h.kit.sharing.name({ customerId: buyer, subscriptionId: b, label: '' })).rejects.toSatisfy((e) => ValidationError.is(e));
    await expect(h.kit.sharing.name({ customerId: buyer, subscriptionId: b, label: 'a\u0007b' })).rejects.toSatisfy((e) =>
      ValidationError.is(e),
    );
    const stranger = await h.customer();
    await expect(h.kit.sharing.name({ customerId: stranger, subscriptionId: b, label: 'Mine' })).rejects.toSatisfy((e) =>
      NotFoundError.is(e),
    );
    expect((await h.storage.subscriptions.get(b))!.label).toBe('Laptop');

    const wide = await h.kit.links.tokenFor(buyer);
    const [ta, tb] = [await h.kit.links.tokenForSubscription(buyer, a), await h.kit.links.tokenForSubscription(buyer, b)];
    expect(new Set([wide, ta, tb]).size).toBe(3);
    expect(await h.kit.links.tokenForSubscription(buyer, a)).toBe(ta);
    expect((await h.kit.links.scope(wide, { statuses: LIVE }))?.subscriptions.map((s) => s.id).sort()).toEqual([a, b].sort());
    expect(await h.kit.links.scope(ta, { statuses: LIVE })).toMatchObject({
      customerId: buyer,
      subscriptionId: a,
      subscriptions: [{ id: a }],
    });
    // The customer's link is unchanged by any of it, and resolve never answers for a subscription's own token.
    expect(await h.kit.links.resolve(wide)).toBe(buyer);
    expect(await h.kit.links.resolve(ta)).toBeNull();

    const fresh = await h.kit.links.rotateForSubscription(buyer, a, { type: 'customer', id: buyer });
    expect(fresh).not.toBe(ta);
    expect(await h.kit.links.scope(ta)).toBeNull();
    expect((await h.kit.links.scope(fresh))?.subscriptionId).toBe(a);
    expect((await h.kit.links.scope(tb))?.subscriptionId).toBe(b);
    expect(await h.kit.links.tokenFor(buyer)).toBe(wide);
    const audit = (await h.storage.audit.list({ subjectId: a }, { limit: 20 })).items.map((e) => e.action);
    expect(audit).toContain('subscription_link.rotated');
    expect(audit).toContain('subscription.labelled');
  });

  it('rotates an own link from the version the buyer confirmed once, however often and however concurrently it is asked', async () => {
    const h = await createHarness({ links: { secret: SECRET } });
    const buyer = await h.customer(5000);
    const bought = await h.kit.checkout({ customerId: buyer, items: [{ planId: h.plan.id }], idempotencyKey: 'from' });
    const sub = bought.subscriptions[0]!.id;
    const actor = { type: 'customer', id: buyer } as const;
    const before = await h.kit.links.tokenForSubscription(buyer, sub);
    const from = await h.kit.links.subscriptionLinkVersion(buyer, sub);
    expect(from).toMatch(/^[0-9a-f]{12}$/);
    const rotations = async () =>
      (await h.storage.audit.list({ subjectId: sub }, { limit: 20 })).items.filter((e) => e.action === 'subscription_link.rotated').length;

    const answers = await Promise.all(Array.from({ length: 4 }, () => h.kit.links.rotateForSubscription(buyer, sub, actor, { from })));
    const now = await h.kit.links.tokenForSubscription(buyer, sub);
    expect(now).not.toBe(before);
    expect(answers).toEqual([now, now, now, now]);
    expect(await rotations()).toBe(1);
    expect(await h.kit.links.subscriptionLinkVersion(buyer, sub)).not.toBe(from);
    // Asked again later from the old version: the current link, nothing rotated.
    expect(await h.kit.links.rotateForSubscription(buyer, sub, actor, { from })).toBe(now);
    expect(await rotations()).toBe(1);

    for (const bad of ['', 'ABCDEF012345', 'nope']) {
      await expect(h.kit.links.rotateForSubscription(buyer, sub, actor, { from: bad })).rejects.toSatisfy((e) => ValidationError.is(e));
    }
    const stranger = await h.customer();
    await expect(h.kit.links.rotateForSubscription(stranger, sub, actor, { from })).rejects.toSatisfy((e) => NotFoundError.is(e));
    await expect(h.kit.links.subscriptionLinkVersion(stranger, sub)).rejects.toSatisfy((e) => NotFoundError.is(e));
    expect(await h.kit.links.tokenForSubscription(buyer, sub)).toBe(now);
    expect(await rotations()).toBe(1);
  });
});
