/**
 * One panelkit worker on `--jobs` no-op jobs enqueued in advance (database `bench_queue_profile`), for the run phase
 * alone: this process's and the server's CPU a job, and with `--profile <path prefix>` a CPU profile a round, sampled
 * every `--interval` µs (default 50). After a build: `node --import tsx bench/queue/profile-run.ts [--profile /tmp/q]`
 * (add `--conditions=@panelkit/source` for the sources).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createPostgresStorage, fromPgPool, migrate } from '@panelkit/storage-postgres';
import { noopKit, serverTicks } from './noop-kit.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '2' },
    profile: { type: 'string' },
    interval: { type: 'string', default: '50' },
  },
});
// One profile a round with `--profile <path prefix>`: the run phase alone.
const JOBS = Number(values.jobs);
const DATABASE = 'bench_queue_profile';
const base = new URL(process.env['PANELKIT_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test');
const admin = new pg.Client({ connectionString: base.toString() });
await admin.connect();
await admin.query('DROP DATABASE IF EXISTS bench_queue_profile WITH (FORCE)');
await admin.query('CREATE DATABASE bench_queue_profile');
await admin.end();
base.pathname = '/bench_queue_profile';
const pool = new pg.Pool({ connectionString: base.toString(), max: 10 });
await migrate(fromPgPool(pool));
const storage = createPostgresStorage({ client: fromPgPool(pool) });
const { run } = noopKit(storage);
for (let round = 0; round < Number(values.rounds); round++) {
  await pool.query('TRUNCATE panelkit.jobs, panelkit.succeeded_jobs');
  for (let i = 0; i < JOBS; i += 1000)
    await storage.jobs.enqueueMany(Array.from({ length: 1000 }, (_, k) => ({ type: 'bench.noop', payload: { n: i + k } })));
  const session = values.profile === undefined ? undefined : new Session();
  session?.connect();
  await session?.post('Profiler.enable');
  await session?.post('Profiler.setSamplingInterval', { interval: Number(values.interval) });
  await session?.post('Profiler.start');
  const server = await serverTicks(pool, DATABASE);
  const cpu = process.cpuUsage();
  const ms = await run(JOBS);
  const used = process.cpuUsage(cpu);
  const serverUs = ((await serverTicks(pool, DATABASE)) - server) * 10_000;
  if (session !== undefined) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(`${values.profile}.${round + 1}.cpuprofile`, JSON.stringify(profile));
    session.disconnect();
  }
  console.log(
    `round ${round + 1}: ${JOBS} jobs in ${ms.toFixed(0)} ms, ${((JOBS / ms) * 1000).toFixed(0)} a second, this process ${((used.user + used.system) / JOBS).toFixed(1)} µs a job, the server ${(serverUs / JOBS).toFixed(1)} µs`,
  );
}
await storage.close();
await pool.end();
