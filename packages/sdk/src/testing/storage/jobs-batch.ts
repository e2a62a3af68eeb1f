import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { ClaimedJob, Job, NewJob } from '../../domain/job.js';
import type { ClaimRequest, StoragePort } from '../../ports/storage.js';
import { seedJob } from './fixtures.js';
import { MINUTE, expectRejects } from './support.js';
import type { SuiteEnv } from './support.js';

type Queue = Record<string, Job>;

/**
 * Jobs named by label, enqueued due in label order, one second apart from an hour ago (so claim
 * order is the labels' order): `a1`, `a2` get batch key `batch:a`; a label starting with `x` none.
 */
async function seedQueue(env: SuiteEnv, labels: readonly string[], overrides: Record<string, Partial<NewJob>> = {}): Promise<Queue> {
  const start = env.clock.now().getTime() - 60 * MINUTE;
  const queue: Queue = {};
  for (const [i, label] of labels.entries()) {
    const key = label.replace(/\d+$/, '');
    queue[label] = await seedJob(env.storage, {
      batchKey: key === 'x' ? null : `batch:${key}`,
      runAt: new Date(start + i * 1000),
      ...overrides[label],
    });
  }
  return queue;
}

/** The labels of the claimed jobs, sorted. */
function labelsOf(queue: Queue, claimed: readonly ClaimedJob[]): string[] {
  const byId = new Map(Object.entries(queue).map(([label, job]) => [job.id, label]));
  return claimed.map((c) => byId.get(c.job.id) ?? c.job.id).sort();
}

function claim(storage: StoragePort, request: Partial<ClaimRequest> = {}): Promise<ClaimedJob[]> {
  return storage.jobs.claim({ workerId: 'w', limit: 10, leaseMs: MINUTE, ...request });
}

