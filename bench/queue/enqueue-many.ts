/**
 * `enqueueHostJobs` of 1 000 no-op jobs a call beside graphile-worker's `addJobs` of as many (issue 93), panelkit alone
 * with `--only panelkit`: `--calls` calls a round in interleaved rounds (database `bench_queue_enqueue_*`, tables
 * truncated each round), each side's jobs a second, this process's CPU a job and the server's; `--profile <path
 * prefix>` writes a CPU profile of panelkit's calls each round. After a build:
 *
 *   node --import tsx bench/queue/enqueue-many.ts [--rounds 3] [--calls 20] [--profile /tmp/enq] [--only panelkit]
 *
 * (add `--conditions=@panelkit/source` for the sources).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Logger, makeWorkerUtils, runMigrations } from 'graphile-worker';
import { enqueueHostJobs } from '@panelkit/sdk/host-jobs';
import { createPostgresStorage, fromPgPool, migrate } from '@panelkit/storage-postgres';
import { noopKit, serverTicks } from './noop-kit.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    calls: { type: 'string', default: '20' },
    profile: { type: 'string' },
    only: { type: 'string' },
  },
});
const CALLS = Number(values.calls);
const BATCH = 1000;
const base = process.env['PANELKIT_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

async function freshPool(database: string): Promise<pg.Pool> {
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${database}`;
  return new pg.Pool({ connectionString: url.toString(), max: 4 });
}

/** One side: `call(from)` enqueues `BATCH` jobs numbered from `from`. */
interface Side {
  name: string;
  database: string;
  pool: pg.Pool;
  reset(): Promise<unknown>;
  call(from: number): Promise<unknown>;
  profiled: boolean;
}

const sides: Side[] = [];
{
  const pool = await freshPool('bench_queue_enqueue_panelkit');
  await migrate(fromPgPool(pool));
  const storage = createPostgresStorage({ client: fromPgPool(pool) });
  const { noop } = noopKit(storage);
  sides.push({
    name: 'panelkit enqueueHostJobs',
    database: 'bench_queue_enqueue_panelkit',
    pool,
    reset: () => pool.query('TRUNCATE panelkit.jobs, panelkit.succeeded_jobs'),
    call: (from) =>
      enqueueHostJobs(
        storage,
        noop,
        Array.from({ length: BATCH }, (_, i) => ({ payload: { n: from + i } })),
      ),
    profiled: true,
  });
}
if (values.only !== 'panelkit') {
  const pool = await freshPool('bench_queue_enqueue_graphile');
  const logger = new Logger(() => () => undefined);
  await runMigrations({ pgPool: pool, logger });
  const utils = await makeWorkerUtils({ pgPool: pool, logger });
  sides.push({
    name: 'graphile-worker addJobs',
    database: 'bench_queue_enqueue_graphile',
    pool,
    reset: () => pool.query('TRUNCATE graphile_worker._private_jobs CASCADE'),
    call: (from) => utils.addJobs(Array.from({ length: BATCH }, (_, i) => ({ identifier: 'noop', payload: { n: from + i } }))),
    profiled: false,
  });
}

console.log(
  `load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')}`,
);
for (let round = 0; round < Number(values.rounds); round++) {
  const order = round % 2 === 0 ? sides : [...sides].reverse();
  const line: string[] = [];
  for (const side of order) {
    await side.reset();
    await side.call(0); // warm: the statement's plan, the connection
    await side.reset();
    const session = values.profile !== undefined && side.profiled ? new Session() : undefined;
    session?.connect();
    await session?.post('Profiler.enable');
    await session?.post('Profiler.setSamplingInterval', { interval: 100 });
    await session?.post('Profiler.start');
    const server = await serverTicks(side.pool, side.database);
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let c = 0; c < CALLS; c++) await side.call(c * BATCH);
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const serverUs = ((await serverTicks(side.pool, side.database)) - server) * 10_000;
    if (session !== undefined) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(`${values.profile}.${round + 1}.cpuprofile`, JSON.stringify(profile));
      session.disconnect();
    }
    const jobs = CALLS * BATCH;
    line.push(
      `${side.name} ${((jobs / ms) * 1000).toFixed(0)}/s (this process ${((used.user + used.system) / jobs).toFixed(1)} µs a job, the server ${(serverUs / jobs).toFixed(1)})`,
    );
  }
  console.log(`round ${round + 1}: ${line.join('; ')}`);
}
console.log(
  `load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')}`,
);
for (const side of sides) await side.pool.end();
process.exit(0);
