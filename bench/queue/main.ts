/**
 * bench/queue: panelkit's job queue beside graphile-worker 0.17 (its defaults, and the settings of its performance
 * page) and pg-boss 10, in one run on one PostgreSQL server, each in a database of its own, in interleaved rounds.
 * Each round, for each queue: enqueue `--one` no-op jobs one transaction each (8 at a time), enqueue `--many` a
 * thousand a call, then run all of them with one worker in this process until the last has run. Figures: jobs a
 * second for each phase, and for the run the whole machine's CPU a job (busy time from `/proc/stat` over the run
 * phase, every process on the machine included: the database server's work is counted, and so is anyone else's).
 *
 *   npx --yes pnpm@10.34.9 run build   # panelkit runs from its built packages, as the others do (README)
 *   PANELKIT_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
 *     node --import tsx bench/queue/main.ts [--rounds 2] [--one 10000] [--many 10000]
 *     [--only <name prefix>]… (the queues whose name starts so; repeatable)
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Logger, makeWorkerUtils, run as runGraphile, runMigrations } from 'graphile-worker';
import type { Runner as GraphileRunner, WorkerUtils } from 'graphile-worker';
import PgBoss from 'pg-boss';
import type { StoragePort } from '@panelkit/sdk/storage';
import { createPostgresStorage, fromPgPool, migrate } from '@panelkit/storage-postgres';
import { noopKit } from './noop-kit.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    one: { type: 'string', default: '10000' },
    many: { type: 'string', default: '10000' },
    only: { type: 'string', multiple: true },
  },
});
const ROUNDS = Number(values.rounds);
const ONE = Number(values.one);
const MANY = Number(values.many);
const URL = process.env['PANELKIT_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const BATCH = 1000;

/** One queue under test, in its own database. */
interface Queue {
  readonly name: string;
  /** Its database: the server processes serving it are counted in its own CPU. */
  readonly database: string;
  /** Empties the queue (between rounds, so every round starts from the same tables). */
  reset(): Promise<void>;
  enqueueOne(n: number): Promise<void>;
  enqueueMany(from: number, count: number): Promise<void>;
  /** Runs jobs until `total` have run, then stops its worker. */
  runAll(total: number): Promise<void>;
  close(): Promise<void>;
}

