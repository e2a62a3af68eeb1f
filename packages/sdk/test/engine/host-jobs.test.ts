import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConfigurationError,
  JOB_TYPES,
  RetryLaterError,
  ValidationError,
  defineHostJob,
  enqueueHostJob,
  enqueuePeriodicHostJob,
  hostJobId,
} from '../../src/index.js';
import type { AuditEvent, Job } from '../../src/index.js';
import type { StoragePort, StorageTransaction } from '../../src/storage.js';
import { createHarness } from './harness.js';

const sent: { to: string; text: string; attempt: number }[] = [];
let failures: Error[] = [];

const greet = defineHostJob({
  type: 'test.greet',
  payload: z.object({ to: z.string().min(1), text: z.string() }),
  serialKey: (p) => `greet:${p.to}`,
  retry: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 1000 },
  async run(payload, { job }) {
    const failure = failures.shift();
    if (failure !== undefined) throw failure;
    sent.push({ ...payload, attempt: job.attempts });
  },
});

async function setup() {
  sent.length = 0;
  failures = [];
  const h = await createHarness({ panels: 0 });
  return { h, worker: h.kit.createWorker({ hostJobs: [greet] }) };
}

async function jobOf(h: Awaited<ReturnType<typeof setup>>['h'], id: string): Promise<Job> {
  return (await h.storage.jobs.get(id))!;
}

/** An audit event the hooks below turn into a `test.greet` job for its subject. */
function greeted(subjectId: string) {
  return { actor: { type: 'system' as const }, action: 'test.greeted', subjectType: 'customer', subjectId };
}

/** The hooks' work: `event`'s subject greeted, once per event. */
function greetSubject(tx: StorageTransaction, event: AuditEvent): Promise<unknown> {
  return enqueueHostJob(tx, greet, { to: event.subjectId, text: event.action }, { key: `audit:${event.id}` });
}

/** Events appended in a transaction that then fails leave no job behind. */
async function expectNoJobWhenTheCauseFails(storage: StoragePort): Promise<void> {
  await expect(
    storage.transaction(async (tx) => {
      await tx.audit.appendMany([greeted('cus_a'), greeted('cus_b')]);
      throw new Error('the cause failed');
    }),
  ).rejects.toThrow('the cause failed');
  expect((await storage.jobs.list({ type: 'test.greet' }, { limit: 10 })).items).toEqual([]);
}

