/**
 * One replica of `storefront-processes.test.ts`: a kit on the test's PostgreSQL schema. On `go` it places every
 * checkout it is given at once (the same keys every replica is given), approves the withdrawal it is given, and
 * answers `done` with each checkout's outcome: the order's id, or the refusal's reason. On `extend` it sets its clock
 * to `now` and pays the same extension (one subscription, one key) `times` at once, answering `extended` with whether
 * each call was a replay.
 */
import pg from 'pg';
import { createPanelkit } from '@panelkit/sdk';
import { StorefrontRefusedError } from '@panelkit/sdk/storefronts';
import { FakePanelAdapter, ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage, fromPgPool } from '../../src/index.js';

interface Go {
  type: 'go';
  checkouts: { customerId: string; planId: string; key: string }[];
  withdrawalId: string;
}

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

interface Extend {
  type: 'extend';
  now: string;
  subscriptionId: string;
  key: string;
  times: number;
}

process.on('message', async (message: Go | Extend | { type: 'stop' }) => {
  if (message.type === 'stop') {
    await storage.close();
    await pool.end();
    process.exit(0);
  }
  if (message.type === 'extend') {
    try {
      clock.set(message.now);
      const { subscriptionId, key } = message;
      const calls = Array.from({ length: message.times }, () => kit.extend({ subscriptionId, idempotencyKey: key }));
      const replayed = (await Promise.all(calls)).map((r) => r.replayed);
      process.send?.({ type: 'extended', replayed });
    } catch (error) {
      process.send?.({ type: 'failed', error: String(error) });
    }
    return;
  }
  try {
    const outcomes = await Promise.all(
      message.checkouts.map(async ({ customerId, planId, key }) => {
        try {
          const { order } = await kit.checkout({ customerId, items: [{ planId }], idempotencyKey: key });
          return { key, orderId: order.id };
        } catch (error) {
          if (StorefrontRefusedError.is(error)) return { key, refused: error.reason };
          throw error;
        }
      }),
    );
    const approval = await kit.payouts.approve(message.withdrawalId);
    process.send?.({ type: 'done', outcomes, approved: approval.changed });
  } catch (error) {
    process.send?.({ type: 'failed', error: String(error) });
  }
});
process.send?.({ type: 'ready' });
