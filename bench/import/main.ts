/**
 * bench/import: an old shop of N buyers (each with a balance and one live service on a fake panel)
 * imported into PostgreSQL storage, on a server (`--driver pg`, at PANELKIT_TEST_DATABASE_URL) or on
 * PGlite (`--driver pglite`). In one run, each into a fresh schema of its own:
 *
 * - the import as it is (500 rows a transaction): a dry run, the import, and the same import again
 *   (it must change nothing); then the imported subscriptions evacuated to a second panel (pg only);
 * - the same import row by row, one transaction a row: the engine's own per-row path (the one a chunk
 *   falls back to when another run raced it), forced by a storage whose multi-row creates refuse;
 * - the floor: the rows the import stored (customers, ledger entries and balances, subscriptions,
 *   audit entries) read back and inserted again into empty copies of their tables by bare multi-row
 *   INSERTs, 500 rows a statement and a transaction.
 *
 *   node --conditions=@panelkit/source --import tsx bench/import/main.ts [buyers] [--driver pg|pglite] [--skip-row-by-row]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { ConflictError, createPanelkit, type ImportBatch, type ImportReport, type Panelkit } from '@panelkit/sdk';
import type { ClientSpec } from '@panelkit/sdk/adapter';
import type { StoragePort } from '@panelkit/sdk/storage';
import { createPostgresStorage, fromPGlite, fromPgPool, migrate, type SqlClient } from '@panelkit/storage-postgres';
// Not from `@panelkit/sdk/testing`: that entry also holds the vitest suites, which need the vitest runner.
import { ManualClock } from '../../packages/sdk/src/testing/manual-clock.js';
import { FakePanelAdapter } from '../../packages/sdk/src/testing/fake-panel/index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { driver: { type: 'string', default: 'pg' }, 'skip-row-by-row': { type: 'boolean', default: false } },
});
const BUYERS = Number(positionals[0] ?? 2000);
const driver = values.driver === 'pglite' ? 'pglite' : 'pg';
const CHUNK = 500;

async function connect(): Promise<{ client: SqlClient; close: () => Promise<void> }> {
  if (driver === 'pglite') {
    const db = await PGlite.create();
    return { client: fromPGlite(db), close: () => db.close() };
  }
  const url = process.env['PANELKIT_TEST_DATABASE_URL'];
  if (url === undefined || url === '') throw new Error('set PANELKIT_TEST_DATABASE_URL');
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  return { client: fromPgPool(pool), close: () => pool.end() };
}

/** The storage with its multi-row creates refused, so every chunk falls back to the engine's row-by-row path. */
function rowByRow(storage: StoragePort): StoragePort {
  const refuse = async (): Promise<never> => {
    throw new ConflictError('bench: row by row');
  };
  const inTx = (tx: StoragePort | Parameters<Parameters<StoragePort['transaction']>[0]>[0]) => ({
    ...tx,
    customers: { ...tx.customers, createMany: refuse },
    subscriptions: { ...tx.subscriptions, createMany: refuse },
  });
  return { ...inTx(storage), transaction: (fn) => storage.transaction((tx) => fn(inTx(tx))) } as StoragePort;
}

interface Shop {
  schema: string;
  kit: Panelkit;
  old: { panelId: string; fake: FakePanelAdapter };
  fresh: { panelId: string; fake: FakePanelAdapter };
  batch: ImportBatch;
}

/** A migrated schema with two fake panels, the old one holding the N clients, and the batch naming them. */
async function openShop(client: SqlClient, label: string, wrap: (s: StoragePort) => StoragePort = (s) => s): Promise<Shop> {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const schema = `bench_import_${label}_${randomBytes(4).toString('hex')}`;
  await migrate(client, { schema, clock });
  const storage = createPostgresStorage({ client, schema, clock });
  const fakes = new Map<string, FakePanelAdapter>();
  const kit = createPanelkit({
    storage: wrap(storage),
    clock,
    panels: (panel) => fakes.get(panel.id)!,
    policy: { identity: { secret: 'bench-secret-0123456789abcdef' } },
  });
  async function addPanel(name: string) {
    const panel = await storage.panels.create({
      kind: 'fake',
      name,
      baseUrl: `https://${name}.example.com/`,
      credentials: { type: 'token', token: 't' },
    });
    const fake = new FakePanelAdapter({ clock, latencyMs: 0, capabilities: { batchCreate: true, maxConcurrency: 8 } });
    fakes.set(panel.id, fake);
    const target = await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 'vless', protocol: 'vless', capacity: null });
    return { panelId: panel.id, fake, target };
  }
  const old = await addPanel('old');
  const fresh = await addPanel('new');
  const end = new Date(clock.now().getTime() + 20 * 86_400_000);
  const specs: ClientSpec[] = [];
  for (let i = 0; i < BUYERS; i++) {
    const identity = {
      username: `old_user_${i}`,
      uuid: '0b7c3a52-3f3e-4b7e-9c1e-2d7c1f0a9e11',
      password: 'p',
      subId: 's',
      ssKey: 'k',
      generation: 0,
      adopted: true,
    };
    specs.push({ identity, expiry: { type: 'at', at: end }, trafficLimitBytes: 30 * 2 ** 30, deviceLimit: null, enabled: true });
  }
  await old.fake.createClients(old.target, specs, { signal: new AbortController().signal, idempotencyKey: 'seed' });
  const batch: ImportBatch = {
    source: 'bench',
    currency: 'USD',
    customers: specs.map((_, i) => ({
      ref: String(i),
      externalRef: `telegram:${1_000_000 + i}`,
      telegramId: String(1_000_000 + i),
      balance: 1000 + i,
    })),
    plans: [{ ref: '1', name: '30 GB', price: 1000, durationDays: 30, trafficBytes: 30 * 2 ** 30 }],
    services: specs.map((s, i) => ({
      ref: `inv${i}`,
      customerRef: String(i),
      planRef: '1',
      panelId: old.panelId,
      username: s.identity.username,
    })),
  };
  return { schema, kit, old: { panelId: old.panelId, fake: old.fake }, fresh: { panelId: fresh.panelId, fake: fresh.fake }, batch };
}