describe('host jobs', () => {
  it('an enqueue in a transaction that rolls back leaves no job; one that commits runs once', async () => {
    const { h, worker } = await setup();
    await expect(
      h.storage.transaction(async (tx) => {
        await enqueueHostJob(tx, greet, { to: 'a', text: 'lost' });
        throw new Error('the cause failed');
      }),
    ).rejects.toThrow('the cause failed');
    const { job } = await h.storage.transaction((tx) => enqueueHostJob(tx, greet, { to: 'a', text: 'hi' }));
    expect(job).toMatchObject({ type: 'test.greet', serialKey: 'greet:a', maxAttempts: 4 });
    expect(await worker.drain()).toBe(1);
    expect(sent).toEqual([{ to: 'a', text: 'hi', attempt: 1 }]);
    expect((await jobOf(h, job.id)).state).toBe('succeeded');
  });

  it('a bad payload is a ValidationError and writes nothing', async () => {
    const { h } = await setup();
    await expect(enqueueHostJob(h.storage, greet, { to: '', text: 'x' })).rejects.toSatisfy((e) => ValidationError.is(e));
    expect((await h.storage.jobs.list({ type: 'test.greet' }, { limit: 10 })).items).toEqual([]);
  });

  it('a cause key enqueues at most once, even after the job ran', async () => {
    const { h, worker } = await setup();
    const first = await enqueueHostJob(h.storage, greet, { to: 'a', text: 'once' }, { key: 'event-1' });
    await worker.drain();
    const again = await enqueueHostJob(h.storage, greet, { to: 'a', text: 'once' }, { key: 'event-1' });
    expect(again.created).toBe(false);
    expect(first.job.id).toBe(hostJobId('test.greet', 'event-1'));
    expect(await worker.drain()).toBe(0);
    expect(sent).toHaveLength(1);
  });

  it('retries with backoff, honours RetryLaterError, and is dead after its attempts', async () => {
    const { h, worker } = await setup();
    failures = [new RetryLaterError('429', 70_000), new Error('socket hang up')];
    const { job } = await enqueueHostJob(h.storage, greet, { to: 'a', text: 'x' });
    expect(await worker.drain()).toBe(1);
    const waiting = await jobOf(h, job.id);
    expect(waiting).toMatchObject({ state: 'queued', lastError: { code: 'RETRY_LATER' } });
    expect(waiting.runAt.getTime() - h.clock.now().getTime()).toBe(70_000);
    h.clock.advance(69_000);
    expect(await worker.drain()).toBe(0);
    h.clock.advance(1_000);
    expect(await worker.drain()).toBe(1);
    expect(await jobOf(h, job.id)).toMatchObject({ state: 'queued', lastError: { code: 'INTERNAL', retryable: true } });
    h.clock.advance(1_000);
    await worker.drain();
    expect(sent).toEqual([{ to: 'a', text: 'x', attempt: 3 }]);

    failures = [new Error('1'), new Error('2'), new Error('3'), new Error('4')];
    const doomed = await enqueueHostJob(h.storage, greet, { to: 'b', text: 'never' });
    for (let i = 0; i < 5; i++) {
      await worker.drain();
      h.clock.advance(1_000);
    }
    expect(await jobOf(h, doomed.job.id)).toMatchObject({ state: 'dead', attempts: 3 });
    const dead = await h.storage.jobs.list({ state: 'dead', type: 'test.greet' }, { limit: 10 });
    expect(dead.items.map((j) => j.id)).toEqual([doomed.job.id]);
  });

  it('a non-retryable error gives the job up at once, with onDead', async () => {
    const given: string[] = [];
    const strict = defineHostJob({
      type: 'test.strict',
      payload: z.object({ n: z.number() }),
      async run() {
        throw new ValidationError('no');
      },
      async onDead(payload, error) {
        given.push(`${payload.n}:${error.code}`);
      },
    });
    const h = await createHarness({ panels: 0 });
    const { job } = await enqueueHostJob(h.storage, strict, { n: 7 });
    await h.kit.createWorker({ hostJobs: [strict] }).drain();
    expect((await h.storage.jobs.get(job.id))!.state).toBe('dead');
    expect(given).toEqual(['7:VALIDATION_FAILED']);
  });

  it('a worker without the host type leaves its jobs queued', async () => {
    const { h } = await setup();
    const { job } = await enqueueHostJob(h.storage, greet, { to: 'a', text: 'x' });
    expect(await h.kit.createWorker().drain()).toBe(0);
    expect((await jobOf(h, job.id)).state).toBe('queued');
  });

  it('periodic: of the replicas asking for one slot, one enqueues it; the next slot is another job', async () => {
    const { h, worker } = await setup();
    const at = h.clock.now();
    const schedule = {
      everyMs: 86_400_000,
      offsetMs: 3_600_000,
      now: at,
      payload: (slot: Date) => ({ to: 'owner', text: slot.toISOString() }),
    };
    const results = await Promise.all(Array.from({ length: 5 }, () => enqueuePeriodicHostJob(h.storage, greet, schedule)));
    expect(results.filter((r) => r.enqueued)).toHaveLength(1);
    expect(results[0]!.slot.toISOString()).toBe('2026-02-28T01:00:00.000Z');
    await worker.drain();
    h.clock.advance(86_400_000);
    await enqueuePeriodicHostJob(h.storage, greet, { ...schedule, now: h.clock.now() });
    await worker.drain();
    expect(sent.map((s) => s.text)).toEqual(['2026-02-28T01:00:00.000Z', '2026-03-01T01:00:00.000Z']);
  });

  it('a periodic slot this process saw settled is not asked again; a slot whose transaction failed is', async () => {
    const { h, worker } = await setup();
    let transactions = 0;
    let failNext = false;
    /** A replica's view of the storage: its transactions counted, the next one failing when told to. */
    const replica = () => ({
      transaction: <T>(fn: (tx: StorageTransaction) => Promise<T>) => {
        transactions++;
        if (!failNext) return h.storage.transaction(fn);
        failNext = false;
        return Promise.reject(new Error('the database went away'));
      },
    });
    const [a, b] = [replica(), replica()];
    const schedule = (now: Date) => ({ everyMs: 3_600_000, now, payload: (slot: Date) => ({ to: 'owner', text: slot.toISOString() }) });
    const start = h.clock.now();
    expect((await enqueuePeriodicHostJob(a, greet, schedule(start))).enqueued).toBe(true);
    expect((await enqueuePeriodicHostJob(b, greet, schedule(start))).enqueued).toBe(false);
    expect(transactions).toBe(2);
    // Each replica has seen this slot settled (won, and found won): later calls in it, or for an earlier slot, ask nothing.
    for (const replicaOf of [a, b]) {
      expect((await enqueuePeriodicHostJob(replicaOf, greet, schedule(new Date(start.getTime() + 60_000)))).enqueued).toBe(false);
      expect((await enqueuePeriodicHostJob(replicaOf, greet, schedule(new Date(start.getTime() - 3_600_000)))).enqueued).toBe(false);
    }
    expect(transactions).toBe(2);
    // The next slot: the one that fails settles nothing, so its next call asks again and wins it.
    const next = new Date(start.getTime() + 3_600_000);
    failNext = true;
    await expect(enqueuePeriodicHostJob(b, greet, schedule(next))).rejects.toThrow('the database went away');
    expect((await enqueuePeriodicHostJob(b, greet, schedule(next))).enqueued).toBe(true);
    expect((await enqueuePeriodicHostJob(a, greet, schedule(next))).enqueued).toBe(false);
    expect(transactions).toBe(5);
    await worker.drain();
    expect(sent).toHaveLength(2);
  });

  it('refuses engine types, bad names and repeated types', async () => {
    expect(() => defineHostJob({ type: JOB_TYPES.provision, payload: z.object({}), run: async () => {} })).toThrow(ConfigurationError);
    expect(() => defineHostJob({ type: 'Bad Name', payload: z.object({}), run: async () => {} })).toThrow(ConfigurationError);
    const h = await createHarness({ panels: 0 });
    expect(() => h.kit.createWorker({ hostJobs: [greet, greet] })).toThrow(ConfigurationError);
  });
});

