import { describe, expect, it } from 'vitest';
import type { ClaimedJob, Job } from '../../domain/job.js';
import type { SerializedError } from '../../errors.js';
import type { StoragePort } from '../../ports/storage.js';
import { seedJob } from './fixtures.js';
import { MINUTE, collectPages, expectRejects, idsOf, later } from './support.js';
import type { SuiteEnv } from './support.js';

export const TEST_ERROR: SerializedError = { name: 'PanelServerError', code: 'PANEL_SERVER', message: 'boom', retryable: true };

/** Claims exactly one job of `type`, failing the test if none (or several) come back. */
export async function claimOne(
  storage: StoragePort,
  type = 'conformance.job',
  workerId = 'worker-1',
  leaseMs = MINUTE,
): Promise<ClaimedJob> {
  const claimed = await storage.jobs.claim({ workerId, limit: 1, leaseMs, types: [type] });
  expect(claimed, `expected to claim one ${type} job`).toHaveLength(1);
  const [first] = claimed;
  if (first === undefined) throw new Error('unreachable');
  return first;
}

export async function getJob(storage: StoragePort, id: string): Promise<Job> {
  const job = await storage.jobs.get(id);
  if (job === null) throw new Error(`job ${id} vanished`);
  return job;
}

export function jobsSuite(env: SuiteEnv): void {
  describe('jobs: enqueue, dedupe, cancel, retry, list', () => {
    it('enqueue fills defaults and takes times from the clock', async () => {
      const { storage, clock } = env;
      const { job, created } = await storage.jobs.enqueue({ type: 'subscription.provision' });
      expect(created).toBe(true);
      expect(job).toEqual({
        id: expect.any(String),
        type: 'subscription.provision',
        payload: {},
        dedupeKey: null,
        serialKey: null,
        batchKey: null,
        priority: 0,
        runAt: clock.now(),
        maxAttempts: 10,
        state: 'queued',
        attempts: 0,
        lastError: null,
        failingSince: null,
        parkedOn: null,
        lockedBy: null,
        leaseToken: null,
        leaseExpiresAt: null,
        result: null,
        createdAt: clock.now(),
        updatedAt: clock.now(),
        finishedAt: null,
      });
      expect(await storage.jobs.get(job.id)).toEqual(job);
      expect(await storage.jobs.get('job_missing')).toBeNull();
    });

    it('enqueue keeps the given id, payload, key, priority, run time and attempt budget', async () => {
      const { storage, clock } = env;
      const runAt = later(clock, 5 * MINUTE);
      const { job } = await storage.jobs.enqueue({
        id: 'job_given',
        type: 'usage.sync',
        payload: { panelId: 'p1', nested: { list: [1, 2, null] } },
        dedupeKey: 'usage.sync:p1',
        serialKey: 'panel:p1|target:7',
        priority: -5,
        runAt,
        maxAttempts: 3,
      });
      expect(job).toMatchObject({
        id: 'job_given',
        payload: { panelId: 'p1', nested: { list: [1, 2, null] } },
        dedupeKey: 'usage.sync:p1',
        serialKey: 'panel:p1|target:7',
        priority: -5,
        runAt,
        maxAttempts: 3,
      });
    });

    it('rejects invalid input with a ValidationError and writes nothing', async () => {
      const { storage } = env;
      await expectRejects(storage.jobs.enqueue({ type: 'Not A Type' }), 'ValidationError');
      await expectRejects(storage.jobs.enqueue({ type: 'ok.type', priority: 5000 }), 'ValidationError');
      await expectRejects(storage.jobs.enqueue({ type: 'ok.type', maxAttempts: 0 }), 'ValidationError');
      await expectRejects(storage.jobs.enqueue({ type: 'ok.type', dedupeKey: '' }), 'ValidationError');
      expect((await storage.jobs.list({}, { limit: 10 })).items).toEqual([]);
    });

    it('a queued job with the same dedupe key takes the new payload and the earlier run time', async () => {
      const { storage, clock } = env;
      const first = await storage.jobs.enqueue({ type: 'usage.sync', dedupeKey: 'k', payload: { v: 1 }, runAt: later(clock, 10 * MINUTE) });
      const second = await storage.jobs.enqueue({ type: 'usage.sync', dedupeKey: 'k', payload: { v: 2 }, runAt: later(clock, 5 * MINUTE) });
      expect(second.created).toBe(false);
      expect(second.job.id).toBe(first.job.id);
      expect(second.job).toMatchObject({ payload: { v: 2 }, runAt: later(clock, 5 * MINUTE), state: 'queued' });
      const third = await storage.jobs.enqueue({ type: 'usage.sync', dedupeKey: 'k', payload: { v: 3 }, runAt: later(clock, 20 * MINUTE) });
      expect(third.created).toBe(false);
      expect(third.job).toMatchObject({ id: first.job.id, payload: { v: 3 }, runAt: later(clock, 5 * MINUTE) });
      expect(await storage.jobs.get(first.job.id)).toEqual(third.job);
      expect((await storage.jobs.list({ dedupeKey: 'k' }, { limit: 10 })).items).toHaveLength(1);
      // Other keys and keyless jobs are never merged.
      expect((await storage.jobs.enqueue({ type: 'usage.sync', dedupeKey: 'other' })).created).toBe(true);
      expect((await storage.jobs.enqueue({ type: 'usage.sync' })).created).toBe(true);
      expect((await storage.jobs.enqueue({ type: 'usage.sync' })).created).toBe(true);
    });

    it('a key whose job finished (succeeded, cancelled or dead) gets a new job', async () => {
      const { storage } = env;
      const done = await seedJob(storage, { dedupeKey: 'a' });
      const claimed = await claimOne(storage);
      expect(await storage.jobs.complete(claimed.lease)).toBe(true);
      const afterSuccess = await storage.jobs.enqueue({ type: 'conformance.job', dedupeKey: 'a' });
      expect(afterSuccess.created).toBe(true);
      expect(afterSuccess.job.id).not.toBe(done.id);
      expect(await storage.jobs.cancel(afterSuccess.job.id)).toBe(true);
      const afterCancel = await storage.jobs.enqueue({ type: 'conformance.job', dedupeKey: 'a' });
      expect(afterCancel.created).toBe(true);
      const dying = await claimOne(storage);
      expect(await storage.jobs.fail(dying.lease, TEST_ERROR, 'dead')).toBe(true);
      expect((await storage.jobs.enqueue({ type: 'conformance.job', dedupeKey: 'a' })).created).toBe(true);
    });

    it('cancel cancels only a queued job', async () => {
      const { storage } = env;
      const queued = await seedJob(storage);
      expect(await storage.jobs.cancel(queued.id)).toBe(true);
      expect(await getJob(storage, queued.id)).toMatchObject({ state: 'cancelled' });
      expect(await storage.jobs.cancel(queued.id)).toBe(false);
      expect(await storage.jobs.claim({ workerId: 'w', limit: 10, leaseMs: MINUTE })).toEqual([]);
      const running = await seedJob(storage);
      const claimed = await claimOne(storage);
      expect(await storage.jobs.cancel(running.id)).toBe(false);
      expect(await getJob(storage, running.id)).toMatchObject({ state: 'running', leaseToken: claimed.lease.token });
      expect(await storage.jobs.complete(claimed.lease)).toBe(true);
      expect(await storage.jobs.cancel(running.id)).toBe(false);
      expect(await getJob(storage, running.id)).toMatchObject({ state: 'succeeded' });
    });

    it('retry puts a dead or cancelled job back in the queue with a fresh attempt budget', async () => {
      const { storage, clock } = env;
      const job = await seedJob(storage, { maxAttempts: 1 });
      const claimed = await claimOne(storage);
      expect(await storage.jobs.fail(claimed.lease, TEST_ERROR, 'dead')).toBe(true);
      clock.advance(MINUTE);
      const retried = await storage.jobs.retry(job.id);
      expect(retried).toMatchObject({ id: job.id, state: 'queued', attempts: 0, leaseToken: null });
      expect(await storage.jobs.get(job.id)).toEqual(retried);
      const again = await claimOne(storage);
      expect(again.job).toMatchObject({ id: job.id, attempts: 1 });
      const cancelled = await seedJob(storage);
      await storage.jobs.cancel(cancelled.id);
      expect(await storage.jobs.retry(cancelled.id)).toMatchObject({ id: cancelled.id, state: 'queued', attempts: 0 });
      await expectRejects(storage.jobs.retry('job_missing'), 'NotFoundError');
    });

    it('list is newest first, filters by state, type and dedupe key, and pages without gaps', async () => {
      const { storage, clock } = env;
      const jobs: Job[] = [];
      for (let i = 0; i < 10; i++) {
        jobs.push(await seedJob(storage, { type: i % 2 === 0 ? 'even.job' : 'odd.job', dedupeKey: i < 3 ? `key-${i}` : null }));
        clock.advance(1000);
      }
      const [j0, j1] = jobs;
      if (j0 === undefined || j1 === undefined) throw new Error('unreachable');
      await storage.jobs.cancel(j1.id);
      const newest = idsOf(jobs).reverse();
      const all = await collectPages((cursor) => storage.jobs.list({}, { limit: 3, cursor }));
      expect(idsOf(all.items)).toEqual(newest);
      expect(all.pageSizes).toEqual([3, 3, 3, 1]);
      const evens = await collectPages((cursor) => storage.jobs.list({ type: 'even.job' }, { limit: 2, cursor }));
      expect(idsOf(evens.items)).toEqual(newest.filter((_, i) => i % 2 === 1));
      expect(idsOf((await storage.jobs.list({ state: 'cancelled' }, { limit: 10 })).items)).toEqual([j1.id]);
      expect((await storage.jobs.list({ state: 'queued' }, { limit: 100 })).items).toHaveLength(9);
      expect(idsOf((await storage.jobs.list({ dedupeKey: 'key-0' }, { limit: 10 })).items)).toEqual([j0.id]);
      expect(idsOf((await storage.jobs.list({ state: 'queued', type: 'odd.job' }, { limit: 10 })).items)).toEqual(
        newest.filter((id, i) => i % 2 === 0 && id !== j1.id),
      );
    });

    it('returns copies', async () => {
      const { storage } = env;
      const payload = { list: [1, 2], inner: { a: 'b' } };
      const job = await seedJob(storage, { payload });
      const snapshot = structuredClone(job);
      payload.list.push(3);
      job.payload['inner'] = null;
      job.runAt.setTime(0);
      const fetched = await storage.jobs.get(job.id);
      if (fetched) fetched.payload['extra'] = true;
      const listed = await storage.jobs.list({}, { limit: 1 });
      if (listed.items[0]) listed.items[0].state = 'dead';
      expect(await storage.jobs.get(job.id)).toEqual(snapshot);
      const [claimed] = await storage.jobs.claim({ workerId: 'w', limit: 1, leaseMs: MINUTE });
      if (claimed) claimed.job.payload['claimed'] = true;
      expect((await storage.jobs.get(job.id))?.payload).toEqual(snapshot.payload);
    });
  });
}
