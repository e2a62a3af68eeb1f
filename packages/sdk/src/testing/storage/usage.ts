import { describe, expect, it } from 'vitest';
import { seedSubscription, seedSubscriptionParents } from './fixtures.js';
import { MINUTE, expectRejects, later } from './support.js';
import type { SuiteEnv } from './support.js';

export function usageSuite(env: SuiteEnv): void {
  describe('usage', () => {
    it('applies a first reading and a newer one, without changing the revision', async () => {
      const { storage, clock } = env;
      const sub = await seedSubscription(storage, { status: 'active' });
      const t1 = later(clock, MINUTE);
      expect(await storage.subscriptions.recordUsage([{ subscriptionId: sub.id, usedBytes: 100, observedAt: t1 }])).toEqual({
        applied: 1,
        ignored: 0,
      });
      const afterFirst = await storage.subscriptions.get(sub.id);
      expect(afterFirst).toMatchObject({ usedBytes: 100, usageObservedAt: t1, revision: sub.revision, status: 'active' });
      const t2 = later(clock, 2 * MINUTE);
      expect(await storage.subscriptions.recordUsage([{ subscriptionId: sub.id, usedBytes: 250, observedAt: t2 }])).toEqual({
        applied: 1,
        ignored: 0,
      });
      expect(await storage.subscriptions.get(sub.id)).toMatchObject({ usedBytes: 250, usageObservedAt: t2, revision: sub.revision });
      // The revision did not move, so an update that read the subscription before usage still applies.
      const updated = await storage.subscriptions.update(sub.id, { autoRenew: true }, { expectedRevision: sub.revision });
      expect(updated).toMatchObject({ usedBytes: 250, usageObservedAt: t2, autoRenew: true });
    });

    it('ignores older and equally old readings, and readings for unknown subscriptions', async () => {
      const { storage, clock } = env;
      const sub = await seedSubscription(storage, { status: 'active' });
      const t2 = later(clock, 2 * MINUTE);
      await storage.subscriptions.recordUsage([{ subscriptionId: sub.id, usedBytes: 500, observedAt: t2 }]);
      const result = await storage.subscriptions.recordUsage([
        { subscriptionId: sub.id, usedBytes: 900, observedAt: later(clock, MINUTE) },
        { subscriptionId: sub.id, usedBytes: 800, observedAt: new Date(t2.getTime()) },
        { subscriptionId: 'sub_unknown', usedBytes: 1, observedAt: later(clock, 3 * MINUTE) },
      ]);
      expect(result).toEqual({ applied: 0, ignored: 3 });
      expect(await storage.subscriptions.get(sub.id)).toMatchObject({ usedBytes: 500, usageObservedAt: t2 });
      expect(await storage.subscriptions.get('sub_unknown')).toBeNull();
    });

    it('a newer reading with fewer bytes applies (a period reset on the panel)', async () => {
      const { storage, clock } = env;
      const sub = await seedSubscription(storage, { status: 'active', usedBytes: 10_000, usageObservedAt: clock.now() });
      expect(await storage.subscriptions.recordUsage([{ subscriptionId: sub.id, usedBytes: 0, observedAt: later(clock, 1) }])).toEqual({
        applied: 1,
        ignored: 0,
      });
      expect((await storage.subscriptions.get(sub.id))?.usedBytes).toBe(0);
    });

    it('counts applied and ignored readings across many subscriptions in one call', async () => {
      const { storage, clock } = env;
      const parents = await seedSubscriptionParents(storage);
      const fresh = await seedSubscription(storage, { ...parents, status: 'active' });
      const seen = await seedSubscription(storage, {
        ...parents,
        status: 'active',
        usedBytes: 7,
        usageObservedAt: later(clock, 10 * MINUTE),
      });
      const other = await seedSubscription(storage, { ...parents, status: 'on_hold', usedBytes: 0, usageObservedAt: clock.now() });
      const result = await storage.subscriptions.recordUsage([
        { subscriptionId: fresh.id, usedBytes: 11, observedAt: later(clock, MINUTE) },
        { subscriptionId: seen.id, usedBytes: 99, observedAt: later(clock, 5 * MINUTE) },
        { subscriptionId: 'sub_gone', usedBytes: 1, observedAt: later(clock, MINUTE) },
        { subscriptionId: other.id, usedBytes: 33, observedAt: later(clock, MINUTE) },
        { subscriptionId: seen.id, usedBytes: 12, observedAt: later(clock, 11 * MINUTE) },
      ]);
      expect(result).toEqual({ applied: 3, ignored: 2 });
      expect((await storage.subscriptions.get(fresh.id))?.usedBytes).toBe(11);
      expect((await storage.subscriptions.get(seen.id))?.usedBytes).toBe(12);
      expect((await storage.subscriptions.get(other.id))?.usedBytes).toBe(33);
      for (const s of [fresh, seen, other]) expect((await storage.subscriptions.get(s.id))?.revision).toBe(s.revision);
    });

    it('an empty batch does nothing', async () => {
      const { storage } = env;
      expect(await storage.subscriptions.recordUsage([])).toEqual({ applied: 0, ignored: 0 });
    });

    it('an invalid reading is a ValidationError and no reading of the batch is written', async () => {
      const { storage, clock } = env;
      const sub = await seedSubscription(storage, { status: 'active' });
      await expectRejects(
        storage.subscriptions.recordUsage([
          { subscriptionId: sub.id, usedBytes: 100, observedAt: later(clock, MINUTE) },
          { subscriptionId: sub.id, usedBytes: -1, observedAt: later(clock, 2 * MINUTE) },
        ]),
        'ValidationError',
      );
      await expectRejects(
        storage.subscriptions.recordUsage([{ subscriptionId: sub.id, usedBytes: 1.5, observedAt: later(clock, MINUTE) }]),
        'ValidationError',
      );
      expect(await storage.subscriptions.get(sub.id)).toEqual(sub);
    });
  });
}
