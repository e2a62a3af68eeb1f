/**
 * bench/scale: the system as operators grow it. A million subscriptions on the real PostgreSQL
 * server, a hundred simulated panels of the five API generations served over real HTTP from their
 * own processes (25–80 ms added to every request), and 1, 2 and 4 worker+scheduler replicas as
 * separate OS processes. Phases, each measured with the machine's and PostgreSQL's own counters:
 *
 * 1. usage sync: one tick on every replica at once; a full cycle reads every client of every panel;
 * 2. a scheduler tick with `--due-percent` of the subscriptions due to expire (one replica runs the
 *    sweeps: the lifecycle slot is won by one), beside a tick with nothing due;
 * 3. `--orders` orders provisioned by the replicas' workers, beside the latency floor of the calls
 *    they made.
 *
 *   node --conditions=@panelkit/source --import tsx bench/scale/main.ts [--subscriptions 1000000]
 *     [--panels 100] [--hosts 4] [--replicas 1,2,4] [--orders 10000] [--order-replicas 1,2,4] [--due-percent 1]
 *     [--phases usage,tick,orders] [--customers 1000] [--pool 10] [--database bench_scale] [--adapter-calls 100]
 *
 * After the orders phase, `adapter-call-cpu.ts` prints each adapter's CPU per panel call beside a bare-fetch floor,
 * `--adapter-calls` calls an operation (0: not run).
 *
 * BENCH_PROFILE=<dir> writes each replica command's CPU profile there; BENCH_DEBUG=1 prints the
 * statements each replica sent, by kind.
 *
 * Uses the database `--database` (default `bench_scale`) on PANELKIT_BENCH_SERVER (default
 * postgres://postgres@127.0.0.1:5432), dropped and made anew each run: runs at the same time on one server
 * need a name each.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createPanelkit, silentLogger, systemClock } from '../../packages/sdk/src/index.js';
import { ManualClock } from '../../packages/sdk/src/testing/manual-clock.js';
import { createPostgresStorage, fromPgPool, migrate } from '../../packages/storage-postgres/src/index.js';
import type { SqlClient } from '../../packages/storage-postgres/src/index.js';
import { panelAdapterFactory } from '../../examples/shop/src/app/panels/panel-adapters.js';
import pg from 'pg';
import type { PhaseCost } from './machine.js';
import { watchPhase } from './machine.js';
import type { BenchKind, HostedPanel, ServedPanel } from './panel-kinds.js';
import { BENCH_KINDS } from './panel-kinds.js';
import { BENCH_POLICY } from './policy.js';
import type { Child } from './processes.js';
import { nextMessage, runToEnd, start } from './processes.js';
import { seedCatalog, seedSubscriptions } from './seed.js';
import type { Seeded } from './seed.js';
import { orderTable, tickTable, usageTable } from './report.js';
import type { OrdersRun, PanelCalls, ReplicaAnswer, TickRun, UsageRun } from './report.js';

const { values } = parseArgs({
  options: {
    subscriptions: { type: 'string', default: '1000000' },
    panels: { type: 'string', default: '100' },
    hosts: { type: 'string', default: '4' },
    replicas: { type: 'string', default: '1,2,4' },
    'order-replicas': { type: 'string' },
    orders: { type: 'string', default: '10000' },
    'due-percent': { type: 'string', default: '1' },
    customers: { type: 'string', default: '1000' },
    pool: { type: 'string', default: '10' },
    phases: { type: 'string', default: 'usage,tick,orders' },
    database: { type: 'string', default: 'bench_scale' },
    'adapter-calls': { type: 'string', default: '100' },
  },
});
const PANELS = Number(values.panels);
const PER_PANEL = Math.floor(Number(values.subscriptions) / PANELS);
const REPLICAS = values.replicas.split(',').map(Number);
const ORDERS = Number(values.orders);
/** Replica counts of the orders phase (default the same as the usage phase). */
const ORDER_REPLICAS = (values['order-replicas'] ?? values.replicas).split(',').map(Number);
const PHASES = new Set(values.phases.split(','));
if (!/^[a-z_][a-z0-9_]{0,62}$/.test(values.database)) throw new Error(`--database: not a plain database name: ${values.database}`);
const DATABASE = values.database;
const SCHEMA = 'panelkit';
const SERVER = process.env['PANELKIT_BENCH_SERVER'] ?? 'postgres://postgres@127.0.0.1:5432';
const URL_ = `${SERVER}/${DATABASE}`;
const MINUTE = 60_000;

