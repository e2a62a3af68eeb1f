/**
 * The scheduler's due-queries on 10 000 and on 1 000 000 subscriptions, the same number due.
 *
 *   node --conditions=@panelkit/source --import tsx bench/pg-due-query/main.ts [--sizes 10000,1000000] [--due 100] [--runs 25]
 *
 * Runs against PANELKIT_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
 * Each size gets a fresh schema seeded with one `INSERT … SELECT generate_series`: `due` rows
 * for each query, and the rest spread over the same statuses but not due, so every query must
 * skip most of its status. Prints the median time of each query and the plan `EXPLAIN (ANALYZE,
 * BUFFERS)` gives for the exact statement the storage ran.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
// Not from `@panelkit/sdk/testing`: that entry also holds the vitest suites, which need the vitest runner.
import { ManualClock } from '../../packages/sdk/src/testing/manual-clock.js';
import { createPostgresStorage, fromPgPool, migrate } from '@panelkit/storage-postgres';
// The table shape is shared with the plan test, so the bench measures what CI checks.
import { dueQueries, recordingClient, seedDueSubscriptions } from '../../packages/storage-postgres/test/due-fixture.js';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,1000000' },
    due: { type: 'string', default: '100' },
    runs: { type: 'string', default: '25' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const due = Number(values.due);
const runs = Number(values.runs);

const pool = new pg.Pool({
  connectionString: process.env['PANELKIT_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test',
  max: 2,
});
const base = fromPgPool(pool);
/** The storage's statements, so the bench can EXPLAIN exactly what ran. */
const recorded: { text: string; params: readonly unknown[] }[] = [];
const client = recordingClient(base, recorded);

const clock = new ManualClock();
const queries = dueQueries(clock.now());

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The scan nodes and the top node's buffer count of a plan. */
function summarise(plan: string[]): string {
  const scans = plan
    .filter((line) => /Scan|Append|Merge/.test(line))
    .map((line) =>
      line
        .trim()
        .replace(/\s+\(cost=[^)]*\)/, '')
        .replace(/\s+\(actual[^)]*\)/, ''),
    );
  const buffers = plan.find((line) => line.includes('Buffers:'))?.trim() ?? '';
  return [...new Set(scans)].join('; ') + (buffers === '' ? '' : ` | ${buffers}`);
}

const results: Record<string, Record<number, { ms: number; rows: number; plan: string }>> = {};
try {
  for (const size of sizes) {
    const schema = `pk_bench_due_${randomBytes(4).toString('hex')}`;
    await migrate(base, { schema, clock });
    try {
      const seeding = performance.now();
      await seedDueSubscriptions(base, schema, clock, { rows: size, due });
      console.log(`seeded ${size.toLocaleString('en-US')} subscriptions in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
      const storage = createPostgresStorage({ client, schema, clock });
      for (const [name, query] of Object.entries(queries)) {
        const page = await storage.subscriptions.listDue(query, { limit: 1000 });
        if (page.items.length !== due) throw new Error(`${name} on ${size} found ${page.items.length}, expected ${due}`);
        const times: number[] = [];
        for (let i = 0; i < runs; i++) {
          const started = performance.now();
          await storage.subscriptions.listDue(query, { limit: 1000 });
          times.push(performance.now() - started);
        }
        const last = recorded[recorded.length - 1]!;
        const explained = await base.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${last.text}`, last.params);
        const plan = explained.rows.map((r) => r['QUERY PLAN']);
        (results[name] ??= {})[size] = { ms: median(times), rows: page.items.length, plan: summarise(plan) };
      }
    } finally {
      await base.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  }
  console.log(`\npg-due-query: median of ${runs} runs, ${due} rows due per query, page limit 1000`);
  for (const [name, bySize] of Object.entries(results)) {
    const cells = sizes.map((size) => `${size.toLocaleString('en-US')}: ${bySize[size]!.ms.toFixed(2)} ms`);
    const ratio = bySize[sizes[sizes.length - 1]!]!.ms / bySize[sizes[0]!]!.ms;
    console.log(
      `  ${name.padEnd(13)} ${cells.join('   ')}   (x${ratio.toFixed(2)} for x${(sizes[sizes.length - 1]! / sizes[0]!).toFixed(0)} rows)`,
    );
  }
  console.log('\nplans (EXPLAIN ANALYZE BUFFERS of the statement the storage ran):');
  for (const [name, bySize] of Object.entries(results)) {
    for (const size of sizes) console.log(`  ${name} @ ${size.toLocaleString('en-US')}: ${bySize[size]!.plan}`);
  }
} finally {
  await pool.end();
}
