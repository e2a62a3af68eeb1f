import { describe, expect, it } from 'vitest';
import type { Subscription, SubscriptionPatch } from '../../domain/subscription.js';
import type { DueQuery, StoragePort } from '../../ports/storage.js';
import { seedSubscription } from './fixtures.js';
import { DAY, MINUTE, idsOf, later } from './support.js';
import type { SuiteEnv } from './support.js';

async function dueIds(storage: StoragePort, query: DueQuery): Promise<string[]> {
  return idsOf((await storage.subscriptions.listDue(query, { limit: 100 })).items);
}

async function patch(storage: StoragePort, id: string, changes: SubscriptionPatch): Promise<Subscription> {
  const current = await storage.subscriptions.get(id);
  if (current === null) throw new Error(`subscription ${id} vanished`);
  return storage.subscriptions.update(id, changes, { expectedRevision: current.revision });
}

export function dueMovementSuite(env: SuiteEnv): void {
  describe('due queries follow updates', () => {
    it('expiring: rows move with expiresAt and status', async () => {
      const { storage, clock } = env;
      const sub = await seedSubscription(storage, { status: 'active', expiresAt: later(clock, 2 * DAY) });
      const query: DueQuery = { kind: 'expiring', statuses: ['active'], from: clock.now(), to: later(clock, 3 * DAY) };
      expect(await dueIds(storage, query)).toEqual([sub.id]);
      await patch(storage, sub.id, { expiresAt: later(clock, 30 * DAY) });
      expect(await dueIds(storage, query)).toEqual([]);
      await patch(storage, sub.id, { expiresAt: later(clock, DAY) });
      expect(await dueIds(storage, query)).toEqual([sub.id]);
      await patch(storage, sub.id, { status: 'suspended' });
      expect(await dueIds(storage, query)).toEqual([]);
      await patch(storage, sub.id, { status: 'active' });
      expect(await dueIds(storage, query)).toEqual([sub.id]);
      await patch(storage, sub.id, { expiresAt: null });
      expect(await dueIds(storage, query)).toEqual([]);
    });

    it('over_limit: rows move with recorded usage, the limit and status', async () => {
      const { storage, clock } = env;
      const sub = await seedSubscription(storage, {
        status: 'active',
        trafficLimitBytes: 100,
        usedBytes: 50,
        usageObservedAt: clock.now(),
      });
      const query: DueQuery = { kind: 'over_limit' };
      expect(await dueIds(storage, query)).toEqual([]);
      await storage.subscriptions.recordUsage([{ subscriptionId: sub.id, usedBytes: 150, observedAt: later(clock, MINUTE) }]);
      expect(await dueIds(storage, query)).toEqual([sub.id]);
      await patch(storage, sub.id, { trafficLimitBytes: 200 });
      expect(await dueIds(storage, query)).toEqual([]);
      await storage.subscriptions.recordUsage([{ subscriptionId: sub.id, usedBytes: 200, observedAt: later(clock, 2 * MINUTE) }]);
      expect(await dueIds(storage, query)).toEqual([sub.id]);
      // A stale reading is ignored, so it cannot take the row back out.
      await storage.subscriptions.recordUsage([{ subscriptionId: sub.id, usedBytes: 10, observedAt: later(clock, MINUTE) }]);
      expect(await dueIds(storage, query)).toEqual([sub.id]);
      await patch(storage, sub.id, { status: 'limited' });
      expect(await dueIds(storage, query)).toEqual([]);
      await patch(storage, sub.id, { status: 'active', trafficLimitBytes: null });
      expect(await dueIds(storage, query)).toEqual([]);
    });

    it('first_use: rows move with recorded usage and status', async () => {
      const { storage, clock } = env;
      const sub = await seedSubscription(storage, { status: 'on_hold', startOnFirstUse: true });
      const query: DueQuery = { kind: 'first_use' };
      expect(await dueIds(storage, query)).toEqual([]);
      await storage.subscriptions.recordUsage([{ subscriptionId: sub.id, usedBytes: 0, observedAt: later(clock, MINUTE) }]);
      expect(await dueIds(storage, query)).toEqual([]);
      await storage.subscriptions.recordUsage([{ subscriptionId: sub.id, usedBytes: 4096, observedAt: later(clock, 2 * MINUTE) }]);
      expect(await dueIds(storage, query)).toEqual([sub.id]);
      await patch(storage, sub.id, { status: 'active', activatedAt: clock.now(), expiresAt: later(clock, 30 * DAY) });
      expect(await dueIds(storage, query)).toEqual([]);
    });

    it('stale_status: a row enters as time passes and leaves when its status changes', async () => {
      const { storage, clock } = env;
      const sub = await seedSubscription(storage, { status: 'suspended' });
      const grace = 7 * DAY;
      const staleNow = (): DueQuery => ({ kind: 'stale_status', statuses: ['suspended'], before: later(clock, -grace) });
      expect(await dueIds(storage, staleNow())).toEqual([]);
      clock.advance(grace);
      expect(await dueIds(storage, staleNow())).toEqual([]);
      clock.advance(1);
      expect(await dueIds(storage, staleNow())).toEqual([sub.id]);
      await patch(storage, sub.id, { status: 'active' });
      expect(await dueIds(storage, staleNow())).toEqual([]);
      await patch(storage, sub.id, { status: 'suspended' });
      expect(await dueIds(storage, staleNow())).toEqual([]);
      clock.advance(grace + 1);
      expect(await dueIds(storage, staleNow())).toEqual([sub.id]);
    });

    it('listDue honours the page limit and reports the next cursor', async () => {
      const { storage, clock } = env;
      for (let i = 0; i < 3; i++) await seedSubscription(storage, { status: 'on_hold', usedBytes: 10 + i });
      const first = await storage.subscriptions.listDue({ kind: 'first_use' }, { limit: 2 });
      expect(first.items).toHaveLength(2);
      expect(first.nextCursor).not.toBeNull();
      const second = await storage.subscriptions.listDue({ kind: 'first_use' }, { limit: 2, cursor: first.nextCursor });
      expect(second.items).toHaveLength(1);
      expect(second.nextCursor).toBeNull();
      expect(new Set([...idsOf(first.items), ...idsOf(second.items)]).size).toBe(3);
      const none = await storage.subscriptions.listDue({ kind: 'expiring', statuses: ['active'], to: clock.now() }, { limit: 2 });
      expect(none).toEqual({ items: [], nextCursor: null });
    });
  });
}
