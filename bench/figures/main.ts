/**
 * bench/figures (issue 94): the owner figures' read models on three years of a shop, beside the naive SQL over the
 * raw tables, in one run on the same rows; and what keeping them costs a checkout.
 *
 *   node --conditions=@panelkit/source --import tsx bench/figures/main.ts [--subscriptions 1000000] [--runs 25]
 *     [--naive-runs 3] [--zone Asia/Tehran] [--buyers 32] [--per-buyer 20] [--rounds 4]
 *     [--server postgres://postgres@127.0.0.1:5432/] [--database bench_figures] [--keep]
 *
 * 1. Creates the database `--database` (dropping a leftover one), migrates it and seeds `--subscriptions`
 *    subscriptions and 0.4 × as many customers over 36 months (`seed.ts`, triggers off); prints the seed time.
 * 2. `kit.figures.rebuild()`, then the kit's worker runs the rebuild's pages and the `figures.fold` jobs until the inbox
 *    is empty: the SDK's real path. Prints buyers folded per second.
 * 3. The overview as the shop reads it, `--runs` times each: `kit.figures.overview` for 12 and 36 months,
 *    `churnBy` plan and location (12 months), `kit.salesFigures` for 30 and 365 days, `sales.figures` (the scan it
 *    replaced) and the same days' 15-minute buckets as raw cells; median and p95, goal ≤ 200 ms. Beside it the
 *    naive SQL (`naive.ts`), `--naive-runs` times, and its numbers checked equal to the rollups' (the bench fails
 *    if not).
 * 4. Checkout cost (`checkout-cost.ts`): `--rounds` rounds of `--buyers` × `--per-buyer` checkouts with the inbox
 *    triggers on and off in turn.
 *
 * Figures: bench/RESULTS.md, "figures (issue 94)".
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createPanelkit, silentLogger } from '@panelkit/sdk';
import { addFigureMonths, figureMonthOf, zonedDays, type FiguresCalendar } from '@panelkit/sdk/rules';
import { createPostgresStorage, fromPgPool, migrate } from '@panelkit/storage-postgres';
import pg from 'pg';
import { ManualClock } from '../../packages/sdk/src/testing/manual-clock.js';
import { FakePanelAdapter } from '../../packages/sdk/src/testing/fake-panel/index.js';
import { countingClient, type StatementCount } from '../scale/counting-client.js';
import { checkoutRounds } from './checkout-cost.js';
import { differences, readModelNumbers, summary } from './compare.js';
import { naiveFigures } from './naive.js';
import { BENCH_NOW, seedShop } from './seed.js';

const { values } = parseArgs({
  options: {
    subscriptions: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '25' },
    'naive-runs': { type: 'string', default: '3' },
    zone: { type: 'string', default: 'Asia/Tehran' },
    buyers: { type: 'string', default: '32' },
    'per-buyer': { type: 'string', default: '20' },
    rounds: { type: 'string', default: '4' },
    server: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/' },
    database: { type: 'string', default: 'bench_figures' },
    keep: { type: 'boolean', default: false },
  },
});
const DATABASE = values.database;
if (!/^[a-z_][a-z0-9_]*$/.test(DATABASE) || DATABASE === 'test' || DATABASE === 'postgres')
  throw new Error(`--database ${DATABASE}: use a plain name of the bench's own (it is dropped)`);
const RUNS = Number(values.runs);
const SCHEMA = 'panelkit';
const calendar: FiguresCalendar = { timeZone: values.zone, calendar: 'gregorian' };
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
const f1 = (x: number) => x.toFixed(1);

function stats(xs: number[]): { median: number; p95: number } {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
  return { median: at(0.5), p95: at(0.95) };
}

const serverUrl = new URL(values.server);
const admin = new pg.Client({ connectionString: new URL('/postgres', serverUrl).href });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${DATABASE}`);
const pool = new pg.Pool({ connectionString: new URL(`/${DATABASE}`, serverUrl).href, max: 10 });
pool.on('error', () => undefined);
try {
  console.log(`load average at start ${load()} (1/5/15 min), ${cpus().length} cores, node ${process.version}`);
  const db = fromPgPool(pool);
  const clock = new ManualClock(BENCH_NOW.toISOString());
  await migrate(db, { schema: SCHEMA, clock });
  const count: StatementCount = { statements: 0, transactions: 0 };
  const storage = createPostgresStorage({ client: countingClient(db, count), schema: SCHEMA, clock });
  const fake = new FakePanelAdapter({ latencyMs: 0 });
  const kit = createPanelkit({
    storage,
    clock,
    logger: silentLogger,
    panels: () => fake,
    policy: { identity: { secret: 'bench-secret-0123456789abcdef' } },
    figures: { ...calendar, foldBatchSize: 1000, foldBudgetMs: 60_000 },
  });

  // 1. Seed.
  console.log(`\n[seed] load ${load()}`);
  const seeded = await seedShop(db, SCHEMA, storage, Number(values.subscriptions));
  console.log(
    `[seed] ${seeded.customers.toLocaleString('en-US')} customers, ${seeded.subscriptions.toLocaleString('en-US')} subscriptions, ` +
      `${seeded.ledgerEntries.toLocaleString('en-US')} ledger entries, ${seeded.orders.toLocaleString('en-US')} orders, ` +
      `${seeded.payments.toLocaleString('en-US')} payments in ${f1(seeded.seedMs / 1000)} s`,
  );

  // 2. Rebuild and fold through the kit's worker.
  console.log(`\n[build] load ${load()}`);
  const worker = kit.createWorker({ claimLimit: 10, heartbeatIntervalMs: 60_000, pollIntervalMs: 20 });
  const building = performance.now();
  await kit.figures.rebuild();
  worker.start();
  let status = await kit.figures.status();
  while (status.rebuilding || status.pending > 0) {
    await new Promise((r) => setTimeout(r, 250));
    status = await kit.figures.status();
  }
  const buildMs = performance.now() - building;
  await worker.stop();
  const folded = Number((await db.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.figure_buyers`)).rows[0]!['n']);
  console.log(
    `[build] rebuild + fold of ${folded.toLocaleString('en-US')} customers in ${f1(buildMs / 1000)} s = ${((folded / buildMs) * 1000).toFixed(0)} customers/s`,
  );

  // 3. Reads, beside the naive SQL, and the check.
  console.log(`\n[read] load ${load()}`);
  const current = figureMonthOf(clock.now(), calendar);
  const today = new Date(clock.now().getTime() - 86_400_000).toISOString().slice(0, 10);
  const daysBack = (n: number) => new Date(clock.now().getTime() - n * 86_400_000).toISOString().slice(0, 10);
  const bucketsOf = async (n: number) => {
    const days = zonedDays(daysBack(n), today, values.zone);
    const from = Math.floor(days[0]!.start.getTime() / 900_000);
    const to = Math.floor(days[days.length - 1]!.end.getTime() / 900_000) - 1;
    const [cells, before] = await Promise.all([
      storage.figures.cells({ table: 'buckets', fromBucket: from, toBucket: to }),
      storage.figures.bucketTotals(from),
    ]);
    return cells.length + before.length;
  };
  const reads: Record<string, () => Promise<unknown>> = {
    'overview 12 months': () => kit.figures.overview({ scope: '*', from: addFigureMonths(current, -11), to: current }),
    'overview 36 months': () => kit.figures.overview({ scope: '*', from: addFigureMonths(current, -35), to: current }),
    'churnBy plan, 12 months': () =>
      kit.figures.churnBy({ scope: '*', dimension: 'plan', from: addFigureMonths(current, -11), to: current }),
    'churnBy location, 12 months': () =>
      kit.figures.churnBy({ scope: '*', dimension: 'location', from: addFigureMonths(current, -11), to: current }),
    'page: overview 12 + churn plan + location': () =>
      Promise.all([reads['overview 12 months']!(), reads['churnBy plan, 12 months']!(), reads['churnBy location, 12 months']!()]),
    'kit.salesFigures 30 days': () => kit.salesFigures({ from: daysBack(30), to: today, timeZone: values.zone }),
    'kit.salesFigures 365 days': () => kit.salesFigures({ from: daysBack(365), to: today, timeZone: values.zone }),
    'sales.figures 30 days (the scan)': () => storage.sales.figures({ days: zonedDays(daysBack(30), today, values.zone) }),
    'sales.figures 365 days (the scan)': () => storage.sales.figures({ days: zonedDays(daysBack(365), today, values.zone) }),
    'daily buckets 30 days (read model)': () => bucketsOf(30),
    'daily buckets 365 days (read model)': () => bucketsOf(365),
  };
  const timed: Record<string, { median: number; p95: number }> = {};
  for (const [name, read] of Object.entries(reads)) {
    await read();
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      await read();
      times.push(performance.now() - started);
    }
    timed[name] = stats(times);
    console.log(`[read] ${name}: median ${f1(timed[name]!.median)} ms, p95 ${f1(timed[name]!.p95)} ms (${RUNS} runs)`);
  }
  const model = await readModelNumbers(storage);
  const naiveMs: Record<string, number[]> = {};
  let naive: Awaited<ReturnType<typeof naiveFigures>>['numbers'] | null = null;
  for (let i = 0; i < Number(values['naive-runs']); i++) {
    const run = await naiveFigures(db, SCHEMA, values.zone);
    for (const [name, ms] of Object.entries(run.ms)) (naiveMs[name] ??= []).push(ms);
    naive = run.numbers;
  }
  for (const [name, ms] of Object.entries(naiveMs))
    console.log(`[naive] ${name}: median ${f1(stats(ms).median)} ms, runs ${ms.map((m) => f1(m)).join(', ')} ms`);
  const totals = Object.values(naiveMs)[0]!.map((_, i) => Object.values(naiveMs).reduce((sum, ms) => sum + ms[i]!, 0));
  console.log(`[naive] all of it: median ${f1(stats(totals).median)} ms`);
  const diff = differences(model, naive!);
  console.log(`[check] read model: ${summary(model)}`);
  if (diff.length > 0) throw new Error(`the read model and the naive SQL disagree:\n  ${diff.join('\n  ')}`);
  console.log('[check] the naive SQL gives the same numbers, key for key');

  // 4. What keeping the models costs a checkout (`--rounds 0`: not measured).
  if (Number(values.rounds) > 0) {
    console.log(`\n[checkout] load ${load()}`);
    const plan = (await storage.plans.list({ onSale: true })).find((p) => p.name === 'monthly-50')!;
    const rounds = await checkoutRounds(
      { kit, storage, count, db, schema: SCHEMA, database: DATABASE, planId: plan.id, price: plan.price },
      Number(values.rounds),
      Number(values.buyers),
      Number(values['per-buyer']),
    );
    for (const r of rounds)
      console.log(
        `[checkout] triggers ${r.triggers ? 'on ' : 'off'}: ${r.checkouts} checkouts ${r.perSecond.toFixed(0)}/s, p50 ${f1(r.p50)} ms, ` +
          `${r.statements.toFixed(2)} statements (${r.transactions.toFixed(2)} tx) a checkout, postgres CPU ${r.pgCpuUs.toFixed(0)} µs a checkout, ` +
          `${r.marked} inbox rows` +
          (r.foldStatements === null
            ? ''
            : `; fold after it: ${r.foldBuyers} customers, ${r.foldStatements.toFixed(3)} statements a checkout`),
      );
    const mean = (on: boolean, pick: (r: (typeof rounds)[number]) => number) => {
      const of = rounds.filter((r) => r.triggers === on);
      return of.reduce((s, r) => s + pick(r), 0) / of.length;
    };
    console.log(
      `[checkout] on vs off: throughput ${mean(true, (r) => r.perSecond).toFixed(0)}/s vs ${mean(false, (r) => r.perSecond).toFixed(0)}/s, ` +
        `statements ${mean(true, (r) => r.statements).toFixed(2)} vs ${mean(false, (r) => r.statements).toFixed(2)}, ` +
        `postgres CPU ${mean(true, (r) => r.pgCpuUs).toFixed(0)} vs ${mean(false, (r) => r.pgCpuUs).toFixed(0)} µs; ` +
        `fold ${mean(true, (r) => r.foldStatements ?? 0).toFixed(3)} statements a checkout`,
    );
  }
} finally {
  console.log(`load average at end ${load()} (1/5/15 min)`);
  await pool.end();
  if (!values.keep) await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.end();
}
