import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledEntry } from '../../../scripts/test-support/bundled-entry.js';
import { createPostgresStorage, fromPgPool, migrate } from '../src/index.js';
import pg from 'pg';
import { DATABASE_URL, SKIP_REAL_SERVER, newPool, uniqueSchema } from './helpers.js';

const pools: ReturnType<typeof newPool>[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
});

type Message = { type: 'ready'; claims: number } | { type: 'ran'; jobId: string; claims: number };

describe.skipIf(SKIP_REAL_SERVER)('jobsQueued across OS processes (real PostgreSQL)', () => {
  // B polls once a minute with at most 1.5× jitter, and at least 30 s between polls: within this test's time
  // only the signal can have woken it.
  it('a job queued by process A is claimed by process B’s sleeping worker on the signal, not its poll', { timeout: 25_000 }, async () => {
    const pool = newPool(2);
    pools.push(pool);
    const client = fromPgPool(pool);
    const schema = uniqueSchema();
    await migrate(client, { schema });
    const storage = createPostgresStorage({ client, schema });
    const entry = await bundledEntry(resolve(import.meta.dirname, 'support/woken-worker.ts'));
    const child = fork(entry, [], {
      env: { ...process.env, DATABASE_URL: DATABASE_URL!, SCHEMA: schema },
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const messages: Message[] = [];
    const next = (type: Message['type']) =>
      new Promise<Message>((done, fail) => {
        const seen = messages.find((m) => m.type === type);
        if (seen !== undefined) return done(seen);
        const onMessage = (m: Message) => m.type === type && (child.off('message', onMessage), done(m));
        child.on('message', onMessage);
        child.once('exit', (code) => fail(new Error(`process B exited with ${code}`)));
      });
    child.on('message', (m: Message) => void messages.push(m));
    try {
      const ready = await next('ready');
      const { job } = await storage.jobs.enqueue({ type: 'test.woken', payload: {} });
      const ran = await next('ran');
      expect(ran).toMatchObject({ jobId: job.id });
      // Taken by the first claim since B went to sleep: the one the signal woke it for.
      expect(ran.claims).toBe(ready.claims + 1);
    } finally {
      if (child.exitCode === null) {
        child.send({ type: 'stop' });
        await new Promise((done) => child.once('exit', done));
      }
      await storage.close();
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });

  it('a dropped listening connection is opened again (subscribers told), and close() ends it', { timeout: 25_000 }, async () => {
    const name = `pk_listen_${uniqueSchema()}`;
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2, application_name: name });
    pools.push(pool);
    const client = fromPgPool(pool);
    const schema = uniqueSchema();
    await migrate(client, { schema });
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
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });
});
