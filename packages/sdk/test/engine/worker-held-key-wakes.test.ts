import { describe, expect, it } from 'vitest';
import { JsonObjectSchema } from '../../src/schemas.js';
import { defineHostJob, enqueueHostJob } from '../../src/index.js';
import { createJobQueueSignal } from '../../src/storage.js';
import type { StoragePort } from '../../src/storage.js';
import { createHarness } from './harness.js';

/** A host job whose every run carries serialisation key `panel:1` and waits for `release()`. */
function gatedJob() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const state = { started: 0, release };
  const job = defineHostJob({
    type: 'test.keyed',
    payload: JsonObjectSchema,
    serialKey: () => 'panel:1',
    async run() {
      state.started++;
      await gate;
    },
  });
  return { job, state };
}

async function turns(until: () => boolean, count = 500): Promise<void> {
  for (let i = 0; i < count; i++) {
    if (until()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`not reached within ${count} turns`);
}

/** A few turns of the loop in which nothing is expected to happen. */
async function idleTurns(): Promise<void> {
  for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('worker: a signal for jobs of a key it holds (`heldSerialKey`)', () => {
  it('claims nothing while it holds the key, and takes the jobs when its own job of the key settles', async () => {
    const source = createJobQueueSignal({ listening: true });
    // The engine's storage signals only through `source`: the test says what each signal carries.
    const wrap = (storage: StoragePort) =>
      new Proxy(storage, { get: (target, key) => (key === 'jobsQueued' ? source.signal : Reflect.get(target, key)) });
    const h = await createHarness({ panels: 0, wrapStorage: wrap });
    const { job, state } = gatedJob();
    await enqueueHostJob(h.storage, job, { n: 1 });
    const worker = h.kit.createWorker({ hostJobs: [job], engineJobs: false, pollIntervalMs: 3_600_000 });
    let claims = 0;
    const claim = h.storage.jobs.claim.bind(h.storage.jobs);
    h.storage.jobs.claim = (request) => (claims++, claim(request));
    worker.start();
    await turns(() => state.started === 1);
    await idleTurns();
    const before = claims;

    await enqueueHostJob(h.storage, job, { n: 2 });
    source.emit(worker.id, { heldSerialKey: 'panel:1' });
    await idleTurns();
    expect(claims).toBe(before);
    // A signal of a key it does not hold is claimed on (the job of `panel:1` still waits for its key).
    source.emit(worker.id, { heldSerialKey: 'panel:2' });
    await turns(() => claims === before + 1);
    await idleTurns();
    expect(state.started).toBe(1);

    // The first job settles: the worker claims again of itself and runs the second, with no signal.
    state.release();
    await turns(() => state.started === 2, 5_000);
    await worker.stop();
    expect((await h.storage.jobs.list({ state: 'succeeded' }, { limit: 10 })).items).toHaveLength(2);
  });
});
