import { describe, expect, it } from 'vitest';
import type { Subscription } from '../../domain/subscription.js';
import type { DueQuery, StoragePort } from '../../ports/storage.js';
import { seedSubscription, seedSubscriptionParents } from './fixtures.js';
import type { SubscriptionOverrides, SubscriptionParents } from './fixtures.js';
import { DAY, HOUR, MINUTE, collectPages, idsOf, later, sortIds } from './support.js';
import type { SuiteEnv } from './support.js';

/** Ids ordered by `(time, id)`, the order time-based due-queries page in. */
function byTimeThenId(rows: readonly Subscription[], time: (s: Subscription) => Date | null): string[] {
  return [...rows]
    .sort((a, b) => {
      const diff = (time(a)?.getTime() ?? 0) - (time(b)?.getTime() ?? 0);
      return diff !== 0 ? diff : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    })
    .map((s) => s.id);
}

async function due(storage: StoragePort, query: DueQuery, limit = 1000): Promise<string[]> {
  return idsOf((await collectPages((cursor) => storage.subscriptions.listDue(query, { limit, cursor }))).items);
}

/** Seeds one subscription per entry, all sharing parents, and returns them by label. */
async function population<K extends string>(
  storage: StoragePort,
  parents: SubscriptionParents,
  specs: Record<K, SubscriptionOverrides>,
): Promise<Record<K, Subscription>> {
  const rows: Partial<Record<K, Subscription>> = {};
  for (const key of Object.keys(specs) as K[]) rows[key] = await seedSubscription(storage, { ...parents, ...specs[key] });
  return rows as Record<K, Subscription>;
}

