import { describe, expect, it } from 'vitest';
import type { ClaimedJob, Lease } from '../../domain/job.js';
import type { JobSettlement, StoragePort } from '../../ports/storage.js';
import { seedJob } from './fixtures.js';
import { TEST_ERROR, getJob } from './jobs.js';
import { MINUTE, expectRejects, later } from './support.js';
import type { SuiteEnv } from './support.js';

function claimAll(storage: StoragePort, limit: number, workerId = 'w', leaseMs = MINUTE): Promise<ClaimedJob[]> {
  return storage.jobs.claim({ workerId, limit, leaseMs });
}

const ids = (leases: readonly Lease[]) => leases.map((l) => l.jobId).sort();

/** The queue in batches (port 19): `enqueueMany` and `settleMany`, and batched settling racing lost leases. */
export function jobsManySuite(env: SuiteEnv): void {
  describe('jobs in batches: enqueueMany and settleMany (port 19)', () => {
    it('enqueueMany writes every row as enqueue would, one result a row in order', async () => {
      const { storage, clock } = env;
      const soon = later(clock, MINUTE);
      const results = await storage.jobs.enqueueMany([
        { type: 'conformance.job', payload: { n: 1 } },
        { type: 'conformance.job', payload: { n: 2 }, runAt: soon, priority: 5, serialKey: 's', batchKey: 'b', maxAttempts: 3 },
      ]);
      expect(results.map((r) => r.created)).toEqual([true, true]);
      expect(results[0]!.job).toMatchObject({
        payload: { n: 1 },
        state: 'queued',
        attempts: 0,
        runAt: clock.now(),
        createdAt: clock.now(),
      });
      expect(results[1]!.job).toMatchObject({ payload: { n: 2 }, runAt: soon, priority: 5, serialKey: 's', batchKey: 'b', maxAttempts: 3 });
      for (const { job } of results) expect(await getJob(storage, job.id)).toEqual(job);
      expect(await storage.jobs.enqueueMany([])).toEqual([]);
    });

    it('enqueueMany with a bad row, or more than 1 000, is a ValidationError and writes nothing', async () => {
      const { storage } = env;
      await expectRejects(storage.jobs.enqueueMany([{ type: 'conformance.job' }, { type: 'Bad Type' }]), 'ValidationError');
      await expectRejects(storage.jobs.enqueueMany(Array.from({ length: 1001 }, () => ({ type: 'conformance.job' }))), 'ValidationError');
      expect((await storage.jobs.list({}, { limit: 10 })).items).toEqual([]);
    });

    it('enqueueMany merges rows of one dedupe key inside the call and into a queued twin, and honours ids, as enqueue in turn would', async () => {
      const { storage, clock } = env;
      const twin = await seedJob(storage, { dedupeKey: 'k:twin', payload: { v: 0 }, runAt: later(clock, 10 * MINUTE) });
      const named = await seedJob(storage, { id: 'job_named', payload: { v: 'stored' } });
      const results = await storage.jobs.enqueueMany([
        { type: 'conformance.job', dedupeKey: 'k:new', payload: { v: 1 }, runAt: later(clock, 5 * MINUTE) },
        { type: 'conformance.job', dedupeKey: 'k:twin', payload: { v: 2 } },
        { type: 'conformance.job', dedupeKey: 'k:new', payload: { v: 3 }, runAt: later(clock, MINUTE) },
        { type: 'conformance.job', id: 'job_named', payload: { v: 'again' } },
        { type: 'conformance.job', id: 'job_fresh', payload: { v: 4 } },
        { type: 'conformance.job', id: 'job_fresh', payload: { v: 5 } },
      ]);
      expect(results.map((r) => r.created)).toEqual([true, false, false, false, true, false]);
      const fresh = results[0]!.job;
      expect(results[2]!.job).toEqual(fresh);
      expect(fresh).toMatchObject({ dedupeKey: 'k:new', payload: { v: 3 }, runAt: later(clock, MINUTE) });
      expect(results[1]!.job).toMatchObject({ id: twin.id, payload: { v: 2 }, runAt: clock.now() });
      expect(results[3]!.job).toEqual(named);
      expect(results[4]!.job).toMatchObject({ id: 'job_fresh', payload: { v: 4 } });
      expect(results[5]!.job).toEqual(results[4]!.job);
      expect((await storage.jobs.list({ state: 'queued' }, { limit: 10 })).items).toHaveLength(4);
      expect(await getJob(storage, twin.id)).toEqual(results[1]!.job);
    });

    it('concurrent enqueueMany calls over the same dedupe keys, in opposite orders, leave one queued job a key', async () => {
      const { storage } = env;
      const replicas = await env.replicas(4);
      const keys = Array.from({ length: 60 }, (_, i) => `k:${String(i).padStart(2, '0')}`);
      const rowsFor = (r: number) =>
        (r % 2 === 0 ? keys : [...keys].reverse()).map((key) => ({ type: 'conformance.job', dedupeKey: key, payload: { r } }));
      const calls = await Promise.all(
        replicas.flatMap((replica, r) => [replica.jobs.enqueueMany(rowsFor(r)), replica.jobs.enqueueMany(rowsFor(r + 1))]),
      );
      const queued = (await storage.jobs.list({ state: 'queued' }, { limit: 200 })).items;
      expect(queued.map((j) => j.dedupeKey).sort()).toEqual(keys);
      // Each key created once across the calls; every row answered with the key's one job.
      const created = calls.flat().filter((r) => r.created);
      expect(created.map((r) => r.job.dedupeKey).sort()).toEqual(keys);
      const idOfKey = new Map(queued.map((j) => [j.dedupeKey, j.id]));
      for (const r of calls.flat()) expect(r.job.id).toBe(idOfKey.get(r.job.dedupeKey));
    });

    it('settleMany settles each held lease as fail, release or park would, and returns those it settled', async () => {
      const { storage, clock } = env;
      for (let i = 0; i < 4; i++) await seedJob(storage, { runAt: later(clock, -10 * MINUTE + i) });
      const claimed = await claimAll(storage, 4);
      const [retry, dead, released, parked] = claimed.map((c) => c.lease) as [Lease, Lease, Lease, Lease];
      clock.advance(1000);
      const at = later(clock, 5 * MINUTE);
      const until = later(clock, 20 * MINUTE);
      const settlements: JobSettlement[] = [
        { lease: retry, outcome: 'retry', error: TEST_ERROR, at },
        { lease: dead, outcome: 'dead', error: TEST_ERROR },
        { lease: released, outcome: 'released' },
        { lease: parked, outcome: 'parked', parking: { panelId: 'pnl_down', until } },
      ];
      expect(ids(await storage.jobs.settleMany(settlements))).toEqual(ids([retry, dead, released, parked]));
      const now = clock.now();
      expect(await getJob(storage, retry.jobId)).toMatchObject({
        state: 'queued',
        attempts: 1,
        runAt: at,
        lastError: TEST_ERROR,
        failingSince: now,
        parkedOn: null,
        leaseToken: null,
      });
      expect(await getJob(storage, dead.jobId)).toMatchObject({
        state: 'dead',
        attempts: 1,
        lastError: TEST_ERROR,
        finishedAt: now,
        leaseToken: null,
      });
      expect(await getJob(storage, released.jobId)).toMatchObject({
        state: 'queued',
        attempts: 0,
        lastError: null,
        failingSince: null,
        leaseToken: null,
      });
      expect(await getJob(storage, parked.jobId)).toMatchObject({
        state: 'queued',
        attempts: 0,
        runAt: until,
        parkedOn: 'pnl_down',
        failingSince: now,
      });
      // Settled: the same leases settle nothing again.
      expect(await storage.jobs.settleMany(settlements)).toEqual([]);
      expect(await storage.jobs.settleMany([])).toEqual([]);
    });

    it('settleMany refuses a job named twice, or a bad outcome, with a ValidationError, changing nothing', async () => {
      const { storage } = env;
      await seedJob(storage);
      const [{ lease }] = (await claimAll(storage, 1)) as [ClaimedJob];
      const before = await getJob(storage, lease.jobId);
      await expectRejects(
        storage.jobs.settleMany([
          { lease, outcome: 'released' },
          { lease, outcome: 'dead', error: TEST_ERROR },
        ]),
        'ValidationError',
      );
      await expectRejects(storage.jobs.settleMany([{ lease, outcome: 'gone' } as never]), 'ValidationError');
      await expectRejects(storage.jobs.settleMany([{ lease, outcome: 'retry', error: TEST_ERROR } as never]), 'ValidationError');
      expect(await getJob(storage, lease.jobId)).toEqual(before);
    });

    it('a batch completion or settlement racing a lost lease settles only the leases still held; the new owner keeps its job', async () => {
      const { storage, clock } = env;
      for (let i = 0; i < 6; i++) await seedJob(storage, { runAt: later(clock, -10 * MINUTE + i) });
      const first = await claimAll(storage, 6, 'w-old', 1000);
      // Three of the six outlive their lease: reaped, and claimed by another worker, while the first one's batch is on its way.
      await storage.jobs.heartbeat(
        first.slice(0, 3).map((c) => c.lease),
        10 * MINUTE,
      );
      clock.advance(2000);
      expect(await storage.jobs.reapExpired()).toBe(3);
      const taken = await claimAll(storage, 10, 'w-new');
      expect(ids(taken.map((c) => c.lease))).toEqual(ids(first.slice(3).map((c) => c.lease)));
      const completed = await storage.jobs.completeMany([first[0]!.lease, first[3]!.lease, first[4]!.lease]);
      expect(completed).toEqual([first[0]!.lease]);
      const settled = await storage.jobs.settleMany([
        { lease: first[1]!.lease, outcome: 'dead', error: TEST_ERROR },
        { lease: first[5]!.lease, outcome: 'released' },
      ]);
      expect(settled).toEqual([first[1]!.lease]);
      for (const c of taken)
        expect(await getJob(storage, c.job.id)).toMatchObject({ state: 'running', lockedBy: 'w-new', leaseToken: c.lease.token });
      expect(ids(await storage.jobs.completeMany(taken.map((c) => c.lease)))).toEqual(ids(taken.map((c) => c.lease)));
    });

    it('jobs a stopping worker hands back unstarted in one settleMany are claimable at once, their attempt not counted', async () => {
      const { storage, clock } = env;
      for (let i = 0; i < 5; i++) await seedJob(storage, { runAt: later(clock, -MINUTE + i) });
      const claimed = await claimAll(storage, 5, 'w-stopping', 10 * MINUTE);
      expect(ids(await storage.jobs.settleMany(claimed.map((c) => ({ lease: c.lease, outcome: 'released' as const }))))).toEqual(
        ids(claimed.map((c) => c.lease)),
      );
      // No lease to wait out: another worker claims them now, each on its first attempt.
      const again = await claimAll(storage, 10, 'w-next');
      expect(ids(again.map((c) => c.lease))).toEqual(ids(claimed.map((c) => c.lease)));
      for (const c of again) expect(c.job.attempts).toBe(1);
    });

    it('settleMany supersedes a requeued job whose queued twin appeared meanwhile, as fail does', async () => {
      const { storage, clock } = env;
      const job = await seedJob(storage, { dedupeKey: 'k:sup' });
      const [{ lease }] = (await claimAll(storage, 1)) as [ClaimedJob];
      const twin = await seedJob(storage, { dedupeKey: 'k:sup' });
      expect(twin.id).not.toBe(job.id);
      expect(await storage.jobs.settleMany([{ lease, outcome: 'retry', error: TEST_ERROR, at: later(clock, MINUTE) }])).toEqual([lease]);
      expect(await getJob(storage, job.id)).toMatchObject({ state: 'cancelled' });
      expect(await getJob(storage, twin.id)).toMatchObject({ state: 'queued' });
    });
  });
}
