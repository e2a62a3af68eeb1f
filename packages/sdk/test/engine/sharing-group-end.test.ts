import { describe, expect, it } from 'vitest';
import { EligibilityError } from '../../src/index.js';
import { SHARING_FOLLOW_JOB } from '../../src/sharing.js';
import { createHarness } from './harness.js';

const SECRET = 'sharing-end-test-secret-0123456789';
const DAY = 86_400_000;
const LIVE = ['active', 'on_hold', 'limited', 'expired', 'suspended', 'pending'] as const;
const reasonOf = (e: unknown) => (EligibilityError.is(e) ? e.reasons[0] : String(e));

/** A family plan (`maxMembers` seats), its payer's group provisioned, and `members` members seated and provisioned. */
async function family(options: { maxMembers?: number; members?: number; drain?: boolean } = {}) {
  const h = await createHarness({ links: { secret: SECRET } });
  const plan = await h.addPlan({ sharing: { maxMembers: options.maxMembers ?? 3 }, price: { amount: 3000, currency: 'USD' } });
  const payer = await h.customer(10_000);
  const bought = await h.kit.checkout({ customerId: payer, items: [{ planId: plan.id, quantity: 1 }], idempotencyKey: 'fam' });
  await h.worker().drain();
  const group = (await h.storage.subscriptions.get(bought.subscriptions[0]!.id))!;
  const members: { customerId: string; subscriptionId: string }[] = [];
  for (let i = 0; i < (options.members ?? 2); i++) {
    const customerId = await h.customer();
    const { token } = await h.kit.sharing.invite({ customerId: payer, groupId: group.id });
    const { subscription } = await h.kit.sharing.accept({ token, customerId });
    members.push({ customerId, subscriptionId: subscription.id });
  }
  if (options.drain !== false) await h.worker().drain();
  return { h, plan, payer, group, orderId: bought.order.id, members };
}

/** Each member's subscription status, its own link's scope and its seat after the worker ran. */
async function afterEnd(h: Awaited<ReturnType<typeof family>>['h'], members: { customerId: string; subscriptionId: string }[]) {
  return Promise.all(
    members.map(async (m) => {
      const sub = (await h.storage.subscriptions.get(m.subscriptionId))!;
      const fake = h.fakes.get(sub.panelId)!;
      return {
        status: sub.status,
        onPanel: fake.client(sub.remote.username) !== undefined,
        seat: (await h.kit.sharing.membership(sub.id))?.removedAt,
      };
    }),
  );
}

