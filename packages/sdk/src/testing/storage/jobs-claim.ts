import { describe, expect, it } from 'vitest';
import { seedJob } from './fixtures.js';
import { getJob } from './jobs.js';
import { MINUTE, later } from './support.js';
import type { SuiteEnv } from './support.js';

export function jobsClaimSuite(env: SuiteEnv): void {
  describe('jobs: claim', () => {
    it('a claimed job is running, counts an attempt, and carries a fresh lease for leaseMs', async () => {
      const { storage, clock } = env;
      const job = await seedJob(storage);
      clock.advance(1000);
      const claimed = await storage.jobs.claim({ workerId: 'worker-a', limit: 5, leaseMs: 30_000 });
      expect(claimed).toHaveLength(1);
      const [first] = claimed;
      if (first === undefined) throw new Error('unreachable');
      expect(first.lease.jobId).toBe(job.id);
      expect(first.lease.token).toEqual(expect.any(String));
      expect(first.lease.token.length).toBeGreaterThan(0);
      expect(first.job).toMatchObject({
        id: job.id,
        state: 'running',
        attempts: 1,
        lockedBy: 'worker-a',
        leaseToken: first.lease.token,
        leaseExpiresAt: later(clock, 30_000),
      });
      expect(await storage.jobs.get(job.id)).toEqual(first.job);
      expect(await storage.jobs.claim({ workerId: 'worker-b', limit: 5, leaseMs: 30_000 })).toEqual([]);
    });

    it('a job claimed again after a failed and a parked attempt is returned as stored, every field (keyed or not)', async () => {
      const { storage, clock } = env;
      const plain = await seedJob(storage, {
        payload: { n: 1 },
        dedupeKey: 'conformance.job:again',
        batchKey: 'conformance.job|b',
        priority: 3,
      });
      const keyed = await seedJob(storage, { payload: { n: 2 }, serialKey: 'conformance.job|again', maxAttempts: 7 });
      const error = { name: 'PanelkitError', code: 'PANEL_UNAVAILABLE', message: 'down', retryable: true };
      for (const round of [1, 2]) {
        clock.advance(1000);
        const claimed = await storage.jobs.claim({ workerId: `worker-${round}`, limit: 5, leaseMs: 30_000 });
        expect(claimed.map((c) => c.job.id).sort()).toEqual([plain.id, keyed.id].sort());
        for (const { job } of claimed) expect(await storage.jobs.get(job.id)).toEqual(job);
        for (const { job, lease } of claimed) {
          if (round === 1) expect(await storage.jobs.fail(lease, error, { at: later(clock, 1000) })).toBe(true);
          else expect(await storage.jobs.park(lease, { panelId: 'panel-again', until: later(clock, 1000) })).toBe(true);
          expect(job.attempts).toBe(round);
        }
      }
      clock.advance(1000);
      const last = await storage.jobs.claim({ workerId: 'worker-3', limit: 5, leaseMs: 30_000 });
      expect(last).toHaveLength(2);
      for (const { job } of last) {
        expect(job).toMatchObject({ state: 'running', lockedBy: 'worker-3', lastError: error, result: null, finishedAt: null });
        expect(job.failingSince).not.toBeNull();
        expect(await storage.jobs.get(job.id)).toEqual(job);
      }
    });

    it('does not claim a job before its runAt, and claims it once the clock reaches it', async () => {
      const { storage, clock } = env;
      const job = await seedJob(storage, { runAt: later(clock, 5 * MINUTE) });
      expect(await storage.jobs.claim({ workerId: 'w', limit: 10, leaseMs: MINUTE })).toEqual([]);
      clock.advance(5 * MINUTE - 1);
      expect(await storage.jobs.claim({ workerId: 'w', limit: 10, leaseMs: MINUTE })).toEqual([]);
      clock.advance(1);
      const claimed = await storage.jobs.claim({ workerId: 'w', limit: 10, leaseMs: MINUTE });
      expect(claimed.map((c) => c.job.id)).toEqual([job.id]);
    });

    it('claims by priority (lower first), then run time', async () => {
      const { storage, clock } = env;
      const late = await seedJob(storage, { priority: 5, runAt: later(clock, -10 * MINUTE) });
      const normalLater = await seedJob(storage, { priority: 0, runAt: later(clock, -2 * MINUTE) });
      const urgent = await seedJob(storage, { priority: -1, runAt: later(clock, -MINUTE) });
      const normalEarlier = await seedJob(storage, { priority: 0, runAt: later(clock, -5 * MINUTE) });
      await seedJob(storage, { priority: -100, runAt: later(clock, MINUTE) });
      const order: string[] = [];
      for (let i = 0; i < 4; i++) {
        const claimed = await storage.jobs.claim({ workerId: 'w', limit: 1, leaseMs: MINUTE });
        expect(claimed).toHaveLength(1);
        order.push(claimed[0]?.job.id ?? '');
      }
      expect(order).toEqual([urgent.id, normalEarlier.id, normalLater.id, late.id]);
      expect(await storage.jobs.claim({ workerId: 'w', limit: 1, leaseMs: MINUTE })).toEqual([]);
    });

    it('a batch claim takes the best jobs up to the limit', async () => {
      const { storage, clock } = env;
      const jobs = [];
      for (let i = 0; i < 5; i++) jobs.push(await seedJob(storage, { priority: 10 - i, runAt: later(clock, -i * MINUTE) }));
      const first = await storage.jobs.claim({ workerId: 'w', limit: 3, leaseMs: MINUTE });
      expect(first.map((c) => c.job.id).sort()).toEqual([jobs[4], jobs[3], jobs[2]].map((j) => j?.id).sort());
      const second = await storage.jobs.claim({ workerId: 'w', limit: 3, leaseMs: MINUTE });
      expect(second.map((c) => c.job.id).sort()).toEqual([jobs[1], jobs[0]].map((j) => j?.id).sort());
      expect(await storage.jobs.claim({ workerId: 'w', limit: 3, leaseMs: MINUTE })).toEqual([]);
    });

    it('claims only the requested types, and all types when none are given', async () => {
      const { storage } = env;
      const provision = await seedJob(storage, { type: 'subscription.provision' });
      const sync = await seedJob(storage, { type: 'usage.sync' });
      const other = await seedJob(storage, { type: 'notice.send' });
      const some = await storage.jobs.claim({ workerId: 'w', limit: 10, leaseMs: MINUTE, types: ['usage.sync', 'subscription.provision'] });
      expect(some.map((c) => c.job.id).sort()).toEqual([provision.id, sync.id].sort());
      expect(await storage.jobs.claim({ workerId: 'w', limit: 10, leaseMs: MINUTE, types: ['usage.sync'] })).toEqual([]);
      const rest = await storage.jobs.claim({ workerId: 'w', limit: 10, leaseMs: MINUTE });
      expect(rest.map((c) => c.job.id)).toEqual([other.id]);
    });

    it('a job whose dedupe key has a running job is queued but not claimable until that one finishes', async () => {
      const { storage } = env;
      const first = await seedJob(storage, { dedupeKey: 'sub:1' });
      const [running] = await storage.jobs.claim({ workerId: 'w', limit: 1, leaseMs: MINUTE });
      expect(running?.job.id).toBe(first.id);
      const twin = await storage.jobs.enqueue({ type: 'conformance.job', dedupeKey: 'sub:1', payload: { v: 2 } });
      expect(twin.created).toBe(true);
      expect(twin.job.id).not.toBe(first.id);
      expect(twin.job.state).toBe('queued');
      // A third enqueue merges into the queued twin, not the running job.
      const merged = await storage.jobs.enqueue({ type: 'conformance.job', dedupeKey: 'sub:1', payload: { v: 3 } });
      expect(merged).toMatchObject({ created: false, job: { id: twin.job.id, payload: { v: 3 } } });
      const unrelated = await seedJob(storage, { dedupeKey: 'sub:2' });
      const claimed = await storage.jobs.claim({ workerId: 'w2', limit: 10, leaseMs: MINUTE });
      expect(claimed.map((c) => c.job.id)).toEqual([unrelated.id]);
      expect(await getJob(storage, twin.job.id)).toMatchObject({ state: 'queued', attempts: 0 });
      if (running === undefined) throw new Error('unreachable');
      expect(await storage.jobs.complete(running.lease)).toBe(true);
      const next = await storage.jobs.claim({ workerId: 'w2', limit: 10, leaseMs: MINUTE });
      expect(next.map((c) => c.job.id)).toEqual([twin.job.id]);
    });

    it('every claim hands out a new lease token', async () => {
      const { storage, clock } = env;
      await seedJob(storage);
      const [a] = await storage.jobs.claim({ workerId: 'w', limit: 1, leaseMs: 1000 });
      if (a === undefined) throw new Error('expected a claim');
      expect(await storage.jobs.release(a.lease)).toBe(true);
      clock.advance(1);
      const [b] = await storage.jobs.claim({ workerId: 'w', limit: 1, leaseMs: 1000 });
      if (b === undefined) throw new Error('expected a claim');
      expect(b.lease.jobId).toBe(a.lease.jobId);
      expect(b.lease.token).not.toBe(a.lease.token);
    });
  });
}