describe('the audit trail as an outbox (withAuditOutbox)', () => {
  it('an event enqueues its host job in the transaction that writes it: rolled back together, once per event', async () => {
    const { createMemoryStorage } = await import('@panelkit/storage-memory');
    const { ManualClock } = await import('../../src/testing/index.js');
    const { withAuditOutbox } = await import('../../src/index.js');
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const storage = withAuditOutbox(createMemoryStorage({ clock }), async (tx, event) => {
      if (event.action === 'test.greeted') await greetSubject(tx, event);
    });
    const event = { actor: { type: 'system' as const }, action: 'test.greeted', subjectType: 'customer', subjectId: 'cus_1', data: {} };
    await expect(
      storage.transaction(async (tx) => {
        await tx.audit.append(event);
        throw new Error('the cause failed');
      }),
    ).rejects.toThrow('the cause failed');
    expect((await storage.jobs.list({ type: 'test.greet' }, { limit: 10 })).items).toEqual([]);
    await storage.transaction((tx) => tx.audit.append(event));
    await storage.audit.append({ ...event, subjectId: 'cus_2' });
    await storage.audit.append({ ...event, action: 'test.ignored' });
    const jobs = await storage.jobs.list({ type: 'test.greet' }, { limit: 10 });
    expect(jobs.items.map((j) => j.payload['to']).sort()).toEqual(['cus_1', 'cus_2']);
    expect(storage.kind).toBe('memory');
  });

  it('events appended many at once (audit.appendMany) each reach the hook, in the transaction and outside one', async () => {
    const { createMemoryStorage } = await import('@panelkit/storage-memory');
    const { ManualClock } = await import('../../src/testing/index.js');
    const { withAuditOutbox } = await import('../../src/index.js');
    const storage = withAuditOutbox(createMemoryStorage({ clock: new ManualClock('2026-03-01T00:00:00.000Z') }), async (tx, event) => {
      await greetSubject(tx, event);
    });
    await expectNoJobWhenTheCauseFails(storage);
    await storage.transaction((tx) => tx.audit.appendMany([greeted('cus_a'), greeted('cus_b')]));
    await storage.audit.appendMany([greeted('cus_c')]);
    const jobs = await storage.jobs.list({ type: 'test.greet' }, { limit: 10 });
    expect(jobs.items.map((j) => j.payload['to']).sort()).toEqual(['cus_a', 'cus_b', 'cus_c']);
  });

  it('with `many`, the events of one appendMany reach it in one call (in their transaction); a single append the hook', async () => {
    const { createMemoryStorage } = await import('@panelkit/storage-memory');
    const { ManualClock } = await import('../../src/testing/index.js');
    const { withAuditOutbox } = await import('../../src/index.js');
    const calls: string[][] = [];
    const storage = withAuditOutbox(
      createMemoryStorage({ clock: new ManualClock('2026-03-01T00:00:00.000Z') }),
      async (tx, event) => {
        calls.push([event.subjectId]);
        await greetSubject(tx, event);
      },
      {
        many: async (tx, events) => {
          calls.push(events.map((e) => e.subjectId));
          for (const event of events) await greetSubject(tx, event);
        },
      },
    );
    await expectNoJobWhenTheCauseFails(storage);
    calls.length = 0;
    await storage.transaction((tx) => tx.audit.appendMany([greeted('cus_a'), greeted('cus_b')]));
    await storage.audit.appendMany([greeted('cus_c'), greeted('cus_d')]);
    await storage.audit.append(greeted('cus_e'));
    expect(calls).toEqual([['cus_a', 'cus_b'], ['cus_c', 'cus_d'], ['cus_e']]);
    const jobs = await storage.jobs.list({ type: 'test.greet' }, { limit: 10 });
    expect(jobs.items.map((j) => j.payload['to']).sort()).toEqual(['cus_a', 'cus_b', 'cus_c', 'cus_d', 'cus_e']);
  });
});
