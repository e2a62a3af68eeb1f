/**
 * One bench/scale replica: an OS process with its own PostgreSQL pool, engine, scheduler and
 * worker, like one of a shop's worker+scheduler replicas. main.ts drives it over IPC:
 *
 * - `{ cmd: 'tick', at, usageSync? }`: one scheduler tick at `at` (a `ManualClock`, so every replica
 *   asks for the same slots), without usage sync when `usageSync` is false; answers with the tick
 *   report and what it cost.
 * - `{ cmd: 'work' }`: runs a worker as a shop's replica does (`start()`: it claims again as jobs
 *   settle, so a panel's jobs from several claims meet in one batch) until no job is due or running,
 *   then stops it; answers the same way. `BENCH_WORKER=drain` claims and runs one claim at a time
 *   instead (`runOnce` until none is left), as the bench did before.
 *
 * argv: database URL, schema, replica name, pool size.
 */
import { createPanelkit, silentLogger, systemClock } from '../../packages/sdk/src/index.js';
import { ManualClock } from '../../packages/sdk/src/testing/manual-clock.js';
import { createPostgresStorage, fromPgPool } from '../../packages/storage-postgres/src/index.js';
import { panelAdapterFactory } from '../../examples/shop/src/app/panels/panel-adapters.js';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import pg from 'pg';
import { countingClient } from './counting-client.js';
import type { StatementCount } from './counting-client.js';
import { BENCH_POLICY } from './policy.js';

const [url, schema, name, poolSize] = process.argv.slice(2) as [string, string, string, string];
const pool = new pg.Pool({ connectionString: url, max: Number(poolSize) });
const count: StatementCount = { statements: 0, transactions: 0, ...(process.env['BENCH_DEBUG'] ? { byText: new Map() } : {}) };
const clock = new ManualClock();
const storage = createPostgresStorage({ client: countingClient(fromPgPool(pool), count), schema, clock });
const kit = createPanelkit({
  storage,
  clock,
  panels: panelAdapterFactory({ clock: systemClock, logger: silentLogger }),
  policy: BENCH_POLICY,
});
const scheduler = kit.createScheduler();
/** The sweeps alone, for the due-tick phase. */
const sweeper = kit.createScheduler({ usageSync: false });
const WORKER_OPTIONS = { id: name, claimLimit: 200, pollIntervalMs: 100 };
const drainWorker = kit.createWorker(WORKER_OPTIONS);
let settledJobs = 0;
for (const event of ['job:succeeded', 'job:retried', 'job:dead', 'job:parked'] as const) kit.events.on(event, () => void settledJobs++);

/** Jobs due or running on the shared database (not counted as the replica's statements: the bench asks, not the engine). */
async function jobsLeft(): Promise<number> {
  const { rows } = await pool.query(
    `SELECT count(*)::int AS n FROM "${schema}".jobs WHERE state = 'running' OR (state = 'queued' AND run_at <= $1)`,
    [clock.now()],
  );
  return rows[0].n as number;
}

/** A started worker until nothing is due or running anywhere; how many jobs it settled. */
async function workUntilDone(): Promise<{ claimed: number }> {
  if (process.env['BENCH_WORKER'] === 'drain') {
    let claimed = 0;
    for (let n = await drainWorker.runOnce(); n > 0; n = await drainWorker.runOnce()) claimed += n;
    return { claimed };
  }
  const before = settledJobs;
  const worker = kit.createWorker(WORKER_OPTIONS);
  worker.start();
  while ((await jobsLeft()) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
  await worker.stop();
  return { claimed: settledJobs - before };
}

/** BENCH_PROFILE=<dir>: each command's CPU profile is written there (for finding where the time goes). */
async function profiled<T>(label: string, work: () => Promise<T>): Promise<T> {
  const dir = process.env['BENCH_PROFILE'];
  if (dir === undefined) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(`${dir}/${name}-${label}-${Date.now()}.cpuprofile`, JSON.stringify(profile));
    session.disconnect();
  }
}

/** What a command cost this process: wall and CPU time, statements sent, memory. */
async function measured<T>(work: () => Promise<T>) {
  const before = { ...count };
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await profiled(name, work);
  const used = process.cpuUsage(cpu);
  return {
    result,
    ms: performance.now() - started,
    cpuMs: (used.user + used.system) / 1000,
    statements: count.statements - before.statements,
    transactions: count.transactions - before.transactions,
    rssBytes: process.memoryUsage().rss,
    heapBytes: process.memoryUsage().heapUsed,
  };
}

process.on('message', (message: { cmd: 'tick' | 'work'; at?: string; usageSync?: boolean }) => {
  void (async () => {
    if (message.at !== undefined) clock.set(message.at);
    const answer =
      message.cmd === 'tick'
        ? await measured(() => (message.usageSync === false ? sweeper : scheduler).tick())
        : await measured(workUntilDone);
    if (count.byText !== undefined) {
      console.error(
        [...count.byText]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 40)
          .map(([t, n]) => `${n}\t${t}`)
          .join('\n'),
      );
      count.byText.clear();
    }
    process.send!(answer);
  })().catch((error: unknown) => {
    console.error(`replica ${name}:`, error);
    process.exit(1);
  });
});
process.on('disconnect', () => void pool.end().finally(() => process.exit(0)));
process.send!({ ready: true });