describe("members end with the payer's subscription", () => {
  it('terminated by an admin: the follow jobs are written with the termination, and the members end, links refused', async () => {
    const { h, group, members } = await family();
    const links = await Promise.all(members.map((m) => h.kit.links.tokenForSubscription(m.customerId, m.subscriptionId)));
    await h.kit.terminate({ subscriptionId: group.id, reason: 'abuse' });
    // Written in the termination's transaction: one follow job per member.
    for (const m of members) {
      const jobs = await h.storage.jobs.list({ dedupeKey: `${SHARING_FOLLOW_JOB}:${m.subscriptionId}`, state: 'queued' }, { limit: 5 });
      expect(jobs.items).toHaveLength(1);
    }
    await h.worker().drain();
    const ended = await afterEnd(h, members);
    for (const e of ended) expect(e).toMatchObject({ status: 'terminated', onPanel: false, seat: expect.any(Date) });
    for (const token of links) expect(await h.kit.links.scope(token, { statuses: LIVE })).toBeNull();
    for (const m of members) {
      expect((await h.kit.links.scope(await h.kit.links.tokenFor(m.customerId), { statuses: LIVE }))?.subscriptions).toEqual([]);
      const audit = await h.storage.audit.list({ subjectType: 'subscription', subjectId: m.subscriptionId }, { limit: 50 });
      expect(audit.items.filter((a) => a.action === 'sharing.ended')).toHaveLength(1);
    }

    // Idempotent: another follow of an ended member changes nothing and audits nothing more.
    await h.storage.transaction(async (tx) => {
      await tx.jobs.enqueue({ type: SHARING_FOLLOW_JOB, payload: { subscriptionId: members[0]!.subscriptionId }, maxAttempts: 3 });
    });
    await h.worker().drain();
    const audit = await h.storage.audit.list({ subjectType: 'subscription', subjectId: members[0]!.subscriptionId }, { limit: 50 });
    expect(audit.items.filter((a) => a.action === 'sharing.ended')).toHaveLength(1);
    expect((await h.storage.subscriptions.get(members[0]!.subscriptionId))!.status).toBe('terminated');
  });

  it('refunded in full: the members end with the refunded order', async () => {
    const { h, payer, orderId, members } = await family();
    await h.kit.refund({ customerId: payer, orderId, amount: { amount: 3000, currency: 'USD' }, idempotencyKey: 'refund' });
    await h.worker().drain();
    for (const e of await afterEnd(h, members)) expect(e).toMatchObject({ status: 'terminated', onPanel: false });
  });

  it('expired past its grace: the members end with it (and they had followed it to expired)', async () => {
    const { h, group, members } = await family();
    h.clock.advance(group.expiresAt!.getTime() - h.clock.now().getTime() + DAY);
    await h.kit.createScheduler().tick();
    await h.worker().drain();
    expect((await h.storage.subscriptions.get(group.id))!.status).toBe('expired');
    h.clock.advanceDays(8);
    await h.kit.createScheduler().tick();
    await h.worker().drain();
    expect((await h.storage.subscriptions.get(group.id))!.status).toBe('terminated');
    for (const e of await afterEnd(h, members)) expect(e).toMatchObject({ status: 'terminated', onPanel: false });
  });

  it('a member still waiting for its client ends too: its provisioning is cancelled, nothing is left on a panel', async () => {
    const { h, group, members } = await family({ members: 1, drain: false });
    await h.kit.terminate({ subscriptionId: group.id });
    await h.worker().drain();
    for (const e of await afterEnd(h, members)) expect(e).toMatchObject({ status: 'terminated', onPanel: false });
  });

  it('an extension still reaches the members, and a removed member is refused at once and not revived', async () => {
    const { h, payer, group, members } = await family();
    const removedLink = await h.kit.links.tokenForSubscription(members[0]!.customerId, members[0]!.subscriptionId);
    await h.kit.sharing.remove({ customerId: payer, subscriptionId: members[0]!.subscriptionId });
    expect(await h.kit.links.scope(removedLink, { statuses: LIVE })).toBeNull();
    h.clock.advanceDays(28);
    await h.kit.extend({ subscriptionId: group.id, idempotencyKey: 'ext' });
    await h.worker().drain();
    const extended = (await h.storage.subscriptions.get(group.id))!;
    expect((await h.storage.subscriptions.get(members[1]!.subscriptionId))!.expiresAt).toEqual(extended.expiresAt);
    expect((await h.storage.subscriptions.get(members[0]!.subscriptionId))!.status).toBe('terminated');
    expect(await h.kit.links.scope(removedLink, { statuses: LIVE })).toBeNull();
  });
});

