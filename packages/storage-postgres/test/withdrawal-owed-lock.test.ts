/**
 * A reseller's withdrawal keeps on the payout balance what their wallet owes. A wallet debit committing while the
 * withdrawal is judged must be seen: the withdrawal waits for the reseller's lock (the one every ledger append takes)
 * and is judged on what the debit left.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createPanelkit } from '@panelkit/sdk';
import { FakePanelAdapter, ManualClock } from '@panelkit/sdk/testing';
import type pg from 'pg';
import { createPostgresStorage, fromPgPool } from '../src/index.js';
import { SKIP_REAL_SERVER, newPool } from './helpers.js';
import { takeMigratedSchema } from './support/schema-pool.js';

const usd = (amount: number) => ({ amount, currency: 'USD' });

describe.skipIf(SKIP_REAL_SERVER !== false)('a withdrawal against a concurrent wallet debit (real PostgreSQL)', () => {
  const pools: pg.Pool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
  });

  it('waits for the debit under way and refuses what it would leave owed; nothing held', { timeout: 60_000 }, async () => {
    const pool = newPool(4);
    const watcher = newPool(1);
    pools.push(pool, watcher);
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const { schema, giveBack } = await takeMigratedSchema(fromPgPool(pool), { clock });
    const storage = createPostgresStorage({ client: fromPgPool(pool), schema, clock });
    const fake = new FakePanelAdapter({ clock });
    const kit = createPanelkit({
      storage,
      clock,
      panels: () => fake,
      policy: { identity: { secret: 'owed-lock-test-secret-0123456789', prefix: 'pk' } },
    });
    try {
      const reseller = await storage.customers.create({ email: 'reseller@example.com' });
      const plan = await storage.plans.create({
        name: 'monthly',
        family: 'standard',
        price: usd(1000),
        durationDays: 30,
        trafficBytes: 1024 ** 3,
      });
      await kit.resellers.setPrice({ customerId: reseller.id, planId: plan.id, price: usd(700) });
      await storage.ledger.setCreditLimit({ customerId: reseller.id, currency: 'USD', amount: 1_000 });
      await kit.storefronts.create({ resellerId: reseller.id, name: 'Fast VPN' });
      await kit.payouts.credit({ partnerId: reseller.id, kind: 'adjustment', amount: usd(1_000), idempotencyKey: 'open', note: 'opening' });

      // A debit of the reseller's wallet, on credit, holding its lock until the test lets it commit.
      let locked!: () => void;
      let release!: () => void;
      const isLocked = new Promise<void>((done) => (locked = done));
      const gate = new Promise<void>((done) => (release = done));
      const debit = storage.transaction(async (tx) => {
        await tx.ledger.append({
          customerId: reseller.id,
          kind: 'purchase',
          amount: -800,
          currency: 'USD',
          idempotencyKey: 'own-purchase',
          actor: { type: 'system' },
        });
        locked();
        await gate;
      });
      await isLocked;

      const asked = kit.payouts.request({ partnerId: reseller.id, amount: usd(500), destination: 'card', idempotencyKey: 'w1' }).then(
        (r) => ({ settled: 'ok' as const, r }),
        (e: unknown) => ({ settled: 'refused' as const, e }),
      );
      // The withdrawal must be waiting on a lock before the debit commits; settling first means it read around it.
      let watching = true;
      const waiting = (async () => {
        while (watching) {
          const { rows } = await watcher.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1`,
            [`%${schema}%`],
          );
          if (rows[0].n > 0) return 'waiting' as const;
          await new Promise((done) => setTimeout(done, 20));
        }
        return 'stopped' as const;
      })();
      const first = await Promise.race([waiting, asked.then(() => 'settled' as const)]);
      watching = false;
      release();
      await debit;
      expect(first).toBe('waiting');

      const outcome = await asked;
      expect(outcome.settled).toBe('refused');
      expect(outcome).toMatchObject({ e: { reason: 'owes_wholesale', details: { owed: 800, available: 200 } } });
      expect(await kit.payouts.positions(reseller.id)).toEqual([{ currency: 'USD', available: 1_000, held: 0 }]);
      const ok = await kit.payouts.request({ partnerId: reseller.id, amount: usd(200), destination: 'card', idempotencyKey: 'w2' });
      expect(ok.changed).toBe(true);
    } finally {
      await storage.close();
      await giveBack();
    }
  });
});
