/**
 * One replica of `sweep-processes.test.ts`: a kit on the test's PostgreSQL schema with YooKassa pointed at the
 * parent's simulator. On `go` it sweeps once at the test's instant and says how many payments it credited.
 */
import { createPanelkit } from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';
import { newPool } from '../../../storage-postgres/test/helpers.js';
import { sweepPendingPayments } from '../../src/index.js';
import { YOOKASSA_PROVIDER, yookassaProvider } from '../../src/yookassa.js';

const env = (name: string): string => process.env[name] ?? '';
const clock = new ManualClock(env('NOW'));
const pool = newPool(3);
const storage = createPostgresStorage({ client: fromPgPool(pool), schema: env('SCHEMA'), clock });
const kit = createPanelkit({
  storage,
  clock,
  panels: () => null as never,
  policy: { identity: { secret: 'payment-providers-test-secret-0123456789', prefix: 'pk' } },
  payments: {
    providers: [
      yookassaProvider({
        api: { baseUrl: env('YOOKASSA_URL'), shopId: env('YOOKASSA_SHOP'), secretKey: env('YOOKASSA_KEY') },
        callbackUrl: (id) => `http://127.0.0.1:9/return/${id}`,
      }),
    ],
  },
});

process.on('message', async (message: { type: 'go' | 'stop' }) => {
  if (message.type === 'stop') {
    await storage.close();
    await pool.end();
    process.exit(0);
  }
  try {
    const result = await sweepPendingPayments(kit, { providers: [YOOKASSA_PROVIDER], quietMs: 60_000, limit: 100, now: clock.now() });
    process.send?.({ type: 'done', credited: result.credited, unreachable: result.unreachable.length });
  } catch (error) {
    process.send?.({ type: 'failed', error: String(error) });
  }
});
process.send?.({ type: 'ready' });
