/**
 * One replica of `sharing-processes.test.ts`: a kit on the test's PostgreSQL schema. On `go` it accepts its invite
 * for its customer (`kit.sharing.accept`) and says `done` with what happened: joined, or the refusal's reason.
 */
import pg from 'pg';
import { createPanelkit, EligibilityError } from '@panelkit/sdk';
import { FakePanelAdapter, ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage, fromPgPool } from '../../src/index.js';

const clock = new ManualClock(process.env['NOW']!);
const pool = new pg.Pool({ connectionString: process.env['DATABASE_URL'], max: 2 });
const storage = createPostgresStorage({ client: fromPgPool(pool), schema: process.env['SCHEMA']!, clock });
const fake = new FakePanelAdapter({ clock });
const kit = createPanelkit({
  storage,
  clock,
  panels: () => fake,
  policy: { identity: { secret: 'replica-test-secret-0123456789', prefix: 'pk' } },
  random: () => 0.5,
});

process.on('message', async (message: { type: 'go' | 'stop' }) => {
  if (message.type === 'stop') {
    await storage.close();
    await pool.end();
    process.exit(0);
  }
  try {
    const accepted = await kit.sharing.accept({ token: process.env['INVITE']!, customerId: process.env['CUSTOMER']! });
    process.send?.({ type: 'done', outcome: `joined:${accepted.subscription.id}` });
  } catch (error) {
    if (EligibilityError.is(error)) process.send?.({ type: 'done', outcome: error.reasons[0] });
    else process.send?.({ type: 'failed', error: String(error) });
  }
});
process.send?.({ type: 'ready' });
