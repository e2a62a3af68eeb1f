/**
 * One replica of `auto-renew-processes.test.ts`: a kit on the test's PostgreSQL schema, at the test's instant,
 * whose payment provider charges saved methods at the parent's fake provider (over HTTP, so every process
 * charges the same world). On `go` it ticks its scheduler and drains its worker, then says `done`.
 */
import pg from 'pg';
import { createPanelkit, createSecretBox, parseSecretKeys } from '@panelkit/sdk';
import { FakePanelAdapter, ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage, fromPgPool } from '../../src/index.js';
import { httpChargingProvider } from './http-charging-provider.js';

const clock = new ManualClock(process.env['NOW']!);
const pool = new pg.Pool({ connectionString: process.env['DATABASE_URL'], max: 3 });
const storage = createPostgresStorage({ client: fromPgPool(pool), schema: process.env['SCHEMA']!, clock });
const fake = new FakePanelAdapter({ clock });
const kit = createPanelkit({
  storage,
  clock,
  panels: () => fake,
  policy: { identity: { secret: 'replica-test-secret-0123456789', prefix: 'pk' } },
  random: () => 0.5,
  payments: {
    providers: [httpChargingProvider(process.env['PROVIDER_URL']!)],
    secrets: createSecretBox(parseSecretKeys(process.env['SECRET_KEYS']!)),
  },
});
const scheduler = kit.createScheduler();
const worker = kit.createWorker({ heartbeatIntervalMs: 3_600_000 });

process.on('message', async (message: { type: 'go' | 'stop' }) => {
  if (message.type === 'stop') {
    await storage.close();
    await pool.end();
    process.exit(0);
  }
  try {
    await scheduler.tick();
    await worker.drain();
    process.send?.({ type: 'done' });
  } catch (error) {
    process.send?.({ type: 'failed', error: String(error) });
  }
});
process.send?.({ type: 'ready' });