async function timed<T>(label: string, rows: number, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await fn();
  const ms = performance.now() - started;
  console.log(`${label}: ${Math.round(ms)} ms (${Math.round((rows * 1000) / ms)} rows/s)`);
  return result;
}

function checkOnce(report: ImportReport, field: 'created' | 'exists'): void {
  if (report.customers[field] !== BUYERS || report.balances[field] !== BUYERS || report.services[field] !== BUYERS)
    throw new Error(`the import did not bring every row over exactly once (${field})`);
}

/** A value as a parameter of a bare INSERT: jsonb (objects and arrays) as JSON text. */
function param(value: unknown): unknown {
  return value !== null && typeof value === 'object' && !(value instanceof Date) && !(value instanceof Uint8Array)
    ? JSON.stringify(value)
    : value;
}

/** The floor: `table`'s rows read back, then inserted into an empty copy of it, CHUNK rows a statement and a transaction. */
async function bareInsert(client: SqlClient, schema: string, table: string): Promise<{ rows: number; ms: number }> {
  const { rows } = await client.query(`SELECT * FROM ${schema}.${table}`);
  await client.query(`CREATE TABLE ${schema}.floor_${table} (LIKE ${schema}.${table} INCLUDING ALL)`);
  const stored = await client.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns
     WHERE table_schema = $1 AND table_name = $2 AND is_generated = 'NEVER' ORDER BY ordinal_position`,
    [schema, table],
  );
  // Generated columns are computed by the table itself.
  const columns = stored.rows.map((r) => r.column_name);
  const started = performance.now();
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const tuples = chunk.map((_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
    const params = chunk.flatMap((row) => columns.map((c) => param(row[c])));
    await client.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${schema}.floor_${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, params);
    });
  }
  return { rows: rows.length, ms: performance.now() - started };
}

const { client, close } = await connect();
const schemas: string[] = [];
try {
  console.log(`bench/import (${driver}): ${BUYERS} buyers, ${BUYERS * 3} rows (customer, balance, service)`);
  const rows = BUYERS * 3;
  const shop = await openShop(client, 'chunks');
  schemas.push(shop.schema);
  checkOnce(await timed(`dry run, ${rows} rows`, rows, () => shop.kit.importShop(shop.batch, { dryRun: true })), 'created');
  checkOnce(await timed(`import in chunks of ${CHUNK}, ${rows} rows`, rows, () => shop.kit.importShop(shop.batch)), 'created');
  const again = await timed(`import again (changes nothing), ${rows} rows`, rows, () => shop.kit.importShop(shop.batch));
  checkOnce(again, 'exists');
  if (again.balances.credited !== 0) throw new Error('the second run credited money');

  if (!values['skip-row-by-row']) {
    const slow = await openShop(client, 'rows', rowByRow);
    schemas.push(slow.schema);
    checkOnce(
      await timed(`import row by row (one transaction a row), ${rows} rows`, rows, () => slow.kit.importShop(slow.batch)),
      'created',
    );
  }

  let floorRows = 0;
  let floorMs = 0;
  for (const table of ['customers', 'ledger_entries', 'ledger_balances', 'subscriptions', 'audit_events']) {
    const { rows: n, ms } = await bareInsert(client, shop.schema, table);
    floorRows += n;
    floorMs += ms;
  }
  console.log(
    `floor: bare multi-row INSERTs of the same ${floorRows} stored rows (${CHUNK} a statement): ${Math.round(floorMs)} ms ` +
      `(${Math.round((rows * 1000) / floorMs)} import rows/s)`,
  );

  if (driver === 'pg') {
    const queued = await timed(`evacuate (queue ${BUYERS} moves)`, BUYERS, () => shop.kit.evacuate({ panelId: shop.old.panelId }));
    if (queued.counts.queued !== BUYERS) throw new Error('not every subscription was queued');
    const worker = shop.kit.createWorker({ heartbeatIntervalMs: 3_600_000, claimLimit: 50 });
    await timed(`worker: ${BUYERS} moves and ${BUYERS} removals`, BUYERS, async () => {
      await worker.drain();
      await worker.drain();
    });
    const left = await shop.kit.evacuationProgress(shop.old.panelId);
    console.log(
      `left on the old panel: ${left.remaining}; clients: old ${shop.old.fake.clientCount()}, new ${shop.fresh.fake.clientCount()}`,
    );
  }
} finally {
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await close();
}
