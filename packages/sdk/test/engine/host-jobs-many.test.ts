import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError, defineHostJob, enqueueHostJob } from '../../src/index.js';
import { enqueueHostJobs } from '../../src/host-jobs.js';
import { createHarness } from './harness.js';

/** What each call of the job below was handed: `many` for a `runMany` call, `one` for `run`. */
type Call = { how: 'many' | 'one'; items: { n: number; jobId: string; attempt: number }[] };

function tally() {
  const calls: Call[] = [];
  let failNext: Error | undefined;
  /** Payload numbers `runMany` answers as failed (with a non-retryable error for a negative one). */
  const failing = new Set<number>();
  const job = defineHostJob({
    type: 'test.tally',
    payload: z.object({ n: z.number().int(), serial: z.string().optional() }),
    serialKey: (p) => p.serial ?? null,
    retry: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 1000 },
    async run(payload, { job: j }) {
      calls.push({ how: 'one', items: [{ n: payload.n, jobId: j.id, attempt: j.attempts }] });
    },
    async runMany(items) {
      const failure = failNext;
      failNext = undefined;
      if (failure !== undefined) throw failure;
      calls.push({
        how: 'many',
        items: items.map(({ payload, context }) => ({ n: payload.n, jobId: context.job.id, attempt: context.job.attempts })),
      });
      const failed = items.filter(({ payload }) => failing.has(payload.n));
      return new Map(
        failed.map(({ payload, context }) => [
          context.job.id,
          payload.n < 0 ? new ValidationError('refused') : new Error(`failed ${payload.n}`),
        ]),
      );
    },
  });
  return { calls, job, failing, fail: (error: Error) => void (failNext = error) };
}

async function setup(policy: { maxBatchSize?: number } = {}) {
  const t = tally();
  const h = await createHarness({ panels: 0, policy });
  return { ...t, h, worker: h.kit.createWorker({ hostJobs: [t.job] }) };
}

const items = (ns: number[]) => ns.map((n) => ({ payload: { n } }));

describe('host jobs run together (runMany)', () => {
  it('the jobs of one claim go to one runMany call, each with its own job; each succeeds', async () => {
    const { h, worker, job, calls } = await setup();
    const enqueued = await enqueueHostJobs(h.storage, job, items([1, 2, 3]));
    expect(await worker.drain()).toBe(3);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.how).toBe('many');
    expect(calls[0]!.items.map((i) => i.n).sort()).toEqual([1, 2, 3]);
    expect(new Set(calls[0]!.items.map((i) => i.jobId))).toEqual(new Set(enqueued.map((r) => r.job.id)));
    for (const { job: j } of enqueued) expect((await h.storage.jobs.get(j.id))!.state).toBe('succeeded');
  });

  it('a job claimed alone, and one with a serial key, goes to run', async () => {
    const { h, worker, job, calls } = await setup();
    await enqueueHostJob(h.storage, job, { n: 1 });
    expect(await worker.drain()).toBe(1);
    await enqueueHostJobs(h.storage, job, [{ payload: { n: 2, serial: 'k' } }, { payload: { n: 3, serial: 'k' } }, { payload: { n: 4 } }]);
    expect(await worker.drain()).toBe(3);
    expect(calls.map((c) => `${c.how}:${c.items.map((i) => i.n).join(',')}`).sort()).toEqual(['one:1', 'one:2', 'one:3', 'one:4']);
  });

  it('at most maxBatchSize jobs a call', async () => {
    const { h, worker, job, calls } = await setup({ maxBatchSize: 2 });
    await enqueueHostJobs(h.storage, job, items([1, 2, 3, 4, 5]));
    expect(await worker.drain()).toBe(5);
    expect(calls.map((c) => c.items.length).sort()).toEqual([1, 2, 2]);
    expect(calls.flatMap((c) => c.items.map((i) => i.n)).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('a throw fails every job of the call: each is retried, and runs once it succeeds', async () => {
    const { h, worker, job, calls, fail } = await setup();
    const enqueued = await enqueueHostJobs(h.storage, job, items([1, 2]));
    fail(new Error('the database went away'));
    expect(await worker.drain()).toBe(2);
    expect(calls).toEqual([]);
    for (const { job: j } of enqueued)
      expect(await h.storage.jobs.get(j.id)).toMatchObject({
        state: 'queued',
        attempts: 1,
        lastError: { code: 'INTERNAL', retryable: true },
      });
    h.clock.advance(1_000);
    expect(await worker.drain()).toBe(2);
    expect(calls.flatMap((c) => c.items.map((i) => `${i.n}@${i.attempt}`)).sort()).toEqual(['1@2', '2@2']);
    for (const { job: j } of enqueued) expect((await h.storage.jobs.get(j.id))!.state).toBe('succeeded');
  });

  it('the jobs it answers as failed fail alone, each as from run: retried, or given up; the others succeed', async () => {
    const { h, worker, job, calls, failing } = await setup();
    const [ok, retried, refused] = await enqueueHostJobs(h.storage, job, items([1, 2, -3]));
    failing.add(2).add(-3);
    expect(await worker.drain()).toBe(3);
    expect(calls).toHaveLength(1);
    expect((await h.storage.jobs.get(ok!.job.id))!.state).toBe('succeeded');
    expect(await h.storage.jobs.get(retried!.job.id)).toMatchObject({
      state: 'queued',
      attempts: 1,
      lastError: { code: 'INTERNAL', retryable: true },
    });
    expect(await h.storage.jobs.get(refused!.job.id)).toMatchObject({ state: 'dead', lastError: { code: 'VALIDATION_FAILED' } });
    failing.clear();
    h.clock.advance(1_000);
    expect(await worker.drain()).toBe(1);
    expect(calls.at(-1)).toMatchObject({ how: 'one', items: [{ n: 2, attempt: 2 }] });
    expect((await h.storage.jobs.get(retried!.job.id))!.state).toBe('succeeded');
  });

  it('a job whose payload no longer parses fails alone; the others run', async () => {
    const { h, worker, job, calls } = await setup();
    const good = await enqueueHostJobs(h.storage, job, items([1, 2]));
    // Written as an older version of the host would have: a payload this definition refuses.
    const bad = await h.storage.jobs.enqueue({ type: 'test.tally', payload: { n: 'one' }, maxAttempts: 4 });
    expect(await worker.drain()).toBe(3);
    expect(calls.flatMap((c) => c.items.map((i) => i.n)).sort()).toEqual([1, 2]);
    for (const { job: j } of good) expect((await h.storage.jobs.get(j.id))!.state).toBe('succeeded');
    expect(await h.storage.jobs.get(bad.job.id)).toMatchObject({ state: 'dead', lastError: { code: 'VALIDATION_FAILED' } });
  });
});
