/**
 * Claims while one serialisation key holds a long queue: the claim's pick statement before issue 60 (read from
 * git, `--baseline`) beside the current one, on the same seeded queue, in one run.
 *
 *   node --conditions=@panelkit/source --import tsx bench/claims-serial/main.ts [--held 100000] [--keys 2000,20000] [--runs 25]
 *
 * Runs against PANELKIT_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in fresh schemas.
 * Queues (see `seedClaimQueue`):
 * - `held`: one key with a running job and `--held` queued jobs due first, then 50 jobs of 50 free keys and 50
 *   without a key. A claim of 10 must go past the held key's whole queue.
 * - `floor`: the same 100 claimable jobs with no held key: what a claim costs when nothing is in its way.
 * - `keys=N`: N free keys of one job each and nothing held: the claim-order walk serves both (the queue's head
 *   is claimable).
 * - `held+keys=N`: the held key's queue and N free keys of one job each: the new statement's worst case, one
 *   index probe or two a key with queued jobs.
 * Each pick runs in a transaction that is rolled back, so every run sees the same queue. Prints the median
 * time, and the rows and buffers `EXPLAIN (ANALYZE, BUFFERS)` reports. Then the storage's whole claim (four
 * statements, committed; the jobs released untimed after each) on the `held` and `floor` queues.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createPostgresStorage, fromPgPool, migrate } from '@panelkit/storage-postgres';
import pg from 'pg';
import { claimPickStatements } from '../../packages/storage-postgres/src/repositories/job-claim-pick.js';
// The queue shape is shared with the plan test, so the bench measures what CI checks.
import { rowsRead, seedClaimQueue } from '../../packages/storage-postgres/test/claims-fixture.js';
import type { ClaimQueue, PlanNode } from '../../packages/storage-postgres/test/claims-fixture.js';

const { values } = parseArgs({
  options: {
    held: { type: 'string', default: '100000' },
    keys: { type: 'string', default: '2000,20000' },
    runs: { type: 'string', default: '25' },
    limit: { type: 'string', default: '10' },
    baseline: { type: 'string', default: '4919ed69' },
  },
});
const held = Number(values.held);
const keyCounts = values.keys.split(',').map(Number);
const runs = Number(values.runs);
const limit = Number(values.limit);

/** The pick statement as it was at `--baseline`, loaded from git so the bench keeps no copy of it. */
async function baselinePick(): Promise<(table: string) => string> {
  const path = 'packages/storage-postgres/src/repositories/job-claim-pick.ts';
  const source = execFileSync('git', ['show', `${values.baseline}:${path}`], { encoding: 'utf8' });
  const file = join(mkdtempSync(join(tmpdir(), 'claims-serial-')), 'job-claim-pick.ts');
  writeFileSync(file, source);
  return ((await import(pathToFileURL(file).href)) as { claimPickStatement: (table: string) => string }).claimPickStatement;
}

const pool = new pg.Pool({
  connectionString: process.env['PANELKIT_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test',
  max: 2,
});
const base = fromPgPool(pool);

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Figure {
  ms: number;
  picked: number;
  /** Rows the plan's nodes produced and filtered out, summed over loops: how much the statement read. */
  rowsRead: number;
  buffers: number;
  /** What `EXPLAIN ANALYZE` reports for planning and for running the statement, once. */
  planningMs: number;
  executionMs: number;
}

/**
 * Median time of a pick: `first`, then `then` when `first` returned a row of nulls (the queue's head is held), each
 * run in a transaction rolled back; and what `EXPLAIN ANALYZE` says of the statements that ran, summed.
 */
async function measurePick(first: string, then?: string): Promise<Figure> {
  const params = [new Date(), null, limit, limit];
  const client = await pool.connect();
  try {
    const times: number[] = [];
    let picked = 0;
    let ran = [first];
    for (let i = 0; i < runs + 2; i++) {
      await client.query('BEGIN');
      const started = performance.now();
      let result = await client.query(first, params);
      ran = [first];
      if (then !== undefined && result.rows.some((r) => r.id === null)) {
        result = await client.query(then, params);
        ran = [first, then];
      }
      if (i >= 2) times.push(performance.now() - started);
      picked = result.rows.length;
      await client.query('ROLLBACK');
    }
    const figure: Figure = { ms: median(times), picked, rowsRead: 0, buffers: 0, planningMs: 0, executionMs: 0 };
    await client.query('BEGIN');
    for (const statement of ran) {
      const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Planning Time': number; 'Execution Time': number }] }>(
        `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${statement}`,
        params,
      );
      const explained = rows[0]!['QUERY PLAN'][0];
      figure.rowsRead += rowsRead(explained.Plan);
      figure.buffers += (explained.Plan['Shared Hit Blocks'] ?? 0) + (explained.Plan['Shared Read Blocks'] ?? 0);
      figure.planningMs += explained['Planning Time'];
      figure.executionMs += explained['Execution Time'];
    }
    await client.query('ROLLBACK');
    return figure;
  } finally {
    client.release();
  }
}

