/**
 * A host job completed in the transaction of its last write (`HostJobContext.completeWith`, `completeHostJobsWith`):
 * the write and the job's success commit together or not at all, under the job's lease, and the worker writes nothing
 * more for it (on PostgreSQL the completion rides in that write's round trip).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigurationError, defineHostJob, enqueueHostJob, type HostJobContext } from '../../src/index.js';
import { completeHostJobsWith, enqueueHostJobs } from '../../src/host-jobs.js';
import type { StoragePort, StorageTransaction } from '../../src/ports/storage.js';
import { createHarness } from './harness.js';

/** `storage` whose `jobs.complete` and `jobs.completeMany` outside a transaction (the worker's completions) are counted. */
function countingCompletions(storage: StoragePort): { storage: StoragePort; completions: () => number } {
  let completions = 0;
  const jobs = new Proxy(storage.jobs, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (typeof value !== 'function') return value;
      if (key === 'complete' || key === 'completeMany')
        return (...args: unknown[]) => {
          completions++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
  const wrapped = new Proxy(storage, {
    get(target, key) {
      if (key === 'jobs') return jobs;
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { storage: wrapped, completions: () => completions };
}

const follow = defineHostJob({ type: 'test.follow', payload: z.object({ n: z.number() }), run: async () => {} });

/** What the job under test does in its run, by payload number, given the write that completes it. */
type Script = (n: number, context: HostJobContext) => Promise<void>;

async function setup(script: Script, many?: (contexts: readonly HostJobContext[], ns: number[]) => Promise<ReadonlyMap<string, unknown>>) {
  let counted!: ReturnType<typeof countingCompletions>;
  const h = await createHarness({ panels: 0, wrapStorage: (storage) => (counted = countingCompletions(storage)).storage });
  const job = defineHostJob({
    type: 'test.marked',
    payload: z.object({ n: z.number() }),
    retry: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 1000 },
    run: (payload, context) => script(payload.n, context),
    ...(many === undefined
      ? {}
      : {
          runMany: (items: readonly { payload: { n: number }; context: HostJobContext }[]) =>
            many(
              items.map((i) => i.context),
              items.map((i) => i.payload.n),
            ),
        }),
  });
  const worker = h.kit.createWorker({ hostJobs: [job, follow] });
  const succeeded: string[] = [];
  const lost: string[] = [];
  h.kit.events.on('job:succeeded', (e) => void (e.job.type === 'test.marked' && succeeded.push(e.job.id)));
  h.kit.events.on('job:lease_lost', (e) => void lost.push(e.jobId));
  /** The follow job a run's write queued for `n`, if it committed. */
  const followed = async (n: number) =>
    (await h.storage.jobs.list({ type: 'test.follow' }, { limit: 100 })).items.filter((j) => j.payload['n'] === n).length;
  const write = (tx: StorageTransaction, n: number) => enqueueHostJob(tx, follow, { n }, { key: `follow:${n}` });
  return { h, job, worker, succeeded, lost, followed, write, completions: () => counted.completions() };
}

describe('a host job completed in the transaction of its last write', () => {
  it('its write and its success commit together, and the worker completes it no more', async () => {
    let inside: string | undefined;
    const t = await setup(async (n, context) => {
      await context.completeWith!(async (tx) => {
        await t.write(tx, n);
        inside = (await tx.jobs.get(context.job.id))?.state;
      });
    });
    const { job } = await enqueueHostJob(t.h.storage, t.job, { n: 1 });
    expect(await t.worker.runOnce()).toBe(1);
    // Completed last, after the write.
    expect(inside).toBe('running');
    expect((await t.h.storage.jobs.get(job.id))?.state).toBe('succeeded');
    expect(await t.followed(1)).toBe(1);
    expect(t.completions()).toBe(0);
    expect(t.succeeded).toEqual([job.id]);
  });

  it('a write that throws rolls both back: the job is retried, its write not there', async () => {
    let fail = true;
    const t = await setup(async (n, context) => {
      await context.completeWith!(async (tx) => {
        await t.write(tx, n);
        if (fail) throw new Error('the write failed');
      });
    });
    const { job } = await enqueueHostJob(t.h.storage, t.job, { n: 2 });
    await t.worker.runOnce();
    expect(await t.h.storage.jobs.get(job.id)).toMatchObject({ state: 'queued', attempts: 1, lastError: { code: 'INTERNAL' } });
    expect(await t.followed(2)).toBe(0);
    fail = false;
    t.h.clock.advance(1_000);
    await t.worker.runOnce();
    expect((await t.h.storage.jobs.get(job.id))?.state).toBe('succeeded');
    expect(await t.followed(2)).toBe(1);
  });

  it('a lease lost before it completes nothing: its write commits, the job stays with its new holder, the loss is reported', async () => {
    const t = await setup(async (n, context) => {
      // The lease runs out and another worker claims the job while this run is under way.
      t.h.clock.advance(10 * 60_000);
      expect(await t.h.storage.jobs.reapExpired()).toBe(1);
      const [other] = await t.h.storage.jobs.claim({ workerId: 'other', limit: 1, leaseMs: 60_000, types: ['test.marked'] });
      expect(other?.job.id).toBe(context.job.id);
      await context.completeWith!((tx) => t.write(tx, n));
    });
    const { job } = await enqueueHostJob(t.h.storage, t.job, { n: 3 });
    await t.worker.runOnce();
    expect(await t.h.storage.jobs.get(job.id)).toMatchObject({ state: 'running', lockedBy: 'other' });
    expect(await t.followed(3)).toBe(1);
    expect(t.succeeded).toEqual([]);
    expect(t.lost).toEqual([job.id]);
    expect(t.completions()).toBe(0);
  });

  it('a run that throws after it committed is done, not retried; a second completeWith is refused', async () => {
    let second: unknown;
    let runs = 0;
    const t = await setup(async (n, context) => {
      runs++;
      await context.completeWith!((tx) => t.write(tx, n));
      second = await context.completeWith!((tx) => t.write(tx, n + 100)).catch((error: unknown) => error);
      throw new Error('after the commit');
    });
    const { job } = await enqueueHostJob(t.h.storage, t.job, { n: 4 });
    await t.worker.runOnce();
    expect(second).toBeInstanceOf(ConfigurationError);
    expect(await t.h.storage.jobs.get(job.id)).toMatchObject({ state: 'succeeded', attempts: 1 });
    expect([await t.followed(4), await t.followed(104)]).toEqual([1, 0]);
    expect(t.succeeded).toEqual([job.id]);
    t.h.clock.advance(60_000);
    await t.worker.drain();
    expect(runs).toBe(1);
  });

  it('completeHostJobsWith completes the jobs of a runMany call in one transaction with their write', async () => {
    const t = await setup(
      async () => {
        throw new Error('runMany only');
      },
      async (contexts, ns) => {
        await completeHostJobsWith(contexts, async (tx) => {
          for (const n of ns) await t.write(tx, n);
        });
        // Answered failed after the commit: done all the same.
        return new Map([[contexts[0]!.job.id, new Error('after the commit')]]);
      },
    );
    const enqueued = await enqueueHostJobs(t.h.storage, t.job, [{ payload: { n: 5 } }, { payload: { n: 6 } }, { payload: { n: 7 } }]);
    expect(await t.worker.runOnce()).toBe(3);
    for (const { job } of enqueued) expect((await t.h.storage.jobs.get(job.id))?.state).toBe('succeeded');
    expect([await t.followed(5), await t.followed(6), await t.followed(7)]).toEqual([1, 1, 1]);
    expect(t.completions()).toBe(0);
    expect(t.succeeded.sort()).toEqual(enqueued.map((r) => r.job.id).sort());
  });

  it('completeHostJobsWith refuses a context no worker gave, and none', async () => {
    const h = await createHarness({ panels: 0 });
    const made = { job: { id: 'hjob_x' } } as HostJobContext;
    await expect(completeHostJobsWith([made], async () => {})).rejects.toThrow(ConfigurationError);
    await expect(completeHostJobsWith([], async () => {})).rejects.toThrow(ConfigurationError);
    expect((await h.storage.jobs.list({}, { limit: 10 })).items).toEqual([]);
  });
});
