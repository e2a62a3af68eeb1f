import { describe, expect, it } from 'vitest';
import { createId } from '../../domain/ids.js';
import { SUBSCRIPTION_STATUSES } from '../../domain/subscription-status.js';
import type { SubscriptionStatus } from '../../domain/subscription-status.js';
import type { Subscription } from '../../domain/subscription.js';
import { termsOf } from '../../domain/subscription-terms.js';
import { MAX_USERNAMES_PER_LOOKUP } from '../../ports/storage.js';
import { remoteIdentityFor, seedOrder, seedPanel, seedSubscription, seedSubscriptionParents } from './fixtures.js';
import { DAY, collectPages, expectRejects, idsOf, later, sortIds } from './support.js';
import type { SuiteEnv } from './support.js';

export function subscriptionsSuite(env: SuiteEnv): void {
  describe('subscriptions', () => {
    it('create keeps the given id, fills defaults, and is found by id and by (panelId, username)', async () => {
      const { storage, clock } = env;
      const parents = await seedSubscriptionParents(storage);
      const id = createId('sub');
      const expiresAt = later(clock, 30 * DAY);
      const sub = await storage.subscriptions.create({
        ...parents,
        id,
        orderId: null,
        remote: remoteIdentityFor(id),
        trafficLimitBytes: 1024,
        expiresAt,
        durationDays: 30,
        startOnFirstUse: false,
      });
      expect(sub).toMatchObject({
        id,
        ...parents,
        status: 'pending',
        remoteClientId: null,
        usedBytes: null,
        usageObservedAt: null,
        activatedAt: null,
        deviceLimit: null,
        subscriptionUrl: null,
        shareLinks: [],
        autoRenew: false,
        trial: false,
        notices: [],
        failureReason: null,
        trafficLimitBytes: 1024,
        expiresAt,
      });
      expect(sub.remote).toEqual(remoteIdentityFor(id));
      expect(sub.revision).toEqual(expect.any(Number));
      expect(sub.statusChangedAt).toEqual(clock.now());
      expect(sub.createdAt).toEqual(clock.now());
      expect(await storage.subscriptions.get(id)).toEqual(sub);
      expect(await storage.subscriptions.getByUsername(parents.panelId, sub.remote.username)).toEqual(sub);
      expect(await storage.subscriptions.getByUsername(parents.panelId, 'pk_nobody')).toBeNull();
      expect(await storage.subscriptions.get('sub_missing')).toBeNull();
    });

    it('a duplicate id or (panelId, username) is a ConflictError; the username on another panel is fine', async () => {
      const { storage } = env;
      const first = await seedSubscription(storage);
      await expectRejects(seedSubscription(storage, { id: first.id }), 'ConflictError');
      await expectRejects(seedSubscription(storage, { panelId: first.panelId, remote: first.remote }), 'ConflictError');
      const otherPanel = await seedPanel(storage);
      const elsewhere = await seedSubscription(storage, { panelId: otherPanel.id, remote: first.remote });
      expect(await storage.subscriptions.getByUsername(otherPanel.id, first.remote.username)).toEqual(elsewhere);
      expect(await storage.subscriptions.getByUsername(first.panelId, first.remote.username)).toEqual(first);
    });

    it('getByUsernames finds the subscriptions of one panel by username, skipping unknown names', async () => {
      const { storage } = env;
      const first = await seedSubscription(storage);
      const second = await seedSubscription(storage, { panelId: first.panelId, targetId: first.targetId });
      const otherPanel = await seedPanel(storage);
      await seedSubscription(storage, { panelId: otherPanel.id, remote: first.remote });
      const found = await storage.subscriptions.getByUsernames(first.panelId, [
        second.remote.username,
        'pk_nobody',
        first.remote.username,
        first.remote.username,
      ]);
      expect(found.sort((a, b) => a.id.localeCompare(b.id))).toEqual([first, second].sort((a, b) => a.id.localeCompare(b.id)));
      expect(await storage.subscriptions.getByUsernames(first.panelId, [])).toEqual([]);
      const tooMany = Array.from({ length: MAX_USERNAMES_PER_LOOKUP + 1 }, (_, i) => `pk_${i}`);
      await expectRejects(storage.subscriptions.getByUsernames(first.panelId, tooMany), 'ValidationError');
      await expectRejects(storage.subscriptions.getByUsernames(first.panelId, [42 as unknown as string]), 'ValidationError');
    });

    it('rejects invalid input with a ValidationError and writes nothing', async () => {
      const { storage } = env;
      const parents = await seedSubscriptionParents(storage);
      const id = createId('sub');
      const remote = remoteIdentityFor(id);
      await expectRejects(seedSubscription(storage, { ...parents, id, durationDays: 0 }), 'ValidationError');
      await expectRejects(seedSubscription(storage, { ...parents, id, remote: { ...remote, username: 'Bad Name' } }), 'ValidationError');
      await expectRejects(seedSubscription(storage, { ...parents, id, usedBytes: -1 }), 'ValidationError');
      await expectRejects(seedSubscription(storage, { ...parents, id: '' }), 'ValidationError');
      expect(await storage.subscriptions.get(id)).toBeNull();
      expect((await storage.subscriptions.listByCustomer(parents.customerId, { limit: 10 })).items).toEqual([]);
    });

    it('update applies the patch when the revision matches and bumps the revision', async () => {
      const { storage, clock } = env;
      const sub = await seedSubscription(storage);
      clock.advance(60_000);
      const updated = await storage.subscriptions.update(
        sub.id,
        { subscriptionUrl: 'https://sub.example.com/x', shareLinks: ['vless://a'], notices: ['expiry:72h'] },
        { expectedRevision: sub.revision },
      );
      expect(updated).toEqual({
        ...sub,
        subscriptionUrl: 'https://sub.example.com/x',
        shareLinks: ['vless://a'],
        notices: ['expiry:72h'],
        revision: sub.revision + 1,
        updatedAt: clock.now(),
      });
      expect(await storage.subscriptions.get(sub.id)).toEqual(updated);
      const again = await storage.subscriptions.update(sub.id, { autoRenew: true }, { expectedRevision: updated.revision });
      expect(again.revision).toBe(sub.revision + 2);
    });

    it('keeps the terms it was sold with as given, through updates, until a patch replaces them', async () => {
      const { storage } = env;
      const plan = await storage.plans.get((await seedSubscriptionParents(storage)).planId);
      const terms = termsOf(plan!);
      const sold = await seedSubscription(storage, { terms });
      expect(sold.terms).toEqual(terms);
      expect((await seedSubscription(storage)).terms).toBeNull();
      const touched = await storage.subscriptions.update(sold.id, { autoRenew: true }, { expectedRevision: sold.revision });
      expect(touched.terms).toEqual(terms);
      const newTerms = {
        ...terms,
        price: { ...terms.price, amount: terms.price.amount + 100 },
        extension: { ...terms.extension, windowDays: 9 },
      };
      const moved = await storage.subscriptions.update(sold.id, { terms: newTerms }, { expectedRevision: touched.revision });
      expect((await storage.subscriptions.get(sold.id))?.terms).toEqual(newTerms);
      expect(moved.terms).toEqual(newTerms);
      // The plan's own terms did not change: they are a copy.
      expect(termsOf((await storage.plans.get(plan!.id))!)).toEqual(terms);
    });

    it('countOnOtherTerms counts the plan’s subscribers sold on other terms (key order aside), not those without terms or terminated', async () => {
      const { storage } = env;
      const parents = await seedSubscriptionParents(storage);
      const plan = (await storage.plans.get(parents.planId))!;
      const current = termsOf(plan);
      const older = { ...current, price: { ...current.price, amount: current.price.amount + 100 } };
      const reordered = Object.fromEntries(Object.entries(current).reverse()) as typeof current;
      await seedSubscription(storage, { ...parents, terms: current });
      await seedSubscription(storage, { ...parents, terms: reordered });
      await seedSubscription(storage, { ...parents });
      await seedSubscription(storage, { ...parents, terms: older });
      await seedSubscription(storage, { ...parents, terms: older, status: 'expired' });
      await seedSubscription(storage, { ...parents, terms: older, status: 'terminated' });
      await seedSubscription(storage, { ...(await seedSubscriptionParents(storage)), terms: older });
      expect(await storage.subscriptions.countOnOtherTerms(plan.id, current)).toBe(2);
      expect(await storage.subscriptions.countOnOtherTerms(plan.id, reordered)).toBe(2);
      expect(await storage.subscriptions.countOnOtherTerms(plan.id, older)).toBe(2);
      expect(await storage.subscriptions.countOnOtherTerms('pln_missing', current)).toBe(0);
    });

    it('a stale revision is a ConflictError and changes nothing', async () => {
      const { storage } = env;
      const sub = await seedSubscription(storage);
      const updated = await storage.subscriptions.update(sub.id, { autoRenew: true }, { expectedRevision: sub.revision });
      await expectRejects(storage.subscriptions.update(sub.id, { status: 'active' }, { expectedRevision: sub.revision }), 'ConflictError');
      await expectRejects(
        storage.subscriptions.update(sub.id, { status: 'active' }, { expectedRevision: updated.revision + 1 }),
        'ConflictError',
      );
      expect(await storage.subscriptions.get(sub.id)).toEqual(updated);
    });

    it('update of a missing subscription is a NotFoundError; an invalid patch is a ValidationError and changes nothing', async () => {
      const { storage } = env;
      await expectRejects(storage.subscriptions.update('sub_missing', { autoRenew: true }, { expectedRevision: 0 }), 'NotFoundError');
      const sub = await seedSubscription(storage);
      await expectRejects(
        storage.subscriptions.update(sub.id, { autoRenew: true, trafficLimitBytes: -5 }, { expectedRevision: sub.revision }),
        'ValidationError',
      );
      await expectRejects(
        storage.subscriptions.update(
          sub.id,
          { autoRenew: true, shareLinks: Array.from({ length: 65 }, () => 'x') },
          { expectedRevision: sub.revision },
        ),
        'ValidationError',
      );
      expect(await storage.subscriptions.get(sub.id)).toEqual(sub);
    });

    it('statusChangedAt follows status: moved to now on a change, kept otherwise, or set as given', async () => {
      const { storage, clock } = env;
      const sub = await seedSubscription(storage);
      clock.advance(DAY);
      const active = await storage.subscriptions.update(sub.id, { status: 'active' }, { expectedRevision: sub.revision });
      expect(active.statusChangedAt).toEqual(clock.now());
      const activatedAt = clock.now();
      clock.advance(DAY);
      const touched = await storage.subscriptions.update(sub.id, { usedBytes: 10, notices: ['x'] }, { expectedRevision: active.revision });
      expect(touched.statusChangedAt).toEqual(activatedAt);
      clock.advance(DAY);
      const given = new Date(activatedAt.getTime() + 3600_000);
      const limited = await storage.subscriptions.update(
        sub.id,
        { status: 'limited', statusChangedAt: given },
        { expectedRevision: touched.revision },
      );
      expect(limited.statusChangedAt).toEqual(given);
      expect(limited.updatedAt).toEqual(clock.now());
    });

    it('listByCustomer is newest first and pages without gaps or duplicates', async () => {
      const { storage, clock } = env;
      const parents = await seedSubscriptionParents(storage);
      const other = await seedSubscriptionParents(storage);
      const mine: Subscription[] = [];
      for (let i = 0; i < 8; i++) {
        mine.push(await seedSubscription(storage, parents));
        await seedSubscription(storage, other);
        clock.advance(1000);
      }
      const expected = idsOf(mine).reverse();
      const first = await storage.subscriptions.listByCustomer(parents.customerId, { limit: 3 });
      expect(idsOf(first.items)).toEqual(expected.slice(0, 3));
      const all = await collectPages((cursor) => storage.subscriptions.listByCustomer(parents.customerId, { limit: 3, cursor }));
      expect(idsOf(all.items)).toEqual(expected);
      expect(all.pageSizes).toEqual([3, 3, 2]);
    });

    it('listByOrder is oldest first and only that order', async () => {
      const { storage, clock } = env;
      const parents = await seedSubscriptionParents(storage);
      const order = await seedOrder(storage, { customerId: parents.customerId });
      const otherOrder = await seedOrder(storage, { customerId: parents.customerId });
      const subs: Subscription[] = [];
      for (let i = 0; i < 4; i++) {
        subs.push(await seedSubscription(storage, { ...parents, orderId: order.id }));
        await seedSubscription(storage, { ...parents, orderId: otherOrder.id });
        await seedSubscription(storage, { ...parents, orderId: null });
        clock.advance(1000);
      }
      expect(idsOf(await storage.subscriptions.listByOrder(order.id))).toEqual(idsOf(subs));
      expect(await storage.subscriptions.listByOrder('ord_missing')).toEqual([]);
    });

    it('listByPanel is ordered by id, filters by statuses, and pages without gaps or duplicates', async () => {
      const { storage } = env;
      const parents = await seedSubscriptionParents(storage);
      const other = await seedSubscriptionParents(storage);
      const statuses: SubscriptionStatus[] = [
        'active',
        'on_hold',
        'expired',
        'active',
        'limited',
        'active',
        'suspended',
        'terminated',
        'active',
        'on_hold',
      ];
      const subs: Subscription[] = [];
      for (const status of statuses) {
        subs.push(await seedSubscription(storage, { ...parents, status }));
        await seedSubscription(storage, { ...other, status });
      }
      const all = await collectPages((cursor) => storage.subscriptions.listByPanel(parents.panelId, {}, { limit: 4, cursor }));
      expect(idsOf(all.items)).toEqual(sortIds(idsOf(subs)));
      expect(all.pageSizes).toEqual([4, 4, 2]);
      const wanted: readonly SubscriptionStatus[] = ['active', 'on_hold'];
      const filtered = await collectPages((cursor) =>
        storage.subscriptions.listByPanel(parents.panelId, { statuses: wanted }, { limit: 2, cursor }),
      );
      expect(idsOf(filtered.items)).toEqual(sortIds(idsOf(subs.filter((s) => wanted.includes(s.status)))));
      expect((await storage.subscriptions.listByPanel(parents.panelId, { statuses: ['failed'] }, { limit: 5 })).items).toEqual([]);
    });

    it('countByStatus reports all eight statuses, overall and per panel', async () => {
      const { storage } = env;
      const a = await seedSubscriptionParents(storage);
      const b = await seedSubscriptionParents(storage);
      const zero = Object.fromEntries(SUBSCRIPTION_STATUSES.map((s) => [s, 0]));
      expect(await storage.subscriptions.countByStatus()).toEqual(zero);
      for (const status of ['active', 'active', 'active', 'expired', 'pending'] as const) await seedSubscription(storage, { ...a, status });
      for (const status of ['active', 'failed'] as const) await seedSubscription(storage, { ...b, status });
      expect(await storage.subscriptions.countByStatus()).toEqual({ ...zero, active: 4, expired: 1, pending: 1, failed: 1 });
      expect(await storage.subscriptions.countByStatus({})).toEqual({ ...zero, active: 4, expired: 1, pending: 1, failed: 1 });
      expect(await storage.subscriptions.countByStatus({ panelId: a.panelId })).toEqual({ ...zero, active: 3, expired: 1, pending: 1 });
      expect(await storage.subscriptions.countByStatus({ panelId: b.panelId })).toEqual({ ...zero, active: 1, failed: 1 });
      expect(await storage.subscriptions.countByStatus({ panelId: 'pnl_missing' })).toEqual(zero);
    });

    it('returns copies', async () => {
      const { storage, clock } = env;
      const sub = await seedSubscription(storage, { shareLinks: ['a'], expiresAt: later(clock, DAY) });
      const snapshot = structuredClone(sub);
      sub.shareLinks.push('b');
      sub.remote.username = 'hijacked';
      sub.expiresAt?.setTime(0);
      const fetched = await storage.subscriptions.get(sub.id);
      fetched?.notices.push('n');
      const listed = await storage.subscriptions.listByCustomer(sub.customerId, { limit: 5 });
      if (listed.items[0]) listed.items[0].remote.uuid = 'x';
      (await storage.subscriptions.listByPanel(sub.panelId, {}, { limit: 5 })).items[0]?.shareLinks.pop();
      expect(await storage.subscriptions.get(sub.id)).toEqual(snapshot);
    });

    it('getManyWithPlaces reads each subscription with its target and panel as their own reads give them', async () => {
      const { storage } = env;
      const first = await seedSubscription(storage);
      const panel = await seedPanel(storage);
      const second = await seedSubscription(storage, { panelId: panel.id, customerId: first.customerId, planId: first.planId });
      await storage.targets.update(second.targetId, { capacity: 7 });
      const read = await storage.subscriptions.getManyWithPlaces([second.id, first.id, second.id, createId('sub')]);
      expect(sortIds(read.map((r) => r.subscription.id))).toEqual(sortIds([first.id, second.id]));
      for (const { subscription, target, panel: itsPanel } of read) {
        expect(subscription).toEqual(await storage.subscriptions.get(subscription.id));
        expect(target).toEqual(await storage.targets.get(subscription.targetId));
        expect(itsPanel).toEqual(await storage.panels.get(subscription.panelId));
      }
      expect(read.find((r) => r.subscription.id === second.id)?.target?.capacity).toBe(7);
      expect(await storage.subscriptions.getManyWithPlaces([])).toEqual([]);
      // A returned row is the caller's copy: changing it changes nothing stored.
      read[0]!.target!.tags.push('changed');
      expect((await storage.targets.get(read[0]!.subscription.targetId))?.tags).not.toContain('changed');
    });

    it('getManyWithCustomers reads each subscription with its customer as their own reads give them', async () => {
      const { storage } = env;
      const first = await seedSubscription(storage);
      const second = await seedSubscription(storage, { planId: first.planId });
      await storage.customers.update(second.customerId, { locale: 'fa' });
      const read = await storage.subscriptions.getManyWithCustomers([second.id, first.id, second.id, createId('sub')]);
      expect(sortIds(read.map((r) => r.subscription.id))).toEqual(sortIds([first.id, second.id]));
      for (const { subscription, customer } of read) {
        expect(subscription).toEqual(await storage.subscriptions.get(subscription.id));
        expect(customer).toEqual(await storage.customers.get(subscription.customerId));
      }
      expect(read.find((r) => r.subscription.id === second.id)?.customer?.locale).toBe('fa');
      expect(await storage.subscriptions.getManyWithCustomers([])).toEqual([]);
      // A returned row is the caller's copy: changing it changes nothing stored.
      const mine = read.find((r) => r.subscription.id === first.id)!;
      (mine.customer as { locale: string }).locale = 'changed';
      expect((await storage.customers.get(first.customerId))?.locale).not.toBe('changed');
    });
  });
}
