import { describe, expect, it } from 'vitest';
import { seedJob } from './fixtures.js';
import { TEST_ERROR, claimOne, getJob } from './jobs.js';
import { MINUTE, later } from './support.js';
import type { SuiteEnv } from './support.js';

export function jobsLeaseSuite(env: SuiteEnv): void {
  describe('jobs: leases', () => {
    it('complete marks the job succeeded with its result, once', async () => {
      const { storage, clock } = env;
      const job = await seedJob(storage);
      const { lease } = await claimOne(storage);
      clock.advance(500);
      expect(await storage.jobs.complete(lease, { clientId: 42, links: ['a'] })).toBe(true);
      const done = await getJob(storage, job.id);
      expect(done).toMatchObject({
        state: 'succeeded',
        result: { clientId: 42, links: ['a'] },
        finishedAt: clock.now(),
        attempts: 1,
        leaseToken: null,
      });
      expect(await storage.jobs.complete(lease)).toBe(false);
      expect(await storage.jobs.fail(lease, TEST_ERROR, 'dead')).toBe(false);
      expect(await storage.jobs.release(lease)).toBe(false);
      expect(await storage.jobs.heartbeat([lease], MINUTE)).toEqual([]);
      expect(await getJob(storage, job.id)).toEqual(done);
      const other = await seedJob(storage);
      const second = await claimOne(storage);
      expect(await storage.jobs.complete(second.lease)).toBe(true);
      expect(await getJob(storage, other.id)).toMatchObject({ state: 'succeeded', result: null });
    });

    it('a wrong token or job id cannot complete, fail, release or heartbeat, and changes nothing', async () => {
      const { storage } = env;
      const job = await seedJob(storage);
      const { lease } = await claimOne(storage);
      const before = await getJob(storage, job.id);
      const forged = { jobId: job.id, token: `${lease.token}-forged` };
      const elsewhere = { jobId: 'job_missing', token: lease.token };
      for (const bad of [forged, elsewhere]) {
        expect(await storage.jobs.complete(bad, { x: 1 })).toBe(false);
        expect(await storage.jobs.fail(bad, TEST_ERROR, { at: later(env.clock, MINUTE) })).toBe(false);
        expect(await storage.jobs.fail(bad, TEST_ERROR, 'dead')).toBe(false);
        expect(await storage.jobs.release(bad)).toBe(false);
        expect(await storage.jobs.heartbeat([bad], 10 * MINUTE)).toEqual([]);
      }
      expect(await getJob(storage, job.id)).toEqual(before);
      expect(await storage.jobs.complete(lease)).toBe(true);
    });

    it('heartbeat extends held leases, so reaping leaves them running', async () => {
      const { storage, clock } = env;
      const job = await seedJob(storage);
      const { lease } = await claimOne(storage, 'conformance.job', 'w', 1000);
      clock.advance(900);
      const held = await storage.jobs.heartbeat([lease, { jobId: job.id, token: 'not-mine' }], 1000);
      expect(held).toEqual([lease]);
      const extended = await getJob(storage, job.id);
      expect(extended.leaseExpiresAt?.getTime()).toBeGreaterThan(later(clock, -900 + 1000).getTime());
      clock.advance(600); // past the original expiry (1000), not past the extension (1900 or later)
      expect(await storage.jobs.reapExpired()).toBe(0);
      expect(await getJob(storage, job.id)).toMatchObject({ state: 'running', leaseToken: lease.token });
      expect(await storage.jobs.complete(lease)).toBe(true);
    });

    it('a lost lease cannot complete: after reaping, the new holder completes and the old one fails', async () => {
      const { storage, clock } = env;
      const job = await seedJob(storage);
      const first = await claimOne(storage, 'conformance.job', 'worker-1', 1000);
      clock.advance(1001);
      expect(await storage.jobs.reapExpired()).toBe(1);
      expect(await getJob(storage, job.id)).toMatchObject({ state: 'queued', attempts: 1 });
      const second = await claimOne(storage, 'conformance.job', 'worker-2', 1000);
      expect(second.job).toMatchObject({ id: job.id, attempts: 2, lockedBy: 'worker-2' });
      expect(await storage.jobs.heartbeat([first.lease], 60_000)).toEqual([]);
      expect(await storage.jobs.complete(first.lease, { by: 'worker-1' })).toBe(false);
      expect(await storage.jobs.fail(first.lease, TEST_ERROR, 'dead')).toBe(false);
      expect(await storage.jobs.release(first.lease)).toBe(false);
      expect(await getJob(storage, job.id)).toMatchObject({ state: 'running', leaseToken: second.lease.token, lockedBy: 'worker-2' });
      expect(await storage.jobs.complete(second.lease, { by: 'worker-2' })).toBe(true);
      expect(await getJob(storage, job.id)).toMatchObject({ state: 'succeeded', result: { by: 'worker-2' } });
    });

    it('reapExpired requeues only expired leases and returns how many', async () => {
      const { storage, clock } = env;
      for (let i = 0; i < 3; i++) await seedJob(storage, { type: 'short.job' });
      const long = await seedJob(storage, { type: 'long.job' });
      const idle = await seedJob(storage, { type: 'idle.job' });
      const short = await storage.jobs.claim({ workerId: 'w', limit: 10, leaseMs: 1000, types: ['short.job'] });
      expect(short).toHaveLength(3);
      await claimOne(storage, 'long.job', 'w', 10_000);
      expect(await storage.jobs.reapExpired()).toBe(0);
      clock.advance(1001);
      expect(await storage.jobs.reapExpired()).toBe(3);
      expect(await storage.jobs.reapExpired()).toBe(0);
      for (const c of short) expect(await getJob(storage, c.job.id)).toMatchObject({ state: 'queued', attempts: 1 });
      expect(await getJob(storage, long.id)).toMatchObject({ state: 'running' });
      expect(await getJob(storage, idle.id)).toMatchObject({ state: 'queued', attempts: 0 });
      const again = await storage.jobs.claim({ workerId: 'w2', limit: 10, leaseMs: 1000, types: ['short.job'] });
      expect(again.map((c) => c.job.id).sort()).toEqual(short.map((c) => c.job.id).sort());
    });

    it('fail with a retry time requeues at that time and keeps the error', async () => {
      const { storage, clock } = env;
      const job = await seedJob(storage);
      const { lease } = await claimOne(storage);
      const at = later(clock, 5 * MINUTE);
      expect(await storage.jobs.fail(lease, TEST_ERROR, { at })).toBe(true);
      expect(await getJob(storage, job.id)).toMatchObject({
        state: 'queued',
        runAt: at,
        attempts: 1,
        lastError: TEST_ERROR,
        leaseToken: null,
      });
      expect(await storage.jobs.complete(lease)).toBe(false);
      clock.advance(5 * MINUTE - 1);
      expect(await storage.jobs.claim({ workerId: 'w', limit: 1, leaseMs: MINUTE })).toEqual([]);
      clock.advance(1);
      const again = await claimOne(storage);
      expect(again.job).toMatchObject({ id: job.id, attempts: 2 });
    });

    it("fail with 'dead' ends the job with its error and finishedAt", async () => {
      const { storage, clock } = env;
      const job = await seedJob(storage);
      const { lease } = await claimOne(storage);
      clock.advance(1234);
      const error = { ...TEST_ERROR, details: { status: 503 }, cause: { ...TEST_ERROR, message: 'inner' } };
      expect(await storage.jobs.fail(lease, error, 'dead')).toBe(true);
      expect(await getJob(storage, job.id)).toMatchObject({ state: 'dead', lastError: error, finishedAt: clock.now(), leaseToken: null });
      clock.advance(60 * MINUTE);
      expect(await storage.jobs.claim({ workerId: 'w', limit: 10, leaseMs: MINUTE })).toEqual([]);
      expect(await storage.jobs.reapExpired()).toBe(0);
    });

    it('a failed job whose key has a newer queued job is cancelled as superseded', async () => {
      const { storage, clock } = env;
      const job = await seedJob(storage, { dedupeKey: 'sub:9' });
      const { lease } = await claimOne(storage);
      const twin = await storage.jobs.enqueue({ type: 'conformance.job', dedupeKey: 'sub:9', payload: { newer: true } });
      expect(twin.created).toBe(true);
      expect(await storage.jobs.fail(lease, TEST_ERROR, { at: later(clock, MINUTE) })).toBe(true);
      expect(await getJob(storage, job.id)).toMatchObject({ state: 'cancelled' });
      expect(await getJob(storage, twin.job.id)).toMatchObject({ state: 'queued', payload: { newer: true } });
      clock.advance(2 * MINUTE);
      const next = await claimOne(storage);
      expect(next.job.id).toBe(twin.job.id);
      expect(await storage.jobs.claim({ workerId: 'w', limit: 10, leaseMs: MINUTE })).toEqual([]);
    });

    it('release hands a running job back without counting the attempt', async () => {
      const { storage } = env;
      const job = await seedJob(storage);
      const { lease } = await claimOne(storage);
      expect(await storage.jobs.release(lease)).toBe(true);
      expect(await getJob(storage, job.id)).toMatchObject({ state: 'queued', attempts: 0, leaseToken: null });
      expect(await storage.jobs.complete(lease)).toBe(false);
      expect(await storage.jobs.release(lease)).toBe(false);
      const again = await claimOne(storage);
      expect(again.job).toMatchObject({ id: job.id, attempts: 1 });
    });
  });
}