/** Every slot this run asks for is new: each phase moves the bench clock on a few minutes. */
const clock = new ManualClock(new Date(Math.ceil(Date.now() / MINUTE) * MINUTE));
const nextSlot = () => clock.advance(5 * MINUTE);

async function freshDatabase(): Promise<void> {
  const admin = new pg.Client({ connectionString: `${SERVER}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  await admin.end();
}

/** 25–80 ms, spread over the panels; kinds take turns. */
function panelPlan(): HostedPanel[] {
  return Array.from({ length: PANELS }, (_, index) => ({
    index,
    kind: BENCH_KINDS[index % BENCH_KINDS.length] as BenchKind,
    clients: PER_PANEL,
    latencyMs: 25 + ((index * 37) % 56),
  }));
}

async function startPanelHosts(): Promise<{ hosts: Child[]; served: ServedPanel[] }> {
  const planned = panelPlan();
  const hostCount = Number(values.hosts);
  const hosts: Child[] = [];
  const served: ServedPanel[] = [];
  await Promise.all(
    Array.from({ length: hostCount }, async (_, h) => {
      const mine = planned.filter((p) => p.index % hostCount === h);
      const host = start('./panel-host.ts', [JSON.stringify(mine)]);
      hosts.push(host);
      served.push(...(JSON.parse(await host.firstLine()) as { served: ServedPanel[] }).served);
    }),
  );
  served.sort((a, b) => a.index - b.index);
  return { hosts, served };
}

async function startReplicas(n: number): Promise<Child[]> {
  const replicas = Array.from({ length: n }, (_, i) => start('./replica.ts', [URL_, SCHEMA, `replica-${i}`, values.pool]));
  await Promise.all(replicas.map((r) => nextMessage(r)));
  return replicas;
}

/** Requests each panel answered since the last call, and the most at once. */
async function panelCalls(hosts: readonly Child[]): Promise<Map<number, PanelCalls>> {
  const answers = await Promise.all(hosts.map((h) => h.ask<{ counts: (PanelCalls & { index: number })[] }>({ cmd: 'counts' })));
  return new Map(answers.flatMap((a) => a.counts.map((c) => [c.index, c] as const)));
}

/** Calls made between two readings of the counters (the peak is the later reading's own). */
function callsBetween(before: Map<number, PanelCalls>, after: Map<number, PanelCalls>): Map<number, PanelCalls> {
  const out = new Map<number, PanelCalls>();
  for (const [index, now] of after) {
    const then = before.get(index);
    const byRoute: Record<string, number> = {};
    for (const [route, n] of Object.entries(now.byRoute)) {
      const d = n - (then?.byRoute[route] ?? 0);
      if (d > 0) byRoute[route] = d;
    }
    out.set(index, { total: now.total - (then?.total ?? 0), peak: now.peak, byRoute });
  }
  return out;
}

async function phase<T>(
  db: SqlClient,
  groups: Record<string, readonly number[]>,
  work: () => Promise<T>,
): Promise<{ result: T; cost: PhaseCost }> {
  const watch = await watchPhase(db, DATABASE, groups);
  const result = await work();
  return { result, cost: await watch.finish() };
}

/** One replica's answers to several commands, added up (the last memory reading kept). */
function sumAnswers(answers: readonly ReplicaAnswer[]): ReplicaAnswer {
  const last = answers[answers.length - 1]!;
  const add = (pick: (a: ReplicaAnswer) => number) => answers.reduce((n, a) => n + pick(a), 0);
  return {
    result: { claimed: add((a) => (a.result as { claimed: number }).claimed) },
    ms: add((a) => a.ms),
    cpuMs: add((a) => a.cpuMs),
    statements: add((a) => a.statements),
    transactions: add((a) => a.transactions),
    rssBytes: last.rssBytes,
    heapBytes: last.heapBytes,
  };
}

const pids = (children: readonly Child[]) => children.map((c) => c.process.pid!);

async function usagePhase(db: SqlClient, hosts: Child[]): Promise<UsageRun[]> {
  const runs: UsageRun[] = [];
  for (const n of REPLICAS) {
    const replicas = await startReplicas(n);
    const at = nextSlot().toISOString();
    const { result, cost } = await phase(db, { replicas: pids(replicas), panels: pids(hosts) }, () =>
      Promise.all(replicas.map((r) => r.ask<ReplicaAnswer>({ cmd: 'tick', at }))),
    );
    runs.push({ replicas: n, answers: result, cost });
    console.log(usageTable(runs.slice(-1), PANELS * PER_PANEL));
    console.log(`PostgreSQL backends of ${DATABASE} (alive at the end): ${cost.databaseBackendsCpuS.toFixed(1)} s CPU`);
    for (const r of replicas) r.stop();
  }
  return runs;
}

async function tickPhase(db: SqlClient, hosts: Child[], seeded: Seeded): Promise<TickRun[]> {
  const [replica] = await startReplicas(1);
  const runs: TickRun[] = [];
  // The sweeps alone: usage sync is measured above.
  const idleAt = nextSlot();
  const idle = await phase(db, { replicas: pids([replica!]), panels: pids(hosts) }, () =>
    replica!.ask<ReplicaAnswer>({ cmd: 'tick', at: idleAt.toISOString(), usageSync: false }),
  );
  runs.push({ label: 'nothing due', due: 0, answer: idle.result, cost: idle.cost });
  const dueAt = nextSlot();
  const every = Math.round(100 / Number(values['due-percent']));
  const marked = await db.query(
    `WITH due AS (UPDATE "${SCHEMA}".subscriptions SET expires_at = $1
       WHERE status = 'active' AND (hashtext(id) & 2147483647) % $2 = 0 RETURNING 1)
     SELECT count(*)::int AS n FROM due`,
    [new Date(dueAt.getTime() - MINUTE), every],
  );
  await db.query(`ANALYZE "${SCHEMA}".subscriptions`);
  const due = await phase(db, { replicas: pids([replica!]), panels: pids(hosts) }, () =>
    replica!.ask<ReplicaAnswer>({ cmd: 'tick', at: dueAt.toISOString(), usageSync: false }),
  );
  runs.push({ label: `${values['due-percent']}% due to expire`, due: Number(marked.rows[0]!['n']), answer: due.result, cost: due.cost });
  replica!.stop();
  void seeded;
  return runs;
}

/** `count` paid orders, checked out 16 at a time, each from one of the seeded customers. */
async function checkOut(kit: ReturnType<typeof createPanelkit>, seeded: Seeded, round: number, count: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i < count; i = next++) {
        const customerId = seeded.customerIds[i % seeded.customerIds.length]!;
        await kit.checkout({ customerId, items: [{ planId: seeded.plan.id }], idempotencyKey: `bench:${round}:${i}` });
      }
    }),
  );
}

async function ordersPhase(
  db: SqlClient,
  hosts: Child[],
  served: readonly ServedPanel[],
  kit: ReturnType<typeof createPanelkit>,
  seeded: Seeded,
) {
  const runs: OrdersRun[] = [];
  // Each round orders from customers 0, 1, … again: a customer pays once a round for every pass over the customers.
  const perCustomer = Math.ceil(ORDERS / seeded.customerIds.length) * ORDER_REPLICAS.length * 100;
  for (const [i, customerId] of seeded.customerIds.entries()) {
    await kit.topUp({ customerId, amount: { amount: perCustomer, currency: 'USD' }, idempotencyKey: `bench:fund:${i}` });
  }
  for (const [round, n] of ORDER_REPLICAS.entries()) {
    clock.set(nextSlot());
    const placedAt = clock.now();
    const checkoutStarted = performance.now();
    await checkOut(kit, seeded, round, ORDERS);
    const checkoutS = (performance.now() - checkoutStarted) / 1000;
    const replicas = await startReplicas(n);
    const before = await panelCalls(hosts);
    // Jobs waiting out a retry are due only when the bench clock reaches their time: move it on and
    // work again until none is left (at most 10 rounds).
    const { result, cost } = await phase(db, { replicas: pids(replicas), panels: pids(hosts) }, async () => {
      const answers: ReplicaAnswer[][] = [];
      for (let again = 0; again < 10; again++) {
        if (again > 0) clock.advance(MINUTE);
        const at = clock.now().toISOString();
        answers.push(await Promise.all(replicas.map((r) => r.ask<ReplicaAnswer>({ cmd: 'work', at }))));
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM "${SCHEMA}".jobs WHERE state IN ('queued', 'running')`);
        if (rows[0]!['n'] === 0) break;
      }
      return replicas.map((_, i) => sumAnswers(answers.map((round) => round[i]!)));
    });
    const calls = callsBetween(before, await panelCalls(hosts));
    if (process.env['BENCH_DEBUG']) console.log(JSON.stringify([...calls.values()].slice(0, 5)));
    const { rows } = await db.query(
      `SELECT status, count(*)::int AS n FROM "${SCHEMA}".subscriptions WHERE created_at = $1 GROUP BY status`,
      [placedAt],
    );
    runs.push({
      replicas: n,
      orders: ORDERS,
      checkoutS,
      answers: result,
      cost,
      calls,
      served,
      statuses: rows as { status: string; n: number }[],
    });
    console.log(orderTable(runs.slice(-1)));
    for (const r of replicas) r.stop();
  }
  return runs;
}

