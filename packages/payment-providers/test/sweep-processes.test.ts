import { type ChildProcess, fork } from 'node:child_process';
import { resolve } from 'node:path';
import { ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledEntry } from '../../../scripts/test-support/bundled-entry.js';
import { DATABASE_URL, newPool, SKIP_REAL_SERVER } from '../../storage-postgres/test/helpers.js';
import { takeMigratedSchema } from '../../storage-postgres/test/support/schema-pool.js';
import { YooKassaSimulator } from '../src/simulators.js';
import { YOOKASSA_PROVIDER, yookassaProvider } from '../src/yookassa.js';
import { testKit } from './support/kit.js';

const REPLICAS = 3;
// YooKassa lets one buyer have five payments waiting.
const PAYMENTS = 5;

describe.skipIf(SKIP_REAL_SERVER !== false)('the sweep across OS processes (real PostgreSQL)', () => {
  const pool = SKIP_REAL_SERVER === false ? newPool(3) : null;
  const children: ChildProcess[] = [];
  /** Stops the replicas and waits for them to end (their pools closed). */
  const stopChildren = async () => {
    const exited = children.map((c) =>
      c.exitCode === null && c.signalCode === null ? new Promise((done) => c.once('exit', done)) : undefined,
    );
    for (const child of children) child.connected ? child.send({ type: 'stop' }) : child.kill();
    await Promise.all(exited);
  };
  afterAll(async () => {
    await stopChildren();
    await pool?.end();
  });

  it('three replicas sweeping at once, with some notifications arriving too, credit each paid payment once', {
    timeout: 120_000,
  }, async () => {
    const sim = await new YooKassaSimulator().start();
    const client = fromPgPool(pool!);
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const { schema, giveBack } = await takeMigratedSchema(client, { clock });
    try {
      const storage = createPostgresStorage({ client, schema, clock });
      const kit = testKit(storage, clock, [
        yookassaProvider({
          api: { baseUrl: sim.url, shopId: sim.shopId, secretKey: sim.secretKey },
          callbackUrl: (id) => `http://127.0.0.1:9/return/${id}`,
        }),
      ]);
      const buyer = (await storage.customers.create({ email: 'sweep@example.com' })).id;
      const refs: string[] = [];
      for (let i = 0; i < PAYMENTS; i++) {
        const started = await kit.payments.start({
          customerId: buyer,
          providerId: YOOKASSA_PROVIDER,
          amount: { amount: 10_000 + i, currency: 'RUB' },
        });
        if (!started.ok) throw new Error(started.reason);
        refs.push(started.payment.externalRef!);
      }
      // All but the last are paid; none of their notifications has come.
      for (const ref of refs.slice(0, -1)) await sim.pay(ref, { deliveries: 0 });
      const paidTotal = Array.from({ length: PAYMENTS - 1 }, (_, i) => 10_000 + i).reduce((a, b) => a + b, 0);

      const entry = await bundledEntry(resolve(import.meta.dirname, 'support/sweep-replica.ts'));
      const env = {
        ...process.env,
        PANELKIT_TEST_DATABASE_URL: DATABASE_URL!,
        SCHEMA: schema,
        NOW: new Date(clock.now().getTime() + 5 * 60_000).toISOString(),
        YOOKASSA_URL: sim.url,
        YOOKASSA_SHOP: sim.shopId,
        YOOKASSA_KEY: sim.secretKey,
      };
      for (let i = 0; i < REPLICAS; i++)
        children.push(fork(entry, [], { env, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
      const next = (child: ChildProcess, type: string) =>
        new Promise<{ credited?: number; unreachable?: number }>((done, fail) => {
          const onMessage = (m: { type: string; error?: string; credited?: number; unreachable?: number }) => {
            if (m.type === 'failed') fail(new Error(m.error));
            if (m.type === type) child.off('message', onMessage), done(m);
          };
          child.on('message', onMessage);
          child.once('exit', (code) => fail(new Error(`a replica exited with ${code}`)));
        });
      await Promise.all(children.map((c) => next(c, 'ready')));
      const swept = children.map((c) => next(c, 'done'));
      for (const child of children) child.send({ type: 'go' });
      // Two late notifications race the sweeps (delivered to this process's kit); the other paid ones only the
      // replicas' sweeps can credit, all three asking about each at once.
      const notified = refs.slice(0, 2).map((ref) =>
        kit.payments.handleCallback(YOOKASSA_PROVIDER, {
          headers: {},
          body: null,
          rawBody: sim.notification('payment.succeeded', ref),
          query: {},
        }),
      );
      const [sweeps, callbacks] = await Promise.all([Promise.all(swept), Promise.all(notified)]);

      expect(sweeps.every((s) => s.unreachable === 0)).toBe(true);
      const bySweeps = sweeps.reduce((sum, s) => sum + (s.credited ?? 0), 0);
      const byNotifications = callbacks.filter((c) => c.outcome === 'credited').length;
      expect(bySweeps + byNotifications).toBe(PAYMENTS - 1);
      expect(bySweeps).toBeGreaterThanOrEqual(PAYMENTS - 1 - 2);
      expect(await storage.ledger.balance(buyer, 'RUB')).toBe(paidTotal);
      const payments = (await storage.payments.list({ customerId: buyer }, { limit: 50 })).items;
      expect(payments.filter((p) => p.status === 'credited')).toHaveLength(PAYMENTS - 1);
      expect(payments.filter((p) => p.status === 'pending')).toHaveLength(1);
    } finally {
      await sim.close();
      // Given back to the pool once nothing uses it: the replicas' pools closed with them.
      await stopChildren();
      await giveBack();
    }
  });
});