export function dueQueriesSuite(env: SuiteEnv): void {
  describe('due queries', () => {
    it('expiring: status in statuses and expiresAt in [from, to), in (expiresAt, id) order', async () => {
      const { storage, clock } = env;
      const parents = await seedSubscriptionParents(storage);
      const from = later(clock, DAY);
      const to = later(clock, 3 * DAY);
      const at = (ms: number) => later(clock, ms);
      const s = await population(storage, parents, {
        atFrom: { status: 'active', expiresAt: from },
        justBeforeFrom: { status: 'active', expiresAt: at(DAY - 1) },
        middle: { status: 'active', expiresAt: at(2 * DAY) },
        tieA: { status: 'active', expiresAt: at(2 * DAY) },
        tieB: { status: 'on_hold', expiresAt: at(2 * DAY) },
        justBeforeTo: { status: 'active', expiresAt: at(3 * DAY - 1) },
        atTo: { status: 'active', expiresAt: to },
        afterTo: { status: 'active', expiresAt: at(10 * DAY) },
        onHoldSoon: { status: 'on_hold', expiresAt: at(DAY + 5) },
        longPast: { status: 'active', expiresAt: at(-5 * DAY) },
        expired: { status: 'expired', expiresAt: at(2 * DAY) },
        suspended: { status: 'suspended', expiresAt: at(2 * DAY) },
        noExpiry: { status: 'active', expiresAt: null },
        notStarted: { status: 'on_hold', expiresAt: null },
      });
      const live = [s.atFrom, s.middle, s.tieA, s.tieB, s.justBeforeTo, s.onHoldSoon];
      expect(await due(storage, { kind: 'expiring', statuses: ['active', 'on_hold'], from, to })).toEqual(
        byTimeThenId(live, (x) => x.expiresAt),
      );
      expect(await due(storage, { kind: 'expiring', statuses: ['active', 'on_hold'], to })).toEqual(
        byTimeThenId([...live, s.longPast, s.justBeforeFrom], (x) => x.expiresAt),
      );
      expect(await due(storage, { kind: 'expiring', statuses: ['expired', 'suspended'], from, to })).toEqual(
        byTimeThenId([s.expired, s.suspended], (x) => x.expiresAt),
      );
      expect(await due(storage, { kind: 'expiring', statuses: ['active'], from: to, to: later(clock, 11 * DAY) })).toEqual([
        s.atTo.id,
        s.afterTo.id,
      ]);
      expect(await due(storage, { kind: 'expiring', statuses: ['active'], from, to: from })).toEqual([]);
      expect(await due(storage, { kind: 'expiring', statuses: ['terminated'], to: later(clock, 100 * DAY) })).toEqual([]);
    });

    it('over_limit: active with a traffic limit and usedBytes >= the limit', async () => {
      const { storage } = env;
      const parents = await seedSubscriptionParents(storage);
      const s = await population(storage, parents, {
        equal: { status: 'active', trafficLimitBytes: 100, usedBytes: 100 },
        over: { status: 'active', trafficLimitBytes: 100, usedBytes: 101 },
        zeroLimit: { status: 'active', trafficLimitBytes: 0, usedBytes: 0 },
        under: { status: 'active', trafficLimitBytes: 100, usedBytes: 99 },
        unlimited: { status: 'active', trafficLimitBytes: null, usedBytes: 10 ** 12 },
        unread: { status: 'active', trafficLimitBytes: 100, usedBytes: null },
        limited: { status: 'limited', trafficLimitBytes: 100, usedBytes: 200 },
        suspended: { status: 'suspended', trafficLimitBytes: 100, usedBytes: 200 },
        onHold: { status: 'on_hold', trafficLimitBytes: 100, usedBytes: 200 },
      });
      const result = await due(storage, { kind: 'over_limit' });
      expect(new Set(result).size).toBe(result.length);
      expect(sortIds(result)).toEqual(sortIds(idsOf([s.equal, s.over, s.zeroLimit])));
    });

    it('first_use: on_hold with usedBytes > 0', async () => {
      const { storage } = env;
      const parents = await seedSubscriptionParents(storage);
      const s = await population(storage, parents, {
        used: { status: 'on_hold', usedBytes: 1 },
        usedMore: { status: 'on_hold', usedBytes: 5_000_000 },
        zero: { status: 'on_hold', usedBytes: 0 },
        unread: { status: 'on_hold', usedBytes: null },
        active: { status: 'active', usedBytes: 50 },
        suspended: { status: 'suspended', usedBytes: 50 },
      });
      const result = await due(storage, { kind: 'first_use' });
      expect(new Set(result).size).toBe(result.length);
      expect(sortIds(result)).toEqual(sortIds(idsOf([s.used, s.usedMore])));
    });

    it('stale_status: status in statuses and statusChangedAt before `before`, in (statusChangedAt, id) order', async () => {
      const { storage, clock } = env;
      const parents = await seedSubscriptionParents(storage);
      const before = later(clock, -DAY);
      const at = (ms: number) => later(clock, ms);
      const s = await population(storage, parents, {
        old: { status: 'suspended', statusChangedAt: at(-10 * DAY) },
        tieA: { status: 'suspended', statusChangedAt: at(-3 * DAY) },
        tieB: { status: 'failed', statusChangedAt: at(-3 * DAY) },
        justBefore: { status: 'suspended', statusChangedAt: at(-DAY - 1) },
        atBefore: { status: 'suspended', statusChangedAt: before },
        recent: { status: 'suspended', statusChangedAt: at(-HOUR) },
        activeOld: { status: 'active', statusChangedAt: at(-10 * DAY) },
        expiredOld: { status: 'expired', statusChangedAt: at(-20 * DAY) },
      });
      expect(await due(storage, { kind: 'stale_status', statuses: ['suspended', 'failed'], before })).toEqual(
        byTimeThenId([s.old, s.tieA, s.tieB, s.justBefore], (x) => x.statusChangedAt),
      );
      expect(await due(storage, { kind: 'stale_status', statuses: ['expired', 'active'], before })).toEqual([
        s.expiredOld.id,
        s.activeOld.id,
      ]);
      expect(await due(storage, { kind: 'stale_status', statuses: ['suspended'], before: at(-30 * DAY) })).toEqual([]);
    });

    it('time-based queries page in (time, id) order without gaps or duplicates (25 rows, limit 7)', async () => {
      const { storage, clock } = env;
      const parents = await seedSubscriptionParents(storage);
      const expiring: Subscription[] = [];
      const stale: Subscription[] = [];
      for (let i = 0; i < 25; i++) {
        // Groups of three share a time, so ties straddle page boundaries.
        const offset = Math.floor(i / 3) * MINUTE;
        expiring.push(await seedSubscription(storage, { ...parents, status: 'active', expiresAt: later(clock, HOUR + offset) }));
        stale.push(await seedSubscription(storage, { ...parents, status: 'suspended', statusChangedAt: later(clock, -DAY + offset) }));
        await seedSubscription(storage, { ...parents, status: 'terminated', expiresAt: later(clock, HOUR + offset) });
      }
      const expiringQuery: DueQuery = { kind: 'expiring', statuses: ['active'], from: clock.now(), to: later(clock, DAY) };
      const pages = await collectPages((cursor) => storage.subscriptions.listDue(expiringQuery, { limit: 7, cursor }));
      expect(pages.pageSizes).toEqual([7, 7, 7, 4]);
      expect(idsOf(pages.items)).toEqual(byTimeThenId(expiring, (x) => x.expiresAt));

      const staleQuery: DueQuery = { kind: 'stale_status', statuses: ['suspended'], before: clock.now() };
      const stalePages = await collectPages((cursor) => storage.subscriptions.listDue(staleQuery, { limit: 7, cursor }));
      expect(stalePages.pageSizes).toEqual([7, 7, 7, 4]);
      expect(idsOf(stalePages.items)).toEqual(byTimeThenId(stale, (x) => x.statusChangedAt));
    });

    it('usage-based queries page without gaps or duplicates (25 rows, limit 7)', async () => {
      const { storage } = env;
      const parents = await seedSubscriptionParents(storage);
      const over: Subscription[] = [];
      const firstUse: Subscription[] = [];
      for (let i = 0; i < 25; i++) {
        over.push(await seedSubscription(storage, { ...parents, status: 'active', trafficLimitBytes: 1000, usedBytes: 1000 + i }));
        firstUse.push(await seedSubscription(storage, { ...parents, status: 'on_hold', usedBytes: 1 + i }));
        await seedSubscription(storage, { ...parents, status: 'active', trafficLimitBytes: 1000, usedBytes: i });
        await seedSubscription(storage, { ...parents, status: 'on_hold', usedBytes: 0 });
      }
      for (const [query, expected] of [
        [{ kind: 'over_limit' }, over],
        [{ kind: 'first_use' }, firstUse],
      ] as const) {
        const pages = await collectPages((cursor) => storage.subscriptions.listDue(query, { limit: 7, cursor }));
        expect(pages.pageSizes).toEqual([7, 7, 7, 4]);
        expect(new Set(idsOf(pages.items)).size).toBe(25);
        expect(sortIds(idsOf(pages.items))).toEqual(sortIds(idsOf(expected)));
      }
    });
  });
}