/** Median time of the storage's whole claim of `limit` on `schema`'s queue; the claimed jobs are released, untimed. */
async function measureClaim(schema: string): Promise<{ ms: number; claimed: number }> {
  const storage = createPostgresStorage({ client: base, schema });
  const times: number[] = [];
  let claimed = 0;
  for (let i = 0; i < runs + 2; i++) {
    const started = performance.now();
    const jobs = await storage.jobs.claim({ workerId: 'bench', limit, leaseMs: 60_000 });
    if (i >= 2) times.push(performance.now() - started);
    claimed = jobs.length;
    for (const { lease } of jobs) await storage.jobs.release(lease);
  }
  return { ms: median(times), claimed };
}

const format = (f: Figure) =>
  `${f.ms.toFixed(2).padStart(8)} ms  ${String(f.picked).padStart(3)} picked  ${String(f.rowsRead).padStart(7)} rows read  ${String(f.buffers).padStart(6)} buffers  (EXPLAIN of the statements run: planning ${f.planningMs.toFixed(2)} ms, execution ${f.executionMs.toFixed(2)} ms)`;

const queues: [string, ClaimQueue][] = [
  [`held (${held.toLocaleString('en-US')} queued behind a running job)`, { held, freeKeys: 50, unkeyed: 50 }],
  ['floor (same 100 claimable, nothing held)', { held: 0, freeKeys: 50, unkeyed: 50 }],
  ...keyCounts.map((n): [string, ClaimQueue] => [
    `keys=${n.toLocaleString('en-US')} (one job each, nothing held)`,
    { held: 0, freeKeys: n, unkeyed: 0 },
  ]),
  ...keyCounts.map((n): [string, ClaimQueue] => [
    `held+keys=${n.toLocaleString('en-US')} (the held queue, and ${n.toLocaleString('en-US')} free keys of one job each)`,
    { held, freeKeys: n, unkeyed: 0 },
  ]),
];

try {
  const before = await baselinePick();
  console.log(`claims-serial: pick of ${limit}, median of ${runs} runs; before = ${values.baseline}, after = this tree\n`);
  for (const [name, queue] of queues) {
    const schema = `pk_bench_claims_${randomBytes(4).toString('hex')}`;
    await migrate(base, { schema });
    try {
      await seedClaimQueue(base, schema, queue);
      const table = `"${schema}".jobs`;
      console.log(name);
      console.log(`  pick before  ${format(await measurePick(before(table)))}`);
      const after = claimPickStatements(table);
      console.log(`  pick after   ${format(await measurePick(after.walk, after.pastHeld))}`);
      if (queue.freeKeys === 50) {
        const claim = await measureClaim(schema);
        console.log(
          `  claim after  ${claim.ms.toFixed(2).padStart(8)} ms  ${String(claim.claimed).padStart(3)} claimed (whole claim, committed)`,
        );
      }
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  }
} finally {
  await pool.end();
}