await freshDatabase();
const pool = new pg.Pool({ connectionString: URL_, max: 20 });
const db = fromPgPool(pool);
await migrate(db, { schema: SCHEMA, clock });
console.log(
  `bench/scale: ${PANELS} panels × ${PER_PANEL} subscriptions, replicas ${REPLICAS.join('/')}, ${values.hosts} panel-host processes; ` +
    `${new Date().toISOString()}, Node ${process.version}, ${cpus().length} cores, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
);
const hostsStarted = performance.now();
const { hosts, served } = await startPanelHosts();
console.log(`panels served and seeded with their clients in ${((performance.now() - hostsStarted) / 1000).toFixed(1)} s`);
const kit = createPanelkit({
  storage: createPostgresStorage({ client: db, schema: SCHEMA, clock }),
  clock,
  panels: panelAdapterFactory({ clock: systemClock, logger: silentLogger }),
  policy: BENCH_POLICY,
});
const seeded = await seedCatalog(kit, served, Number(values.customers));
const seeding = performance.now();
await seedSubscriptions(db, SCHEMA, seeded, PER_PANEL, clock.now());
console.log(
  `seeded ${(PANELS * PER_PANEL).toLocaleString('en-US')} subscriptions in ${((performance.now() - seeding) / 1000).toFixed(1)} s\n`,
);

try {
  const usage = PHASES.has('usage') ? await usagePhase(db, hosts) : [];
  const ticks = PHASES.has('tick') ? await tickPhase(db, hosts, seeded) : [];
  const orders = PHASES.has('orders') ? await ordersPhase(db, hosts, served, kit, seeded) : [];
  console.log('\n## All phases\n');
  if (usage.length > 0) console.log(usageTable(usage, PANELS * PER_PANEL));
  if (ticks.length > 0) console.log(tickTable(ticks, PANELS * PER_PANEL));
  if (orders.length > 0) console.log(orderTable(orders));
} finally {
  for (const h of hosts) h.stop();
  await pool.end();
}
// Beside the orders: each adapter's own CPU per panel call on this machine, panels of the same size in another
// process at zero latency (`adapter-call-cpu.ts`), after the panel hosts above are gone.
if (PHASES.has('orders') && Number(values['adapter-calls']) > 0) {
  console.log("\n## The adapters' CPU per panel call (bench/scale/adapter-call-cpu.ts, same machine, right after the orders)\n");
  runToEnd('./adapter-call-cpu.ts', ['--clients', String(PER_PANEL), '--calls', values['adapter-calls'], '--rounds', '1']);
}
