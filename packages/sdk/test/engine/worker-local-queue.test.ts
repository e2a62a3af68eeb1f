import { describe, expect, it } from 'vitest';
import { JsonObjectSchema } from '../../src/schemas.js';
import { defineHostJob, enqueueHostJob } from '../../src/index.js';
import type { Job } from '../../src/index.js';
import { createHarness } from './harness.js';

/** A host job that waits for `gate` and counts how many of its kind run at once. */
function gatedJob() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const state = { running: 0, most: 0, started: 0, release };
  const job = defineHostJob({
    type: 'test.gated',
    payload: JsonObjectSchema,
    async run() {
      state.started++;
      state.running++;
      state.most = Math.max(state.most, state.running);
      await gate;
      state.running--;
    },
  });
  return { job, state };
}

async function turns(until: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await until()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('not reached within 500 turns');
}

describe('worker: local queue', () => {
  it('runs at most `concurrency` of a claim at once and starts the rest as slots free, in claim order', async () => {
    const h = await createHarness({ panels: 0 });
    const { job, state } = gatedJob();
    for (let i = 0; i < 7; i++) await enqueueHostJob(h.storage, job, { n: i });
    const worker = h.kit.createWorker({ hostJobs: [job], engineJobs: false, claimLimit: 10, concurrency: 3 });
    let claims = 0;
    const claim = h.storage.jobs.claim.bind(h.storage.jobs);
    h.storage.jobs.claim = (request) => (claims++, claim(request));
    const run = worker.runOnce();
    await turns(async () => state.started === 3);
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(state.started).toBe(3);
    state.release();
    expect(await run).toBe(7);
    expect(state.most).toBe(3);
    // One claim fetched all seven; the local queue handed them out.
    expect(claims).toBe(1);
    expect((await h.storage.jobs.list({ state: 'succeeded' }, { limit: 10 })).items).toHaveLength(7);
  });

  it('stop gives the jobs still waiting in the local queue back at once, their attempt not counted, while the running ones finish', async () => {
    const h = await createHarness({ panels: 0 });
    const { job, state } = gatedJob();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await enqueueHostJob(h.storage, job, { n: i })).job.id);
    const worker = h.kit.createWorker({ hostJobs: [job], engineJobs: false, claimLimit: 10, concurrency: 2 });
    const run = worker.runOnce();
    await turns(async () => state.started === 2);
    const stopping = worker.stop({ timeoutMs: 60_000 });
    const jobs = async (): Promise<Job[]> => Promise.all(ids.map(async (id) => (await h.storage.jobs.get(id))!));
    // Handed back while the two running jobs still hold their slots (no lease has run out: the clock has not moved).
    await turns(async () => (await jobs()).filter((j) => j.state === 'queued').length === 4);
    const waiting = (await jobs()).filter((j) => j.state === 'queued');
    expect(waiting.every((j) => j.attempts === 0 && j.leaseToken === null)).toBe(true);
    expect((await jobs()).filter((j) => j.state === 'running')).toHaveLength(2);
    expect(state.started).toBe(2);
    state.release();
    await stopping;
    await run;
    expect((await jobs()).map((j) => j.state).sort()).toEqual(['queued', 'queued', 'queued', 'queued', 'succeeded', 'succeeded']);
    // Another worker runs them at once, each on its first attempt.
    const next = h.kit.createWorker({ hostJobs: [job], engineJobs: false });
    expect(await next.drain()).toBe(4);
    expect((await jobs()).every((j) => j.state === 'succeeded' && j.attempts === 1)).toBe(true);
  });

  it("start() claims again while the finished jobs' completions are being written, up to claimLimit of those besides the jobs in hand", async () => {
    const h = await createHarness({ panels: 0 });
    let ran = 0;
    const job = defineHostJob({
      type: 'test.counted',
      payload: JsonObjectSchema,
      async run() {
        ran++;
      },
    });
    for (let i = 0; i < 12; i++) await enqueueHostJob(h.storage, job, { n: i });
    // Completions are held until the gate opens: the jobs that ran are not settled meanwhile.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const completeMany = h.storage.jobs.completeMany.bind(h.storage.jobs);
    h.storage.jobs.completeMany = async (leases) => {
      await gate;
      return completeMany(leases);
    };
    const worker = h.kit.createWorker({ hostJobs: [job], engineJobs: false, claimLimit: 4, pollIntervalMs: 60_000 });
    worker.start();
    await turns(async () => ran === 8);
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    // Four ran and wait for their completion; four more were claimed meanwhile and ran; no more until those are written.
    expect(ran).toBe(8);
    expect((await h.storage.jobs.list({ state: 'running' }, { limit: 20 })).items).toHaveLength(8);
    open();
    await turns(async () => (await h.storage.jobs.list({ state: 'succeeded' }, { limit: 20 })).items.length === 12);
    await worker.stop();
    expect(ran).toBe(12);
  });
});
