/**
 * One replica of `trial-processes.test.ts`: a kit on the test's PostgreSQL schema. On `go` it takes the trial of
 * `planId` for every customer it is given, all at once, under `idempotencyKey` (default `trial-<round>`), and says how
 * many were given and how many were refused, and the orders it answered with (`replayed` ones too).
 */
import pg from 'pg';
import { createPanelkit, EligibilityError } from '@panelkit/sdk';
import { FakePanelAdapter, ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage, fromPgPool } from '../../src/index.js';

const clock = new ManualClock(process.env['NOW']!);
const pool = new pg.Pool({ connectionString: process.env['DATABASE_URL'], max: 4 });
const storage = createPostgresStorage({ client: fromPgPool(pool), schema: process.env['SCHEMA']!, clock });
const fake = new FakePanelAdapter({ clock });
const kit = createPanelkit({
  storage,
  clock,
  panels: () => fake,
  policy: { identity: { secret: 'replica-test-secret-0123456789', prefix: 'pk' } },
  random: () => 0.5,
});

interface Go {
  type: 'go' | 'stop';
  planId?: string;
  customerIds?: string[];
  round?: number;
  idempotencyKey?: string;
}

process.on('message', async (message: Go) => {
  if (message.type === 'stop') {
    await storage.close();
    await pool.end();
    process.exit(0);
  }
  const results = await Promise.allSettled(
    message.customerIds!.map((customerId) =>
      kit.checkout({
        customerId,
        items: [{ planId: message.planId!, trial: true }],
        idempotencyKey: message.idempotencyKey ?? `trial-${message.round}`,
      }),
    ),
  );
  const given = results.filter((r) => r.status === 'fulfilled').length;
  const refused = results.filter(
    (r) => r.status === 'rejected' && EligibilityError.is(r.reason) && r.reason.reasons.includes('already_used'),
  ).length;
  const other = results.flatMap((r) => (r.status === 'rejected' && !EligibilityError.is(r.reason) ? [String(r.reason)] : []));
  const orders = results.flatMap((r) => (r.status === 'fulfilled' ? [{ id: r.value.order.id, replayed: r.value.replayed }] : []));
  process.send?.({ type: 'done', given, refused, other, orders });
});
process.send?.({ type: 'ready' });
