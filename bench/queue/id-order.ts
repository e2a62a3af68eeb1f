/**
 * The job queue's server work with random job ids against time-ordered ones (`createId` / `createSortableId`): the
 * same jobs, enqueued a thousand a call under ids made one way or the other (named, so both take the same path), then
 * run by one worker, the two ways in interleaved rounds (database `bench_queue_ids`). A round prints, for each phase,
 * the server's CPU a job (`/proc/<pid>/stat` of the connections to the database) and, with `--explain`, what each kind
 * of statement wrote and touched a job: WAL records, full-page images and bytes, shared buffers hit, read, dirtied and
 * written (`auto_explain` with `log_wal` and `log_buffers`, read back from the server's log, `--log`; deterministic,
 * unlike CPU on a shared machine). After a build:
 *
 *   PANELKIT_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
 *     node --import tsx bench/queue/id-order.ts [--jobs 20000] [--rounds 3] [--explain] [--checkpoint]
 *
 * `--setup <sql>` runs a statement after the migration (a table's or an index's settings, to try one).
 * `--checkpoint` runs `CHECKPOINT` before each phase: every page's first change after it then writes a full-page image,
 * as the first changes after each of the server's checkpoints do (every `checkpoint_timeout`, 5 minutes by default).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createId } from '@panelkit/sdk';
import { createSortableId } from '@panelkit/sdk/storage';
import { createPostgresStorage, fromPgPool, migrate } from '@panelkit/storage-postgres';
import { noopKit, serverTicks } from './noop-kit.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    explain: { type: 'boolean', default: false },
    checkpoint: { type: 'boolean', default: false },
    log: { type: 'string', default: '/var/log/postgresql/postgresql-15-main.log' },
    setup: { type: 'string' },
  },
});
const JOBS = Number(values.jobs);
const DATABASE = 'bench_queue_ids';
const base = new URL(process.env['PANELKIT_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test');
const admin = new pg.Client({ connectionString: base.toString() });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${DATABASE}`);
base.pathname = `/${DATABASE}`;
const pool = new pg.Pool({ connectionString: base.toString(), max: 10 });
let explaining = false;
if (values.explain) {
  // On every connection of the pool, the migration's too: the storage reuses them.
  pool.on('connect', (client) => {
    void client.query(
      `LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; SET auto_explain.log_analyze = on;
       SET auto_explain.log_timing = off; SET auto_explain.log_buffers = on; SET auto_explain.log_wal = on;
       SET auto_explain.log_format = 'json'`,
    );
  });
  explaining = true;
}
await migrate(fromPgPool(pool));
if (values.setup !== undefined) await pool.query(values.setup);
const storage = createPostgresStorage({ client: fromPgPool(pool) });
const { run } = noopKit(storage);

/** The server log's bytes from `from` on. */
function logSince(from: number): string {
  const size = statSync(values.log).size;
  if (size <= from) return '';
  const fd = openSync(values.log, 'r');
  try {
    const buffer = Buffer.alloc(size - from);
    readSync(fd, buffer, 0, buffer.length, from);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

const COUNTERS = [
  'WAL Records',
  'WAL FPI',
  'WAL Bytes',
  'Shared Hit Blocks',
  'Shared Read Blocks',
  'Shared Dirtied Blocks',
  'Shared Written Blocks',
] as const;

type PlanNode = Record<string, number> & { Plans?: PlanNode[]; 'Subplan Name'?: string };

/** The plan's `kept` CTE (see {@link explained}), wherever it sits. */
function unreadWrites(node: PlanNode): PlanNode[] {
  if (node['Subplan Name'] === 'CTE kept') return [node];
  return (node.Plans ?? []).flatMap(unreadWrites);
}

/**
 * Sums the top plan node's counters of this database's `auto_explain` entries in `text` logged from `from` to `to`
 * (the entries' timestamps, ms), by kind of statement.
 */
function explained(text: string, from: number, to: number): Map<string, Record<string, number>> {
  const sums = new Map<string, Record<string, number>>();
  for (const entry of text.split(/\n(?=\d{4}-\d\d-\d\d \d\d:)/)) {
    if (!entry.includes(`@${DATABASE} LOG:  duration:`)) continue;
    const at = Date.parse(`${entry.slice(0, 23).replace(' ', 'T')}Z`);
    if (at < from || at > to) continue;
    const json = entry.slice(entry.indexOf('{'));
    let plan: { 'Query Text': string; Plan: PlanNode };
    try {
      plan = JSON.parse(json) as typeof plan;
    } catch {
      continue;
    }
    const q = plan['Query Text'];
    const kind = q.includes('SKIP LOCKED')
      ? 'claim'
      : q.includes('succeeded_jobs (')
        ? 'completion'
        : /INSERT INTO \S+\.jobs/.test(q)
          ? 'enqueue'
          : 'other';
    const sum = sums.get(kind) ?? Object.fromEntries(COUNTERS.map((c) => [c, 0]));
    // The top node counts what ran under it; a data-modifying CTE the query does not read (a completion's insert
    // into `succeeded_jobs`, `kept`) runs after it, and counts apart.
    for (const node of [plan.Plan, ...unreadWrites(plan.Plan)]) for (const c of COUNTERS) sum[c]! += Number(node[c] ?? 0);
    sum['statements'] = (sum['statements'] ?? 0) + 1;
    sums.set(kind, sum);
  }
  return sums;
}

function report(label: string, sums: Map<string, Record<string, number>>): void {
  for (const [kind, sum] of [...sums].sort()) {
    if (kind === 'other') continue;
    const a = (c: string, digits = 2) => (sum[c]! / JOBS).toFixed(digits);
    console.log(
      `  ${label} ${kind.padEnd(10)} ${sum['statements']} statements; a job: WAL ${a('WAL Records')} records, ${a('WAL FPI', 3)} FPI, ${a('WAL Bytes', 0)} B; buffers hit ${a('Shared Hit Blocks')}, read ${a('Shared Read Blocks')}, dirtied ${a('Shared Dirtied Blocks', 3)}, written ${a('Shared Written Blocks', 3)}`,
    );
  }
}

const logStart = explaining ? statSync(values.log).size : 0;
/** Each phase's span, to read its statements from the log at the end. */
const phases: { name: string; round: number; from: number; to: number }[] = [];
const makers = {
  random: () => createId('job'),
  sortable: () => createSortableId('job', Date.now()),
};
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [name, make] of round % 2 === 0 ? Object.entries(makers) : Object.entries(makers).reverse()) {
    await pool.query('TRUNCATE panelkit.jobs, panelkit.succeeded_jobs');
    if (values.checkpoint) await admin.query('CHECKPOINT');
    let at = Date.now();
    let server = await serverTicks(admin, DATABASE);
    for (let i = 0; i < JOBS; i += 1000)
      await storage.jobs.enqueueMany(Array.from({ length: 1000 }, (_, k) => ({ id: make(), type: 'bench.noop', payload: { n: i + k } })));
    const enqueueUs = ((await serverTicks(admin, DATABASE)) - server) * 10_000;
    phases.push({ name, round, from: at, to: Date.now() });
    if (values.checkpoint) await admin.query('CHECKPOINT');
    at = Date.now();
    server = await serverTicks(admin, DATABASE);
    const ms = await run(JOBS);
    const runUs = ((await serverTicks(admin, DATABASE)) - server) * 10_000;
    console.log(
      `round ${round + 1} ${name}: enqueue, the server ${(enqueueUs / JOBS).toFixed(1)} µs a job; run ${((JOBS / ms) * 1000).toFixed(0)} a second, the server ${(runUs / JOBS).toFixed(1)} µs a job (load ${loadavg()[0]!.toFixed(1)})`,
    );
    phases.push({ name, round, from: at, to: Date.now() });
  }
}
if (explaining) {
  // The last statements' entries reach the log a moment after their answers.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const text = logSince(logStart);
  for (const { name, round, from, to } of phases) {
    console.log(`round ${round + 1} ${name}, ${new Date(from).toISOString()}:`);
    report(name, explained(text, from, to));
  }
}
await storage.close();
await pool.end();
await admin.end();
