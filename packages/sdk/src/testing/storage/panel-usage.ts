import { describe, expect, it } from 'vitest';
import { MAX_USERNAMES_PER_LOOKUP } from '../../ports/storage.js';
import { seedPanel, seedSubscription, seedSubscriptionParents } from './fixtures.js';
import { MINUTE, expectRejects, later } from './support.js';
import type { SuiteEnv } from './support.js';

const GB = 2 ** 30;

/** `subscriptions.recordPanelUsage`: a page of one panel's readings, keyed by username, in one go. */
export function panelUsageSuite(env: SuiteEnv): void {
  describe('usage by username (recordPanelUsage)', () => {
    it('writes the readings of the panel’s subscriptions with a client, newer than stored, without a revision', async () => {
      const { storage, clock } = env;
      const parents = await seedSubscriptionParents(storage);
      const fresh = await seedSubscription(storage, { ...parents, status: 'active' });
      const seen = await seedSubscription(storage, {
        ...parents,
        status: 'limited',
        usedBytes: 7,
        usageObservedAt: later(clock, 10 * MINUTE),
      });
      const gone = await seedSubscription(storage, { ...parents, status: 'terminated', usedBytes: 1 });
      const elsewhere = await seedSubscription(storage, { status: 'active', remote: fresh.remote });
      const at = later(clock, 5 * MINUTE);
      const result = await storage.subscriptions.recordPanelUsage(
        parents.panelId,
        [
          { username: fresh.remote.username, usedBytes: 11 },
          { username: seen.remote.username, usedBytes: 99 },
          { username: gone.remote.username, usedBytes: 55 },
          { username: 'pk_nobody', usedBytes: 3 },
        ],
        { observedAt: at, watchPercent: null },
      );
      expect(result).toEqual({ matched: 2, applied: 1, ignored: 3, watch: [] });
      expect(await storage.subscriptions.get(fresh.id)).toEqual({ ...fresh, usedBytes: 11, usageObservedAt: at });
      expect(await storage.subscriptions.get(seen.id)).toEqual(seen);
      expect(await storage.subscriptions.get(gone.id)).toEqual(gone);
      expect(await storage.subscriptions.get(elsewhere.id)).toEqual(elsewhere);
      // The same reading again, at the same time, is not newer.
      const again = await storage.subscriptions.recordPanelUsage(parents.panelId, [{ username: fresh.remote.username, usedBytes: 12 }], {
        observedAt: at,
        watchPercent: null,
      });
      expect(again).toEqual({ matched: 1, applied: 0, ignored: 1, watch: [] });
      expect((await storage.subscriptions.get(fresh.id))?.usedBytes).toBe(11);
    });

    it('a username given twice counts its last reading', async () => {
      const { storage, clock } = env;
      const sub = await seedSubscription(storage, { status: 'active' });
      const result = await storage.subscriptions.recordPanelUsage(
        sub.panelId,
        [
          { username: sub.remote.username, usedBytes: 5 },
          { username: sub.remote.username, usedBytes: 8 },
        ],
        { observedAt: later(clock, MINUTE), watchPercent: null },
      );
      expect(result).toEqual({ matched: 1, applied: 1, ignored: 1, watch: [] });
      expect((await storage.subscriptions.get(sub.id))?.usedBytes).toBe(8);
    });

    it('names the on-hold subscriptions and the active ones at or over watchPercent of their limit', async () => {
      const { storage, clock } = env;
      const parents = await seedSubscriptionParents(storage);
      const seed = (status: 'active' | 'on_hold' | 'limited', trafficLimitBytes: number | null) =>
        seedSubscription(storage, { ...parents, status, trafficLimitBytes });
      const under = await seed('active', 10 * GB);
      const at80 = await seed('active', 10 * GB);
      const over = await seed('active', 10 * GB);
      const unlimited = await seed('active', null);
      const zero = await seed('active', 0);
      const onHold = await seed('on_hold', 10 * GB);
      const limited = await seed('limited', 10 * GB);
      const readings = [
        { username: under.remote.username, usedBytes: 8 * GB - 1 },
        { username: at80.remote.username, usedBytes: 8 * GB },
        { username: over.remote.username, usedBytes: 11 * GB },
        { username: unlimited.remote.username, usedBytes: 100 * GB },
        { username: zero.remote.username, usedBytes: 1 },
        { username: onHold.remote.username, usedBytes: 0 },
        { username: limited.remote.username, usedBytes: 11 * GB },
      ];
      const watched = await storage.subscriptions.recordPanelUsage(parents.panelId, readings, {
        observedAt: later(clock, MINUTE),
        watchPercent: 80,
      });
      expect(watched.matched).toBe(7);
      expect(watched.applied).toBe(7);
      expect([...watched.watch].sort()).toEqual([at80, over, onHold].map((s) => s.remote.username).sort());
      // Without a percent only the on-hold one; a reading not applied still names it.
      const unwatched = await storage.subscriptions.recordPanelUsage(parents.panelId, readings, {
        observedAt: later(clock, MINUTE),
        watchPercent: null,
      });
      expect(unwatched).toEqual({ matched: 7, applied: 0, ignored: 7, watch: [onHold.remote.username] });
    });

    it('bad input is a ValidationError and writes nothing', async () => {
      const { storage, clock } = env;
      const sub = await seedSubscription(storage, { status: 'active' });
      const options = { observedAt: later(clock, MINUTE), watchPercent: null };
      const good = { username: sub.remote.username, usedBytes: 100 };
      const bad: [unknown, unknown][] = [
        [[good, { username: sub.remote.username, usedBytes: -1 }], options],
        [[good, { username: '', usedBytes: 1 }], options],
        [[good, { username: sub.remote.username, usedBytes: 1.5 }], options],
        [[good, { usedBytes: 1 }], options],
        [[good], { observedAt: 'yesterday', watchPercent: null }],
        [[good], { observedAt: new Date(Number.NaN), watchPercent: null }],
        [[good], { observedAt: later(clock, MINUTE), watchPercent: 101 }],
        [[good], { observedAt: later(clock, MINUTE) }],
        [[good], null],
        ['not an array', options],
        [Array.from({ length: MAX_USERNAMES_PER_LOOKUP + 1 }, (_, i) => ({ username: `pk_${i}`, usedBytes: 1 })), options],
      ];
      for (const [readings, opts] of bad) {
        await expectRejects(storage.subscriptions.recordPanelUsage(sub.panelId, readings as never, opts as never), 'ValidationError');
      }
      await expectRejects(storage.subscriptions.recordPanelUsage(42 as never, [good], options), 'ValidationError');
      expect(await storage.subscriptions.get(sub.id)).toEqual(sub);
    });

    it('an empty page, or a panel with no such clients, writes nothing', async () => {
      const { storage, clock } = env;
      const sub = await seedSubscription(storage, { status: 'active' });
      const other = await seedPanel(storage);
      const options = { observedAt: later(clock, MINUTE), watchPercent: 50 };
      expect(await storage.subscriptions.recordPanelUsage(sub.panelId, [], options)).toEqual({
        matched: 0,
        applied: 0,
        ignored: 0,
        watch: [],
      });
      expect(await storage.subscriptions.recordPanelUsage(other.id, [{ username: sub.remote.username, usedBytes: 9 }], options)).toEqual({
        matched: 0,
        applied: 0,
        ignored: 1,
        watch: [],
      });
      expect(await storage.subscriptions.get(sub.id)).toEqual(sub);
    });
  });
}