function databaseUrl(database: string): string {
  const url = new globalThis.URL(URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function freshDatabase(database: string): Promise<string> {
  const admin = new pg.Client({ connectionString: URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  return databaseUrl(database);
}

/** Resolves once `count()` reaches `total`; `tick` is called by the handler after each job. */
function countdown(total: number): { tick: (n?: number) => void; done: Promise<void> } {
  let ran = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    tick(n = 1) {
      ran += n;
      if (ran === total) finish();
    },
    done,
  };
}

async function panelkitQueue(options: { claimLimit: number; concurrency?: number }): Promise<Queue> {
  const url = await freshDatabase('bench_queue_panelkit');
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  await migrate(fromPgPool(pool));
  const storage: StoragePort = createPostgresStorage({ client: fromPgPool(pool) });
  const { kit, noop, ran } = noopKit(storage);
  return {
    database: 'bench_queue_panelkit',
    name: `panelkit (claimLimit ${options.claimLimit}${options.concurrency === undefined ? '' : `, concurrency ${options.concurrency}`})`,
    async reset() {
      await pool.query('TRUNCATE panelkit.jobs, panelkit.succeeded_jobs');
    },
    async enqueueOne(n) {
      await storage.transaction((tx) => tx.jobs.enqueue({ type: 'bench.noop', payload: { n } }));
    },
    async enqueueMany(from, count) {
      await storage.jobs.enqueueMany(Array.from({ length: count }, (_, i) => ({ type: 'bench.noop', payload: { n: from + i } })));
    },
    async runAll(total) {
      const done = ran(total);
      const worker = kit.createWorker({ hostJobs: [noop], engineJobs: false, ...options });
      worker.start();
      await done;
      await worker.stop();
    },
    async close() {
      await storage.close();
      await pool.end();
    },
  };
}

async function graphileQueue(label: string, settings: { concurrency: number; perf: boolean }): Promise<Queue> {
  const url = await freshDatabase(`bench_queue_graphile_${settings.perf ? 'perf' : 'defaults'}`);
  const pool = new pg.Pool({ connectionString: url, max: settings.concurrency + 2 });
  const logger = new Logger(() => () => undefined);
  await runMigrations({ pgPool: pool, logger });
  const utils: WorkerUtils = await makeWorkerUtils({ pgPool: pool, logger });
  return {
    database: `bench_queue_graphile_${settings.perf ? 'perf' : 'defaults'}`,
    name: label,
    async reset() {
      await pool.query('TRUNCATE graphile_worker._private_jobs CASCADE');
    },
    async enqueueOne(n) {
      await utils.addJob('noop', { n });
    },
    async enqueueMany(from, count) {
      await utils.addJobs(Array.from({ length: count }, (_, i) => ({ identifier: 'noop', payload: { n: from + i } })));
    },
    async runAll(total) {
      const { tick, done } = countdown(total);
      const runner: GraphileRunner = await runGraphile({
        pgPool: pool,
        logger,
        concurrency: settings.concurrency,
        noHandleSignals: true,
        pollInterval: 1000,
        taskList: {
          noop: async () => {
            tick();
          },
        },
        ...(settings.perf ? { preset: { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } } } : {}),
      });
      await done;
      await runner.stop();
    },
    async close() {
      await utils.release();
      await pool.end();
    },
  };
}

async function pgBossQueue(): Promise<Queue> {
  const url = await freshDatabase('bench_queue_pgboss');
  const boss = new PgBoss({ connectionString: url, max: 10, supervise: false, schedule: false });
  boss.on('error', (error) => console.error('pg-boss:', error));
  await boss.start();
  await boss.createQueue('noop');
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  return {
    database: 'bench_queue_pgboss',
    name: 'pg-boss 10.4.2 (batchSize 100)',
    async reset() {
      await pool.query('TRUNCATE pgboss.job, pgboss.archive');
    },
    async enqueueOne(n) {
      await boss.send('noop', { n });
    },
    async enqueueMany(from, count) {
      await boss.insert(Array.from({ length: count }, (_, i) => ({ name: 'noop', data: { n: from + i } })));
    },
    async runAll(total) {
      const { tick, done } = countdown(total);
      await boss.work('noop', { batchSize: 100, pollingIntervalSeconds: 0.5 }, async (jobs) => {
        tick(jobs.length);
      });
      await done;
      await boss.offWork('noop');
    },
    async close() {
      await boss.stop({ graceful: false, wait: true });
      await pool.end();
    },
  };
}

/** Busy and total jiffies of the whole machine, from the first line of `/proc/stat` (idle and iowait are not busy). */
function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - fields[3]! - fields[4]!, total };
}
/** `/proc/stat` counts in USER_HZ, 100 a second on Linux. */
const TICK_US = 10_000;

/** CPU jiffies (user and system) of each server process connected to `database` now, by pid. */
async function serverTicks(admin: pg.Client, database: string): Promise<Map<number, number>> {
  const { rows } = await admin.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
  const ticks = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      // utime and stime: fields 14 and 15, the 12th and 13th after the command name's closing parenthesis.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks.set(Number(pid), Number(fields[11]) + Number(fields[12]));
    } catch {
      // Gone meanwhile.
    }
  }
  return ticks;
}

interface Figures {
  one: number;
  many: number;
  run: number;
  cpuUs: number;
  /** This process's CPU and its database's server processes' over the run phase, a job: what the machine's load does not blur. */
  ownUs: number;
  /** {@link ownUs}'s part spent in this process (the rest is the database server's). */
  processUs: number;
}

