import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledEntry } from '../../../scripts/test-support/bundled-entry.js';
import { createPostgresStorage, fromPgPool } from '../src/index.js';
import pg from 'pg';
import { DATABASE_URL, SKIP_REAL_SERVER, newPool, uniqueSchema } from './helpers.js';
import { takeMigratedSchema } from './support/schema-pool.js';

const pools: ReturnType<typeof newPool>[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
});

type Message = { type: 'ready'; claims: number } | { type: 'ran'; jobId: string; claims: number } | { type: 'claims'; claims: number };

/** A `support/woken-worker.ts` process on `schema`, and the messages it sent. */
interface WorkerProcess {
  /** The first message of `type` not yet taken by `next` (in order), when it comes. */
  next<T extends Message['type']>(type: T): Promise<Extract<Message, { type: T }>>;
  /** How many claims it has made so far. */
  claims(): Promise<number>;
  /** Calls `listener` with the id of each job it runs from now on. */
  onRan(listener: (jobId: string) => void): void;
  stop(): Promise<void>;
}

async function startWorkerProcess(schema: string): Promise<WorkerProcess> {
  const entry = await bundledEntry(resolve(import.meta.dirname, 'support/woken-worker.ts'));
  const child = fork(entry, [], {
    env: { ...process.env, DATABASE_URL: DATABASE_URL!, SCHEMA: schema },
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const unread: Message[] = [];
  const ranListeners: ((jobId: string) => void)[] = [];
  const waiting: { type: Message['type']; done: (m: Message) => void; fail: (e: Error) => void }[] = [];
  child.on('message', (m: Message) => {
    if (m.type === 'ran') for (const listener of ranListeners) listener(m.jobId);
    const waiter = waiting.find((w) => w.type === m.type);
    if (waiter === undefined) unread.push(m);
    else {
      waiting.splice(waiting.indexOf(waiter), 1);
      waiter.done(m);
    }
  });
  child.once('exit', (code) => {
    for (const w of waiting.splice(0)) w.fail(new Error(`the worker process exited with ${code}`));
  });
  const next = <T extends Message['type']>(type: T) =>
    new Promise<Extract<Message, { type: T }>>((done, fail) => {
      const seen = unread.find((m) => m.type === type);
      if (seen !== undefined) {
        unread.splice(unread.indexOf(seen), 1);
        return done(seen as Extract<Message, { type: T }>);
      }
      if (child.exitCode !== null) return fail(new Error(`the worker process exited with ${child.exitCode}`));
      waiting.push({ type, done: done as (m: Message) => void, fail });
    });
  return {
    next,
    async claims() {
      const answer = next('claims');
      child.send({ type: 'count' });
      return (await answer).claims;
    },
    onRan: (listener) => void ranListeners.push(listener),
    async stop() {
      if (child.exitCode !== null) return;
      child.send({ type: 'stop' });
      await new Promise((done) => child.once('exit', done));
    },
  };
}

describe.skipIf(SKIP_REAL_SERVER)('jobsQueued across OS processes (real PostgreSQL)', () => {
  // B polls every ten minutes with at least 0.5× jitter, so at least 300 s between polls: within this test's time
  // (the suite's 120 s) only the signal can have woken it.
  it('a job queued by process A is claimed by process B’s sleeping worker on the signal, not its poll', async () => {
    const pool = newPool(2);
    pools.push(pool);
    const client = fromPgPool(pool);
    const { schema, giveBack } = await takeMigratedSchema(client);
    const storage = createPostgresStorage({ client, schema });
    const worker = await startWorkerProcess(schema);
    try {
      const ready = await worker.next('ready');
      const { job } = await storage.jobs.enqueue({ type: 'test.woken', payload: {} });
      const ran = await worker.next('ran');
      expect(ran).toMatchObject({ jobId: job.id });
      // Taken by the first claim since B went to sleep: the one the signal woke it for.
      expect(ran.claims).toBe(ready.claims + 1);
    } finally {
      await worker.stop();
      await storage.close();
      await giveBack();
    }
  });

  // Three processes' workers, each polling every ten minutes: every job is run on a wake. A commit that woke every
  // worker would cost each of the three a claim, and the taker one more (empty, before it sleeps again): four a job.
  // Woken alone, a job costs the taker's two; one more when a claim already under way took the job before the
  // worker woken for it claimed.
  it('each job queued wakes one of three sleeping worker processes, not all of them, and runs without a poll', async () => {
    const JOBS = 8;
    const pool = newPool(2);
    pools.push(pool);
    const client = fromPgPool(pool);
    const { schema, giveBack } = await takeMigratedSchema(client);
    const storage = createPostgresStorage({ client, schema });
    const workers = await Promise.all([0, 1, 2].map(() => startWorkerProcess(schema)));
    try {
      const ready = await Promise.all(workers.map((w) => w.next('ready')));
      const ran = new Set<string>();
      let heard: (() => void) | undefined;
      for (const w of workers) w.onRan((jobId) => (ran.add(jobId), heard?.()));
      const hasRun = (jobId: string) =>
        new Promise<void>((done) => {
          heard = () => ran.has(jobId) && done();
          heard();
        });
      // One at a time: each commit finds the other workers asleep.
      for (let i = 0; i < JOBS; i++) {
        const { job } = await storage.jobs.enqueue({ type: 'test.woken', payload: {} });
        await hasRun(job.id);
      }
      expect(ran.size).toBe(JOBS);
      const claims = (await Promise.all(workers.map((w) => w.claims()))).map((n, i) => n - ready[i]!.claims);
      const total = claims.reduce((a, b) => a + b, 0);
      expect(total).toBeLessThanOrEqual(3 * JOBS);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await storage.close();
      await giveBack();
    }
  });

  it('a dropped listening connection is opened again (subscribers told), and close() ends it', async () => {
    const name = `pk_listen_${uniqueSchema()}`;
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2, application_name: name });
    pools.push(pool);
    const client = fromPgPool(pool);
    const { schema, giveBack } = await takeMigratedSchema(client);
    const storage = createPostgresStorage({ client, schema });
    const listeners = () =>
      pool
        .query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'`, [name])
        .then((r) => r.rows.map((row) => row.pid));
    let calls = 0;
    const waiting: (() => void)[] = [];
    const called = () => new Promise<void>((done) => waiting.push(done));
    let next = called();
    storage.jobsQueued!.subscribe(() => {
      calls++;
      for (const done of waiting.splice(0)) done();
    });
    try {
      await next;
      const [pid] = await listeners();
      expect(pid).toBeDefined();
      // The database drops it (a restart, an outage): the driver's error is heard, the connection opened again.
      next = called();
      await pool.query('SELECT pg_terminate_backend($1)', [pid]);
      await next;
      const again = await listeners();
      expect(again).toHaveLength(1);
      expect(again[0]).not.toBe(pid);
      next = called();
      const before = calls;
      await storage.jobs.enqueue({ type: 'test.woken', payload: {} });
      await next;
      expect(calls).toBe(before + 1);
    } finally {
      await storage.close();
    }
    expect(await listeners()).toEqual([]);
    await giveBack();
  });
});
