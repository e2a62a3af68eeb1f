/**
 * bench/scale/orders-cost: bench/provisioning on PostgreSQL, the engine's cost per order with the panels out of the way (zero
 * latency), on the real server. N orders (checkout first, not measured) over 4 fake panels, provisioned by
 * one started worker in this process, once with one `createClients` per order and once batched (≤ 50 a
 * call). Per order: the statements the storage sent (a transaction counts its BEGIN and COMMIT), this
 * process's CPU (the engine, the storage, the `pg` driver) and the CPU of the PostgreSQL backends serving
 * the bench's database.
 *
 *   node --conditions=@panelkit/source --import tsx bench/scale/orders-cost.ts [--orders 1000] [--database bench_provisioning]
 *
 * BENCH_DEBUG=1 prints the statements by their first words. Uses PANELKIT_BENCH_SERVER (default
 * postgres://postgres@127.0.0.1:5432); the database is dropped and made anew for each row.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createPanelkit, silentLogger, systemClock } from '../../packages/sdk/src/index.js';
import { FakePanelAdapter } from '../../packages/sdk/src/testing/fake-panel/index.js';
import { createPostgresStorage, fromPgPool, migrate } from '../../packages/storage-postgres/src/index.js';
import { countingClient } from './counting-client.js';
import type { StatementCount } from './counting-client.js';
import { databaseBackendsCpu } from './machine.js';
import { seedOrdersOnFakePanels } from '../support/fake-panel-orders.js';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '1000' },
    database: { type: 'string', default: 'bench_provisioning' },
    pool: { type: 'string', default: '10' },
  },
});
const ORDERS = Number(values.orders);
const PANELS = 4;
if (!/^[a-z_][a-z0-9_]{0,62}$/.test(values.database)) throw new Error(`--database: not a plain database name: ${values.database}`);
const DATABASE = values.database;
const SERVER = process.env['PANELKIT_BENCH_SERVER'] ?? 'postgres://postgres@127.0.0.1:5432';

async function freshDatabase(): Promise<void> {
  const admin = new pg.Client({ connectionString: `${SERVER}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  await admin.end();
}

interface Row {
  label: string;
  ms: number;
  statements: number;
  transactions: number;
  engineCpuMs: number;
  backendsCpuMs: number;
  byText?: Map<string, number>;
}

async function run(label: string, batchCreate: boolean): Promise<Row> {
  await freshDatabase();
  const pool = new pg.Pool({ connectionString: `${SERVER}/${DATABASE}`, max: Number(values.pool) });
  // An idle connection the next row's `DROP DATABASE … WITH (FORCE)` ends is no error of the bench's.
  pool.on('error', () => undefined);
  const client = fromPgPool(pool);
  await migrate(client);
  const count: StatementCount = { statements: 0, transactions: 0, ...(process.env['BENCH_DEBUG'] ? { byText: new Map() } : {}) };
  const storage = createPostgresStorage({ client: countingClient(client, count), clock: systemClock });
  const fakes = new Map<string, FakePanelAdapter>();
  const kit = createPanelkit({
    storage,
    logger: silentLogger,
    panels: (panel) => fakes.get(panel.id)!,
    policy: { identity: { secret: 'bench-secret-0123456789abcdef' } },
  });
  await seedOrdersOnFakePanels(kit, storage, fakes, {
    panels: PANELS,
    orders: ORDERS,
    adapterFor: () => new FakePanelAdapter({ latencyMs: 0, linksWithCreate: true, capabilities: { batchCreate, maxConcurrency: 4 } }),
  });
  // Warm the pool's connections so every backend is alive (and counted) through the run.
  await Promise.all(Array.from({ length: Number(values.pool) }, () => pool.query('SELECT 1')));

  const worker = kit.createWorker({ claimLimit: 1000, heartbeatIntervalMs: 3_600_000, pollIntervalMs: 50 });
  let settled = 0;
  const allDone = new Promise<void>((resolve) =>
    kit.events.on('job:succeeded', () => {
      if (++settled === ORDERS) resolve();
    }),
  );
  count.statements = 0;
  count.transactions = 0;
  count.byText?.clear();
  const backendsBefore = databaseBackendsCpu(DATABASE);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  worker.start();
  await allDone;
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  let backendsCpuS = 0;
  for (const [pid, s] of databaseBackendsCpu(DATABASE)) backendsCpuS += s - (backendsBefore.get(pid) ?? 0);
  const row: Row = {
    label,
    ms,
    statements: count.statements,
    transactions: count.transactions,
    engineCpuMs: (cpu.user + cpu.system) / 1000,
    backendsCpuMs: backendsCpuS * 1000,
    ...(count.byText ? { byText: new Map(count.byText) } : {}),
  };
  await worker.stop();
  const active = await pool.query(`SELECT count(*)::int AS n FROM panelkit.subscriptions WHERE status = 'active'`);
  const completed = await pool.query(`SELECT count(*)::int AS n FROM panelkit.orders WHERE status = 'completed'`);
  await pool.end();
  if (active.rows[0].n !== ORDERS || completed.rows[0].n !== ORDERS)
    throw new Error(`${label}: ${active.rows[0].n} active, ${completed.rows[0].n} orders completed of ${ORDERS}`);
  return row;
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(`bench/provisioning on PostgreSQL: ${ORDERS} orders, ${PANELS} panels, zero latency; load ${load()}\n`);
for (const [label, batch] of [
  ['one create per order', false],
  ['batch create (≤ 50 a call)', true],
] as const) {
  const r = await run(label, batch);
  const per = (x: number) => ((x / ORDERS) * 1000).toFixed(0);
  console.log(
    `${r.label.padEnd(28)} ${r.ms.toFixed(0).padStart(6)} ms  ${(r.statements / ORDERS).toFixed(2)} statements/order (${(r.transactions / ORDERS).toFixed(2)} transactions)  engine CPU ${per(r.engineCpuMs)} µs/order  PostgreSQL backends CPU ${per(r.backendsCpuMs)} µs/order  load ${load()}`,
  );
  if (r.byText)
    for (const [text, n] of [...r.byText].sort((a, b) => b[1] - a[1]).slice(0, 30))
      console.log(`  ${(n / ORDERS).toFixed(2).padStart(6)}  ${text}`);
}