describe('a group’s seats are frozen at purchase', () => {
  it('a later edit of the plan changes no existing group; a new buyer gets the edited figure', async () => {
    const { h, plan, payer, group } = await family({ maxMembers: 2, members: 2 });
    expect(group.terms?.sharing).toEqual({ maxMembers: 2 });
    await h.storage.plans.update(plan.id, { sharing: { maxMembers: 4 } });
    const { token } = await h.kit.sharing.invite({ customerId: payer, groupId: group.id });
    await expect(h.kit.sharing.accept({ token, customerId: await h.customer() })).rejects.toSatisfy((e) => reasonOf(e) === 'group_full');

    // Fewer seats on the plan now: the group keeps the two it bought.
    const { h: h2, plan: plan2, payer: payer2, group: group2 } = await family({ maxMembers: 3, members: 1 });
    await h2.storage.plans.update(plan2.id, { sharing: { maxMembers: 1 } });
    const second = await h2.kit.sharing.invite({ customerId: payer2, groupId: group2.id });
    await h2.kit.sharing.accept({ token: second.token, customerId: await h2.customer() });
    expect(await h2.kit.sharing.members(payer2, group2.id)).toHaveLength(2);
    // Unshared since: the group still has its seats.
    await h2.storage.plans.update(plan2.id, { sharing: null });
    const third = await h2.kit.sharing.invite({ customerId: payer2, groupId: group2.id });
    await h2.kit.sharing.accept({ token: third.token, customerId: await h2.customer() });
    expect(await h2.kit.sharing.members(payer2, group2.id)).toHaveLength(3);

    const buyer = await h.customer(10_000);
    const fresh = await h.kit.checkout({ customerId: buyer, items: [{ planId: plan.id, quantity: 1 }], idempotencyKey: 'new' });
    expect(fresh.subscriptions[0]!.terms?.sharing).toEqual({ maxMembers: 4 });
  });

  it('terms frozen before seats were read the plan as it is', async () => {
    const { h, plan, payer, group } = await family({ maxMembers: 1, members: 0 });
    const { sharing: _sharing, ...older } = group.terms!;
    await h.storage.subscriptions.update(group.id, { terms: older }, { expectedRevision: group.revision });
    await h.storage.plans.update(plan.id, { sharing: { maxMembers: 2 } });
    for (let i = 0; i < 2; i++) {
      const { token } = await h.kit.sharing.invite({ customerId: payer, groupId: group.id });
      await h.kit.sharing.accept({ token, customerId: await h.customer() });
    }
    expect(await h.kit.sharing.members(payer, group.id)).toHaveLength(2);
  });

  it('a plan change to another shared plan takes its seats (the quote says so); one that seats fewer members is refused', async () => {
    const { h, payer, group } = await family({ maxMembers: 3, members: 2 });
    const bigger = await h.addPlan({ sharing: { maxMembers: 5 }, price: { amount: 5000, currency: 'USD' } });
    const smaller = await h.addPlan({ sharing: { maxMembers: 1 }, price: { amount: 2000, currency: 'USD' } });
    const single = await h.addPlan({ price: { amount: 1000, currency: 'USD' } });
    const quote = await h.kit.quotePlanChange(group.id, bigger.id);
    expect(quote.allowed && quote.quote.maxMembers).toBe(5);
    for (const refusedPlan of [smaller, single]) {
      const q = await h.kit.quotePlanChange(group.id, refusedPlan.id);
      expect(q).toMatchObject({ allowed: false, reason: 'too_many_members' });
      const before = await h.balance(payer);
      await expect(
        h.kit.changePlan({ subscriptionId: group.id, planId: refusedPlan.id, idempotencyKey: `to-${refusedPlan.id}` }),
      ).rejects.toSatisfy((e) => reasonOf(e) === 'too_many_members');
      expect(await h.balance(payer)).toBe(before);
    }
    await h.kit.changePlan({ subscriptionId: group.id, planId: bigger.id, idempotencyKey: 'bigger' });
    await h.worker().drain();
    const changed = (await h.storage.subscriptions.get(group.id))!;
    expect(changed).toMatchObject({ planId: bigger.id, terms: { sharing: { maxMembers: 5 } } });
    for (let i = 0; i < 3; i++) {
      const { token } = await h.kit.sharing.invite({ customerId: payer, groupId: group.id });
      await h.kit.sharing.accept({ token, customerId: await h.customer() });
    }
    expect(await h.kit.sharing.members(payer, group.id)).toHaveLength(5);
  });
});
