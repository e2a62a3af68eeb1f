import { describe, expect, it } from 'vitest';
import { MINUTE, settle } from './support.js';
import type { SuiteEnv } from './support.js';
import { TEST_ERROR, claimOne, getJob } from './jobs.js';

/** `jobs.enqueue` with an id: a cause that names its job's id enqueues it at most once (host jobs' idempotency keys). */
export function jobsOnceSuite(env: SuiteEnv): void {
  describe('jobs: enqueue by id at most once', () => {
    it('a second enqueue of an id returns the stored job unchanged, whatever its state', async () => {
      const { storage } = env;
      const first = await storage.jobs.enqueue({ id: 'job_once_1', type: 'conformance.job', payload: { n: 1 } });
      expect(first.created).toBe(true);
      const again = await storage.jobs.enqueue({ id: 'job_once_1', type: 'conformance.job', payload: { n: 2 } });
      expect(again).toEqual({ job: first.job, created: false });
      const { lease } = await claimOne(storage);
      expect(await storage.jobs.complete(lease)).toBe(true);
      const afterRun = await storage.jobs.enqueue({ id: 'job_once_1', type: 'conformance.job', payload: { n: 3 } });
      expect(afterRun.created).toBe(false);
      expect(afterRun.job).toMatchObject({ state: 'succeeded', payload: { n: 1 } });
      expect(await storage.jobs.claim({ workerId: 'w', limit: 10, leaseMs: MINUTE, types: ['conformance.job'] })).toEqual([]);
    });

    it('a dead job is not enqueued again by its id', async () => {
      const { storage } = env;
      await storage.jobs.enqueue({ id: 'job_once_dead', type: 'conformance.job' });
      const { lease } = await claimOne(storage);
      expect(await storage.jobs.fail(lease, TEST_ERROR, 'dead')).toBe(true);
      const again = await storage.jobs.enqueue({ id: 'job_once_dead', type: 'conformance.job' });
      expect(again.created).toBe(false);
      expect(again.job.state).toBe('dead');
    });

    it('inside a transaction: the repeat changes nothing and the transaction goes on', async () => {
      const { storage } = env;
      await storage.jobs.enqueue({ id: 'job_once_tx', type: 'conformance.job' });
      const result = await storage.transaction(async (tx) => {
        const repeat = await tx.jobs.enqueue({ id: 'job_once_tx', type: 'conformance.job' });
        const other = await tx.jobs.enqueue({ id: 'job_once_tx_2', type: 'conformance.job' });
        return { repeat: repeat.created, other: other.created };
      });
      expect(result).toEqual({ repeat: false, other: true });
      expect((await getJob(storage, 'job_once_tx_2')).state).toBe('queued');
    });

    it('20 concurrent enqueues of one id, each in its own transaction (replicas where the storage has them), make one job', async () => {
      const { storage } = env;
      const replicas = await env.replicas(4);
      const { values, errors } = await settle(
        Array.from({ length: 20 }, (_, i) =>
          replicas[i % replicas.length]!.transaction((tx) =>
            tx.jobs.enqueue({ id: 'job_once_race', type: 'conformance.job', payload: { i } }),
          ),
        ),
      );
      expect(errors).toEqual([]);
      expect(values.filter((v) => v.created)).toHaveLength(1);
      const claimed = await storage.jobs.claim({ workerId: 'w', limit: 50, leaseMs: MINUTE, types: ['conformance.job'] });
      expect(claimed.map((c) => c.job.id)).toEqual(['job_once_race']);
    });

    it('an id and a queued twin of its dedupe key: merged into the twin as before', async () => {
      const { storage } = env;
      const twin = await storage.jobs.enqueue({ type: 'conformance.job', dedupeKey: 'conformance.job:once', payload: { n: 1 } });
      const second = await storage.jobs.enqueue({
        id: 'job_once_twin',
        type: 'conformance.job',
        dedupeKey: 'conformance.job:once',
        payload: { n: 2 },
      });
      expect(second.created).toBe(false);
      expect(second.job).toMatchObject({ id: twin.job.id, payload: { n: 2 } });
      expect(await storage.jobs.get('job_once_twin')).toBeNull();
    });
  });
}
