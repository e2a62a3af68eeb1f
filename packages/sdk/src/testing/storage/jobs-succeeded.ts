import { describe, expect, it } from 'vitest';
import type { ClaimedJob, Job } from '../../domain/job.js';
import type { JsonValue } from '../../domain/common.js';
import { MINUTE, collectPages, expectRejects, idsOf, settle } from './support.js';
import type { SuiteEnv } from './support.js';
import { claimOne, getJob } from './jobs.js';

/** A claimed job as a reader finds it once it succeeded at `at` with `result`. */
function succeededAs(claimed: ClaimedJob, at: Date, result: JsonValue | null): Job {
  return {
    ...claimed.job,
    state: 'succeeded',
    lockedBy: null,
    leaseToken: null,
    leaseExpiresAt: null,
    result,
    updatedAt: at,
    finishedAt: at,
  };
}

/**
 * A succeeded job stays a stored job, whatever the storage keeps of it (PostgreSQL moves it out of the queue's table,
 * migration 32): read whole by `jobs.get` and `jobs.list`, and its id never enqueued again.
 */
export function jobsSucceededSuite(env: SuiteEnv): void {
  describe('jobs: succeeded jobs are stored jobs', () => {
    it('get answers a job completed alone (with its result) or in a batch, field for field', async () => {
      const { storage, clock } = env;
      await storage.jobs.enqueue({ id: 'job_done_one', type: 'conformance.job', payload: { n: 1 }, dedupeKey: 'done:1' });
      const one = await claimOne(storage);
      clock.advance(1000);
      expect(await storage.jobs.complete(one.lease, { sent: ['a', 1] })).toBe(true);
      expect(await getJob(storage, 'job_done_one')).toEqual(succeededAs(one, clock.now(), { sent: ['a', 1] }));

      await storage.jobs.enqueue({ id: 'job_done_two', type: 'conformance.job', payload: { n: 2 }, serialKey: 's', batchKey: 'b' });
      await storage.jobs.enqueue({ id: 'job_done_three', type: 'conformance.job', payload: { n: 3 } });
      const claimed = await storage.jobs.claim({ workerId: 'w', limit: 10, leaseMs: MINUTE, types: ['conformance.job'] });
      expect(claimed.map((c) => c.job.id).sort()).toEqual(['job_done_three', 'job_done_two']);
      clock.advance(1000);
      expect(await storage.jobs.completeMany(claimed.map((c) => c.lease))).toHaveLength(2);
      for (const c of claimed) expect(await getJob(storage, c.job.id)).toEqual(succeededAs(c, clock.now(), null));
      // A lease that was settled already settles nothing again, and the job stays as it is.
      expect(await storage.jobs.completeMany([claimed[0]!.lease])).toEqual([]);
      expect(await storage.jobs.complete(one.lease)).toBe(false);
      expect((await getJob(storage, 'job_done_one')).result).toEqual({ sent: ['a', 1] });
    });

    it('enqueue and enqueueMany with the id of a succeeded job write nothing and answer the stored job', async () => {
      const { storage } = env;
      await storage.jobs.enqueue({ id: 'job_done_again', type: 'conformance.job', payload: { n: 1 } });
      await storage.jobs.completeMany([(await claimOne(storage)).lease]);
      const stored = await getJob(storage, 'job_done_again');
      const again = await storage.jobs.enqueue({ id: 'job_done_again', type: 'conformance.job', payload: { n: 2 } });
      expect(again).toEqual({ job: stored, created: false });
      const inTx = await storage.transaction((tx) => tx.jobs.enqueue({ id: 'job_done_again', type: 'conformance.job' }));
      expect(inTx).toEqual({ job: stored, created: false });
      const many = await storage.jobs.enqueueMany([
        { id: 'job_done_again', type: 'conformance.job', payload: { n: 3 } },
        { id: 'job_done_new', type: 'conformance.job', payload: { n: 4 } },
      ]);
      expect(many.map((r) => [r.job.id, r.job.state, r.created])).toEqual([
        ['job_done_again', 'succeeded', false],
        ['job_done_new', 'queued', true],
      ]);
      expect(many[0]!.job).toEqual(stored);
      const claimed = await storage.jobs.claim({ workerId: 'w', limit: 10, leaseMs: MINUTE, types: ['conformance.job'] });
      expect(claimed.map((c) => c.job.id)).toEqual(['job_done_new']);
    });

    it('an enqueue of an id racing the completion of its job (replicas where the storage has them) never makes a second job', async () => {
      const { storage } = env;
      const [completer, enqueuer] = await env.replicas(2);
      for (let i = 0; i < 20; i++) {
        const id = `job_done_race_${i}`;
        await storage.jobs.enqueue({ id, type: 'conformance.race' });
        const { lease } = await claimOne(storage, 'conformance.race');
        const { values, errors } = await settle<unknown>([
          completer!.jobs.completeMany([lease]),
          enqueuer!.transaction((tx) => tx.jobs.enqueue({ id, type: 'conformance.race' })),
          enqueuer!.jobs.enqueueMany([{ id, type: 'conformance.race' }]),
        ]);
        expect(errors).toEqual([]);
        expect(values[0]).toEqual([lease]);
        expect((values[1] as { created: boolean }).created).toBe(false);
        expect((values[2] as { created: boolean }[]).map((r) => r.created)).toEqual([false]);
        expect((await getJob(storage, id)).state).toBe('succeeded');
      }
      expect(await storage.jobs.claim({ workerId: 'w', limit: 50, leaseMs: MINUTE, types: ['conformance.race'] })).toEqual([]);
    });

    it('list: succeeded jobs by state, newest first and paged; with the others when no state is asked; by dedupe key', async () => {
      const { storage, clock } = env;
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        ids.push((await storage.jobs.enqueue({ type: i % 2 === 0 ? 'conformance.job' : 'conformance.other' })).job.id);
        clock.advance(1000);
      }
      // Jobs 0, 2, 4 and 6 succeed (every conformance.job); 1, 3 and 5 stay queued.
      for (let n = 0; n < 4; n++) await storage.jobs.complete((await claimOne(storage)).lease);
      const succeeded = await collectPages((cursor) => storage.jobs.list({ state: 'succeeded' }, { limit: 3, cursor }));
      expect(idsOf(succeeded.items)).toEqual([ids[6], ids[4], ids[2], ids[0]]);
      expect(succeeded.pageSizes).toEqual([3, 1]);
      const all = await collectPages((cursor) => storage.jobs.list({}, { limit: 2, cursor }));
      expect(idsOf(all.items)).toEqual([...ids].reverse());
      expect(all.items.map((j) => j.state)).toEqual(['succeeded', 'queued', 'succeeded', 'queued', 'succeeded', 'queued', 'succeeded']);
      expect(all.items[0]).toEqual(await getJob(storage, ids[6]!));
      expect(idsOf((await storage.jobs.list({ state: 'queued' }, { limit: 10 })).items)).toEqual([ids[5], ids[3], ids[1]]);
      expect(idsOf((await storage.jobs.list({ state: 'succeeded', type: 'conformance.other' }, { limit: 10 })).items)).toEqual([]);

      // A dedupe key's succeeded job and the queued one enqueued after it.
      const first = await storage.jobs.enqueue({ type: 'conformance.keyed', dedupeKey: 'done:key' });
      await storage.jobs.complete((await claimOne(storage, 'conformance.keyed')).lease);
      clock.advance(1000);
      const second = await storage.jobs.enqueue({ type: 'conformance.keyed', dedupeKey: 'done:key' });
      expect(second.created).toBe(true);
      const keyed = await storage.jobs.list({ dedupeKey: 'done:key' }, { limit: 10 });
      expect(keyed.items.map((j) => [j.id, j.state])).toEqual([
        [second.job.id, 'queued'],
        [first.job.id, 'succeeded'],
      ]);
    });

    it('retry of a succeeded job is refused as a conflict, and cancel does nothing', async () => {
      const { storage } = env;
      await storage.jobs.enqueue({ id: 'job_done_retry', type: 'conformance.job' });
      await storage.jobs.complete((await claimOne(storage)).lease);
      const stored = await getJob(storage, 'job_done_retry');
      await expectRejects(storage.jobs.retry('job_done_retry'), 'ConflictError');
      expect(await storage.jobs.cancel('job_done_retry')).toBe(false);
      expect(await getJob(storage, 'job_done_retry')).toEqual(stored);
    });
  });
}
