import { describe, expect, it } from 'vitest';
import { DEFAULT_GUARD_POLICY, guardHourOf } from '../../rules/guard/index.js';
import { seedSubscription } from './fixtures.js';
import { expectRejects, settle } from './support.js';
import type { SuiteEnv } from './support.js';

const HOUR = 3_600_000;

/**
 * The sharing guard (`guard`, storage port 30): the versioned policy, readings merged into hourly buckets and
 * trimmed to the window, `null` readings kept apart, and conditional transitions of which racing replicas make
 * exactly one.
 */
export function guardSuite(env: SuiteEnv): void {
  describe('guard', () => {
    it('answers the default policy at version 0 and stores a new one only from the version it read', async () => {
      const { storage } = env;
      expect(await storage.guard.getPolicy()).toEqual({ policy: DEFAULT_GUARD_POLICY, version: 0, updatedAt: null });
      const on = { ...DEFAULT_GUARD_POLICY, enabled: true, overReadings: 4 };
      const saved = await storage.guard.setPolicy(on, 0);
      expect(saved).toMatchObject({ policy: on, version: 1 });
      expect(await storage.guard.setPolicy({ ...on, overReadings: 5 }, 0)).toBeNull();
      expect((await storage.guard.getPolicy()).policy.overReadings).toBe(4);
      await expectRejects(storage.guard.setPolicy({ ...on, overFraction: 2 }, 1), 'ValidationError');
      expect(await storage.guard.setPolicy({ ...on, overReadings: 6 }, 1)).toMatchObject({ version: 2 });
    });

    it('merges a page of readings into hourly buckets, keeps null readings apart and drops hours before the window', async () => {
      const { storage, clock } = env;
      const [a, b] = [await seedSubscription(storage), await seedSubscription(storage)];
      const now = clock.now();
      const ago = (h: number) => new Date(now.getTime() - h * HOUR);
      await storage.guard.recordReadings(
        [
          { subscriptionId: a.id, at: ago(30), prefixes: 9, over: true },
          { subscriptionId: a.id, at: ago(2), prefixes: 4, over: true },
          { subscriptionId: a.id, at: ago(2), prefixes: 2, over: false },
          { subscriptionId: b.id, at: ago(1), prefixes: null, over: true },
        ],
        24,
      );
      await storage.guard.recordReadings([{ subscriptionId: a.id, at: ago(2), prefixes: 3, over: true }], 24);
      const read = await storage.guard.signals([b.id, a.id, 'missing']);
      expect(read.map((s) => s.subscriptionId)).toEqual([a.id, b.id].sort());
      const [sa, sb] = [read.find((s) => s.subscriptionId === a.id), read.find((s) => s.subscriptionId === b.id)];
      expect(sa).toEqual({
        subscriptionId: a.id,
        buckets: [{ hour: guardHourOf(ago(2)), readings: 3, over: 2, maxPrefixes: 4 }],
        lastReadingAt: ago(2),
        lastNullAt: null,
      });
      expect(sb).toEqual({ subscriptionId: b.id, buckets: [], lastReadingAt: null, lastNullAt: ago(1) });
      await expectRejects(
        storage.guard.recordReadings([{ subscriptionId: 'missing', at: now, prefixes: 1, over: false }], 24),
        'NotFoundError',
      );
    });

    it('moves a case only from the step_seq it read, clearing readings when asked', async () => {
      const { storage, clock } = env;
      const s = await seedSubscription(storage);
      await storage.guard.recordReadings([{ subscriptionId: s.id, at: clock.now(), prefixes: 5, over: true }], 24);
      const warned = await storage.guard.transition({
        subscriptionId: s.id,
        seenSeq: 0,
        step: 'warn',
        evidence: { over: 3 },
        policyVersion: 1,
      });
      expect(warned).toMatchObject({
        subscriptionId: s.id,
        step: 'warn',
        stepSeq: 1,
        evidence: { over: 3 },
        liftedBy: null,
        quietUntil: null,
      });
      expect(
        await storage.guard.transition({ subscriptionId: s.id, seenSeq: 0, step: 'limit', evidence: {}, policyVersion: 1 }),
      ).toBeNull();
      const quiet = new Date(clock.now().getTime() + 24 * HOUR);
      const lifted = await storage.guard.transition({
        subscriptionId: s.id,
        seenSeq: 1,
        step: 'watching',
        evidence: { note: 'family' },
        policyVersion: 1,
        liftedBy: 'staff-1',
        quietUntil: quiet,
        clearReadings: true,
      });
      expect(lifted).toMatchObject({ step: 'watching', stepSeq: 2, liftedBy: 'staff-1', quietUntil: quiet });
      expect(await storage.guard.signals([s.id])).toEqual([{ subscriptionId: s.id, buckets: [], lastReadingAt: null, lastNullAt: null }]);
      expect(await storage.guard.cases([s.id])).toEqual([lifted]);
      await expectRejects(
        storage.guard.transition({ subscriptionId: 'missing', seenSeq: 0, step: 'warn', evidence: {}, policyVersion: 1 }),
        'NotFoundError',
      );
      await expectRejects(
        storage.guard.transition({ subscriptionId: s.id, seenSeq: 2, step: 'bad' as 'warn', evidence: {}, policyVersion: 1 }),
        'ValidationError',
      );
    });

    it('lists cases by step in id order after a cursor', async () => {
      const { storage } = env;
      const subs = [await seedSubscription(storage), await seedSubscription(storage), await seedSubscription(storage)];
      for (const [i, s] of subs.entries()) {
        await storage.guard.transition({
          subscriptionId: s.id,
          seenSeq: 0,
          step: i === 1 ? 'limit' : 'warn',
          evidence: {},
          policyVersion: 1,
        });
      }
      const warned = subs
        .filter((_s, i) => i !== 1)
        .map((s) => s.id)
        .sort();
      const mine = (ids: string[]) => ids.filter((id) => subs.some((s) => s.id === id));
      expect((await storage.guard.listCases({ step: 'warn', limit: 1 })).map((c) => c.subscriptionId)).toEqual([warned[0]]);
      const all = await storage.guard.listCases({ step: 'warn', limit: 1000 });
      expect(mine(all.map((c) => c.subscriptionId))).toEqual(warned);
      const after = await storage.guard.listCases({ step: 'warn', after: warned[0]!, limit: 1000 });
      expect(mine(after.map((c) => c.subscriptionId))).toEqual([warned[1]]);
      expect(mine((await storage.guard.listCases({ step: 'limit', limit: 1000 })).map((c) => c.subscriptionId))).toEqual([subs[1]!.id]);
    });

    it('of replicas racing to move one case from the same step_seq, exactly one moves it', async () => {
      const { storage } = env;
      const s = await seedSubscription(storage);
      for (const seen of [0, 1]) {
        const replicas = await env.replicas(4);
        const { values, errors } = await settle(
          replicas.map((r, i) =>
            r.transaction((tx) =>
              tx.guard.transition({
                subscriptionId: s.id,
                seenSeq: seen,
                step: seen === 0 ? 'warn' : 'limit',
                evidence: { replica: i },
                policyVersion: 1,
              }),
            ),
          ),
        );
        expect(errors).toEqual([]);
        expect(values.filter((v) => v !== null).map((v) => v!.stepSeq)).toEqual([seen + 1]);
      }
    });
  });
}