async function measure(queue: Queue, admin: pg.Client): Promise<Figures> {
  await queue.reset();
  let started = performance.now();
  for (let i = 0; i < ONE; i += 8) {
    await Promise.all(Array.from({ length: Math.min(8, ONE - i) }, (_, j) => queue.enqueueOne(i + j)));
  }
  const one = (ONE / (performance.now() - started)) * 1000;
  started = performance.now();
  for (let i = 0; i < MANY; i += BATCH) await queue.enqueueMany(ONE + i, Math.min(BATCH, MANY - i));
  const many = (MANY / (performance.now() - started)) * 1000;
  const serversBefore = await serverTicks(admin, queue.database);
  const ownBefore = process.cpuUsage();
  const before = machineTicks();
  started = performance.now();
  await queue.runAll(ONE + MANY);
  const runMs = performance.now() - started;
  const after = machineTicks();
  const own = process.cpuUsage(ownBefore);
  const serversAfter = await serverTicks(admin, queue.database);
  // A connection opened during the run counts from its start; one closed before its end is missed (the pools keep theirs).
  let serverTicksRun = 0;
  for (const [pid, ticks] of serversAfter) serverTicksRun += ticks - (serversBefore.get(pid) ?? 0);
  const jobs = ONE + MANY;
  return {
    one,
    many,
    run: (jobs / runMs) * 1000,
    cpuUs: ((after.busy - before.busy) * TICK_US) / jobs,
    ownUs: (own.user + own.system + serverTicksRun * TICK_US) / jobs,
    processUs: (own.user + own.system) / jobs,
  };
}

async function main() {
  const makers: (() => Promise<Queue>)[] = [
    () => panelkitQueue({ claimLimit: 1000, concurrency: 24 }),
    () => graphileQueue('graphile-worker 0.17.3, defaults (concurrency 10)', { concurrency: 10, perf: false }),
    () =>
      graphileQueue('graphile-worker 0.17.3, performance settings (local queue 500, batched completions, concurrency 24)', {
        concurrency: 24,
        perf: true,
      }),
    () => pgBossQueue(),
  ];
  const queues: Queue[] = [];
  for (const make of makers) queues.push(await make());
  const chosen = values.only === undefined ? queues : queues.filter((q) => values.only!.some((prefix) => q.name.startsWith(prefix)));
  const results = new Map<Queue, Figures[]>(chosen.map((q) => [q, []]));
  const admin = new pg.Client({ connectionString: URL });
  await admin.connect();
  console.log(
    `load before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; ${ONE} + ${MANY} jobs, ${ROUNDS} rounds`,
  );
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Interleaved, the order turned around every round: a machine whose load drifts weighs on every queue alike.
      const order = round % 2 === 0 ? chosen : [...chosen].reverse();
      for (const queue of order) {
        const figures = await measure(queue, admin);
        results.get(queue)!.push(figures);
        console.log(
          `round ${round + 1} ${queue.name}: enqueue one ${figures.one.toFixed(0)}/s, enqueue many ${figures.many.toFixed(0)}/s, run ${figures.run.toFixed(0)}/s at ${figures.cpuUs.toFixed(0)} µs machine CPU a job (${figures.ownUs.toFixed(0)} µs its own, ${figures.processUs.toFixed(0)} of them in this process)`,
        );
      }
    }
  } finally {
    for (const queue of queues) await queue.close();
    await admin.end();
  }
  console.log(
    `load after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const col = (f: (x: Figures) => number) => (q: Queue) =>
    results
      .get(q)!
      .map((x) => f(x).toFixed(0))
      .join(' / ');
  console.log(
    '\n| | run: jobs a second | run: machine CPU a job (µs) | run: its own CPU a job (µs) | enqueue one a transaction, 8 at a time (a second) | enqueue 1 000 a call (a second) |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const q of chosen)
    console.log(
      `| ${q.name} | ${col((x) => x.run)(q)} | ${col((x) => x.cpuUs)(q)} | ${col((x) => x.ownUs)(q)} | ${col((x) => x.one)(q)} | ${col((x) => x.many)(q)} |`,
    );
}

await main();
