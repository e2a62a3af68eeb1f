/**
 * One OS process importing an old shop of N buyers into PostgreSQL (`import-killed.test.ts` kills it midway with
 * SIGKILL, then runs it again): `kit.importShop` on the schema the test migrated, against a fake panel seeded
 * with the same N clients in every process. Prints each progress report as a JSON line, then `REPORT <summary>`.
 *
 *   node --conditions=@panelkit/source --import tsx import-child.ts <database-url> <schema> <panel-id> <buyers>
 */
import pg from 'pg';
import { createPanelkit, type ImportBatch } from '@panelkit/sdk';
import type { ClientSpec } from '@panelkit/sdk/adapter';
// Not from `@panelkit/sdk/testing`: that entry also holds the vitest suites, which need the vitest runner.
import { FakePanelAdapter } from '../../../../packages/sdk/src/testing/fake-panel/index.js';
import { ManualClock } from '../../../../packages/sdk/src/testing/manual-clock.js';
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';

const [url, schema, panelId, count] = process.argv.slice(2) as [string, string, string, string];
const BUYERS = Number(count);
const START = new Date('2026-03-01T00:00:00.000Z');

/** The old shop's clients and batch: the same in every process. */
function oldShop(buyers: number, panel: string): { specs: ClientSpec[]; batch: ImportBatch } {
  const end = new Date(START.getTime() + 20 * 86_400_000);
  const specs: ClientSpec[] = Array.from({ length: buyers }, (_, i) => ({
    identity: {
      username: `old_${i}`,
      uuid: '0b7c3a52-3f3e-4b7e-9c1e-2d7c1f0a9e11',
      password: 'p',
      subId: 's',
      ssKey: 'k',
      generation: 0,
      adopted: true,
    },
    expiry: { type: 'at', at: end },
    trafficLimitBytes: 2 ** 34,
    deviceLimit: null,
    enabled: true,
  }));
  const batch: ImportBatch = {
    source: 'killed',
    currency: 'USD',
    customers: specs.map((_, i) => ({
      ref: String(i),
      externalRef: `telegram:${5_000_000 + i}`,
      telegramId: String(5_000_000 + i),
      balance: 1000 + i,
    })),
    plans: [{ ref: 'p', name: 'Monthly', price: 1000, durationDays: 30, trafficBytes: 2 ** 34 }],
    services: specs.map((s, i) => ({ ref: `s${i}`, customerRef: String(i), planRef: 'p', panelId: panel, username: s.identity.username })),
  };
  return { specs, batch };
}

const clock = new ManualClock(START);
const pool = new pg.Pool({ connectionString: url, max: 2 });
const storage = createPostgresStorage({ client: fromPgPool(pool), schema, clock });
const fake = new FakePanelAdapter({ clock, latencyMs: 0, capabilities: { batchCreate: true, maxConcurrency: 8 } });
const target = (await storage.targets.list({ panelId }))[0]!;
const { specs, batch } = oldShop(BUYERS, panelId);
await fake.createClients(target, specs, { signal: new AbortController().signal, idempotencyKey: 'seed' });
const kit = createPanelkit({ storage, clock, panels: () => fake, policy: { identity: { secret: 'killed-import-secret-0123456789' } } });
const report = await kit.importShop(batch, { onProgress: (p) => void process.stdout.write(`${JSON.stringify(p)}\n`) });
const { rows: _rows, ...summary } = report;
process.stdout.write(`REPORT ${JSON.stringify(summary)}\n`);
await storage.close();
await pool.end();