/** Batch keys: a claim takes a key's due jobs together, at most `batchLimit` of them. */
export function jobsBatchSuite(env: SuiteEnv): void {
  describe('jobs: batch keys', () => {
    it('stores the key; an enqueue merged into a queued twin takes the new key', async () => {
      const { storage } = env;
      expect((await seedJob(storage, { batchKey: 'batch:t1' })).batchKey).toBe('batch:t1');
      expect((await seedJob(storage)).batchKey).toBeNull();
      const first = await seedJob(storage, { dedupeKey: 'twin', batchKey: 'batch:t1' });
      const merged = await storage.jobs.enqueue({ type: 'conformance.job', dedupeKey: 'twin', batchKey: 'batch:t2' });
      expect(merged).toMatchObject({ created: false, job: { id: first.id, batchKey: 'batch:t2' } });
      expect(await storage.jobs.get(first.id)).toMatchObject({ batchKey: 'batch:t2' });
    });

    it('rejects an empty or overlong key, and a batchLimit that is not an integer of 1…1000, with a ValidationError', async () => {
      const { storage } = env;
      await expectRejects(storage.jobs.enqueue({ type: 'ok.type', batchKey: '' }), 'ValidationError');
      await expectRejects(storage.jobs.enqueue({ type: 'ok.type', batchKey: 'k'.repeat(301) }), 'ValidationError');
      expect((await storage.jobs.list({}, { limit: 10 })).items).toEqual([]);
      const job = await seedJob(storage, { batchKey: 'batch:a' });
      for (const batchLimit of [0, 1001, 1.5, '2']) {
        await expectRejects(claim(storage, { batchLimit: batchLimit as number }), 'ValidationError');
      }
      expect(await storage.jobs.get(job.id)).toMatchObject({ state: 'queued', attempts: 0 });
    });

    it('a claim that takes a job with a batch key takes the key’s later due jobs with it', async () => {
      const queue = await seedQueue(env, ['a1', 'x1', 'x2', 'x3', 'a2', 'a3']);
      expect(labelsOf(queue, await claim(env.storage, { limit: 3 }))).toEqual(['a1', 'a2', 'a3']);
      expect(labelsOf(queue, await claim(env.storage, { limit: 3 }))).toEqual(['x1', 'x2', 'x3']);
    });

    it('batches go in the order of their first job, and the claim stops at its limit, cutting the last batch short', async () => {
      const queue = await seedQueue(env, ['x1', 'a1', 'b1', 'x2', 'a2', 'b2', 'a3', 'b3']);
      expect(labelsOf(queue, await claim(env.storage, { limit: 5 }))).toEqual(['a1', 'a2', 'a3', 'b1', 'x1']);
      expect(labelsOf(queue, await claim(env.storage))).toEqual(['b2', 'b3', 'x2']);
    });

    it('a claim takes at most batchLimit jobs of a key, its first ones; the rest of the limit goes on down the queue', async () => {
      const queue = await seedQueue(env, ['a1', 'a2', 'x1', 'a3', 'b1', 'a4', 'b2', 'b3']);
      expect(labelsOf(queue, await claim(env.storage, { batchLimit: 2 }))).toEqual(['a1', 'a2', 'b1', 'b2', 'x1']);
      expect(labelsOf(queue, await claim(env.storage, { batchLimit: 2 }))).toEqual(['a3', 'a4', 'b3']);
    });

    it('a key with many due jobs takes at most batchLimit of a claim: the jobs due behind it get the rest', async () => {
      const queue = await seedQueue(env, ['h1', 'y1', 'h2', 'z1', 'h3', 'h4', 'h5', 'h6']);
      expect(labelsOf(queue, await claim(env.storage, { limit: 4, batchLimit: 2 }))).toEqual(['h1', 'h2', 'y1', 'z1']);
      expect(labelsOf(queue, await claim(env.storage, { limit: 4, batchLimit: 2 }))).toEqual(['h3', 'h4']);
    });

    it('without a batchLimit a key may fill the claim, from its first job on', async () => {
      const queue = await seedQueue(env, ['h1', 'y1', 'h2', 'z1', 'h3', 'h4', 'h5', 'h6']);
      expect(labelsOf(queue, await claim(env.storage, { limit: 4 }))).toEqual(['h1', 'h2', 'h3', 'h4']);
      expect(labelsOf(queue, await claim(env.storage, { limit: 4 }))).toEqual(['h5', 'h6', 'y1', 'z1']);
    });

    it('a batch brings only jobs the claim could take on their own: due, of a requested type, their keys free', async () => {
      const { storage, clock } = env;
      await seedJob(storage, { dedupeKey: 'running-twin', runAt: new Date(clock.now().getTime() - 2 * 60 * MINUTE) });
      await seedJob(storage, { serialKey: 'held', runAt: new Date(clock.now().getTime() - 2 * 60 * MINUTE) });
      expect(await claim(storage, { limit: 2 })).toHaveLength(2);
      const queue = await seedQueue(env, ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'], {
        a2: { runAt: new Date(clock.now().getTime() + MINUTE) },
        a3: { type: 'conformance.other' },
        a4: { dedupeKey: 'running-twin' },
        a5: { serialKey: 'held' },
      });
      expect(labelsOf(queue, await claim(storage, { limit: 2, types: ['conformance.job'] }))).toEqual(['a1', 'a6']);
      for (const label of ['a2', 'a3', 'a4', 'a5']) {
        expect(await storage.jobs.get(queue[label]!.id)).toMatchObject({ state: 'queued', attempts: 0 });
      }
    });

    it('claimers racing over several connections never claim a job twice, nor more than batchLimit of a key at once', async () => {
      const { storage } = env;
      const storages = await env.replicas(4);
      const total = 120;
      for (let i = 0; i < total; i++) await seedJob(storage, { batchKey: i % 9 === 8 ? null : `batch:${i % 4}` });
      const claimedBy = new Map<string, string>();
      const problems: string[] = [];
      const claimer = async (replica: StoragePort, name: string) => {
        for (let round = 0; claimedBy.size < total; round++) {
          if (round > 5000) throw new Error(`${name} gave up with ${claimedBy.size} of ${total} jobs claimed`);
          const batch = await replica.jobs.claim({ workerId: name, limit: 6, batchLimit: 4, leaseMs: MINUTE });
          const perKey = new Map<string, number>();
          for (const { job } of batch) {
            const other = claimedBy.get(job.id);
            if (other !== undefined) problems.push(`${job.id} claimed by ${other} and ${name}`);
            claimedBy.set(job.id, name);
            if (job.batchKey !== null) perKey.set(job.batchKey, (perKey.get(job.batchKey) ?? 0) + 1);
          }
          if (batch.length > 6) problems.push(`${name} claimed ${batch.length} jobs`);
          for (const [key, n] of perKey) if (n > 4) problems.push(`${name} claimed ${n} jobs of ${key}`);
          await sleep(batch.length === 0 ? 1 : 2);
          for (const { lease } of batch) expect(await replica.jobs.complete(lease)).toBe(true);
        }
      };
      await Promise.all(storages.flatMap((replica, r) => [0, 1].map((c) => claimer(replica, `r${r}-c${c}`))));
      expect(problems).toEqual([]);
      expect(claimedBy.size).toBe(total);
      expect((await storage.jobs.list({ state: 'succeeded' }, { limit: 500 })).items).toHaveLength(total);
    });
  });
}
