/**
 * The server's CPU a claim of 1 000 jobs and its completion, one after the other on one connection, over a backlog
 * that has statistics (`VACUUM ANALYZE` after it is queued), as a long-lived queue's table has: what the run phase of
 * `main.ts` does not see, whose tables are new or truncated each round. Database `--database` (made with `--fresh`),
 * topped up to `--backlog` + `--claims` × 1 000 queued no-op jobs before each run; the figures from
 * `/proc/<pid>/schedstat` of the connection's server process. After a build:
 * `node --import tsx bench/queue/backlog.ts --fresh [--backlog 100000] [--claims 40]`.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createPostgresStorage, fromPgPool, migrate } from '@panelkit/storage-postgres';

const { values } = parseArgs({
  options: {
    backlog: { type: 'string', default: '100000' },
    claims: { type: 'string', default: '40' },
    database: { type: 'string', default: 'bench_queue_backlog' },
    fresh: { type: 'boolean', default: false },
  },
});
const BACKLOG = Number(values.backlog);
const CLAIMS = Number(values.claims);
const DATABASE = values.database;
const base = new URL(process.env['PANELKIT_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test');
if (values.fresh) {
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  await admin.end();
}
base.pathname = `/${DATABASE}`;
// One connection: every statement runs in the server process measured.
const pool = new pg.Pool({ connectionString: base.toString(), max: 1 });
await migrate(fromPgPool(pool));
const storage = createPostgresStorage({ client: fromPgPool(pool) });
const queued = (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM panelkit.jobs WHERE state = 'queued'`)).rows[0]!.n;
if (queued < BACKLOG + CLAIMS * 1000) {
  for (let i = queued; i < BACKLOG + CLAIMS * 1000; i += 1000) {
    await storage.jobs.enqueueMany(Array.from({ length: 1000 }, (_, k) => ({ type: 'bench.noop', payload: { n: i + k } })));
  }
  await pool.query('VACUUM ANALYZE panelkit.jobs');
}
const pid = (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
/** The server process's CPU time so far, in nanoseconds. */
const cpuNs = () => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
let claimNs = 0;
let completeNs = 0;
for (let i = 0; i < CLAIMS; i++) {
  const before = cpuNs();
  const claimed = await storage.jobs.claim({ workerId: 'bench', limit: 1000, leaseMs: 60_000 });
  const between = cpuNs();
  await storage.jobs.completeMany(claimed.map((c) => c.lease));
  completeNs += cpuNs() - between;
  claimNs += between - before;
}
console.log(
  `backlog ${BACKLOG}, ${CLAIMS} claims of 1 000: the server ${(claimNs / CLAIMS / 1e6).toFixed(2)} ms a claim, ${(completeNs / CLAIMS / 1e6).toFixed(2)} ms a completion (${((claimNs + completeNs) / CLAIMS / 1e6).toFixed(2)} µs a job)`,
);
await storage.close();
await pool.end();
