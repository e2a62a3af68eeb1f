/**
 * bench/import: an old shop of N buyers (each with a balance and one live service on a fake panel)
 * imported into PostgreSQL storage: a dry run, the import, and the same import again (it must change
 * nothing); then the imported subscriptions evacuated to a second panel (queueing the moves, then a
 * worker running them). Rows per second for each step, on the server at PANELKIT_TEST_DATABASE_URL.
 *
 *   PANELKIT_TEST_DATABASE_URL=postgres://… node --conditions=@panelkit/source --import tsx bench/import/main.ts [buyers]
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPanelkit, type ImportBatch } from '@panelkit/sdk';
import type { ClientSpec } from '@panelkit/sdk/adapter';
import { createPostgresStorage, fromPgPool, migrate } from '@panelkit/storage-postgres';
// Not from `@panelkit/sdk/testing`: that entry also holds the vitest suites, which need the vitest runner.
import { ManualClock } from '../../packages/sdk/src/testing/manual-clock.js';
import { FakePanelAdapter } from '../../packages/sdk/src/testing/fake-panel/index.js';

const BUYERS = Number(process.argv[2] ?? 2000);
const url = process.env['PANELKIT_TEST_DATABASE_URL'];
if (url === undefined || url === '') throw new Error('set PANELKIT_TEST_DATABASE_URL');

const clock = new ManualClock('2026-03-01T00:00:00.000Z');
const schema = `bench_import_${randomBytes(4).toString('hex')}`;
const pool = new pg.Pool({ connectionString: url, max: 4 });
await migrate(fromPgPool(pool), { schema, clock });
const storage = createPostgresStorage({ client: fromPgPool(pool), schema, clock });
const fakes = new Map<string, FakePanelAdapter>();
const kit = createPanelkit({
  storage,
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
  return { panel, fake, target };
}

try {
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
      panelId: old.panel.id,
      username: s.identity.username,
    })),
  };
  const timed = async <T>(label: string, rows: number, fn: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await fn();
    const ms = performance.now() - started;
    console.log(`${label}: ${Math.round(ms)} ms (${Math.round((rows * 1000) / ms)} rows/s)`);
    return result;
  };
  const rows = BUYERS * 3;
  const dry = await timed(`dry run, ${rows} rows`, rows, () => kit.importShop(batch, { dryRun: true }));
  const first = await timed(`import, ${rows} rows`, rows, () => kit.importShop(batch));
  const again = await timed(`import again (changes nothing), ${rows} rows`, rows, () => kit.importShop(batch));
  if (
    dry.services.created !== BUYERS ||
    first.services.created !== BUYERS ||
    again.services.exists !== BUYERS ||
    again.balances.credited !== 0
  )
    throw new Error('the import did not bring every row over exactly once');
  const queued = await timed(`evacuate (queue ${BUYERS} moves)`, BUYERS, () => kit.evacuate({ panelId: old.panel.id }));
  if (queued.counts.queued !== BUYERS) throw new Error('not every subscription was queued');
  const worker = kit.createWorker({ heartbeatIntervalMs: 3_600_000, claimLimit: 50 });
  await timed(`worker: ${BUYERS} moves and ${BUYERS} removals`, BUYERS, async () => {
    await worker.drain();
    await worker.drain();
  });
  const left = await kit.evacuationProgress(old.panel.id);
  console.log(`left on the old panel: ${left.remaining}; clients: old ${old.fake.clientCount()}, new ${fresh.fake.clientCount()}`);
} finally {
  await storage.close();
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
}
