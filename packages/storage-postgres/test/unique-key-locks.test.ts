import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@panelkit/sdk/testing';
import type pg from 'pg';
import { createPostgresStorage, fromPgPool } from '../src/index.js';
import { SKIP_REAL_SERVER, newPool } from './helpers.js';
import { takeMigratedSchema } from './support/schema-pool.js';

/**
 * A write that changes a unique key column (a customer's email) is locked `FOR UPDATE` by PostgreSQL,
 * which conflicts with the `KEY SHARE` a foreign key takes. Racing a checkout that has inserted its
 * order (`KEY SHARE` on the customer) and is about to debit, it must take that lock from the start and
 * wait; locking `FOR NO KEY UPDATE` first and upgrading in the `UPDATE` deadlocks with the debit.
 */
const TITLE = `unique-key changes on a PostgreSQL server${SKIP_REAL_SERVER === false ? '' : ` (skipped: ${SKIP_REAL_SERVER})`}`;

describe.skipIf(SKIP_REAL_SERVER !== false)(TITLE, () => {
  const pools: pg.Pool[] = [];
  /** Gives the test's schema back to the pool of migrated schemas, once the storages' pools closed. */
  let giveBack: (() => Promise<void>) | undefined;

  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.end()));
    await giveBack?.();
    giveBack = undefined;
  });

  it("a customer's email change racing their checkout waits for it instead of deadlocking", async () => {
    const clock = new ManualClock();
    const admin = newPool(1);
    const taken = await takeMigratedSchema(fromPgPool(admin), { clock });
    const schema = taken.schema;
    giveBack = () => taken.giveBack().finally(() => admin.end());
    const [buyerPool, profilePool] = [2, 2].map((max) => {
      const pool = newPool(max);
      pools.push(pool);
      return pool;
    }) as [pg.Pool, pg.Pool];
    // No retries: a deadlock fails the test instead of being rerun away.
    const buyer = createPostgresStorage({ client: fromPgPool(buyerPool), schema, clock, maxAttempts: 1 });
    const profile = createPostgresStorage({ client: fromPgPool(profilePool), schema, clock, maxAttempts: 1 });
    const customer = await buyer.customers.create({ email: 'old@example.com' });
    const price = { amount: 100, currency: 'USD' };
    const system = { type: 'system' } as const;
    const plan = await buyer.plans.create({ name: 'plan', family: 'f', price, durationDays: 30, trafficBytes: null });
    await buyer.ledger.append({
      customerId: customer.id,
      kind: 'top_up',
      amount: 100,
      currency: 'USD',
      idempotencyKey: 'top-up',
      actor: system,
    });

    let ordered!: () => void;
    const orderInserted = new Promise<void>((resolve) => (ordered = resolve));
    let letDebit!: () => void;
    const debitAllowed = new Promise<void>((resolve) => (letDebit = resolve));
    const checkout = buyer.transaction(async (tx) => {
      const order = await tx.orders.create({
        customerId: customer.id,
        items: [{ planId: plan.id, quantity: 1, unitPrice: price, trial: false }],
        total: price,
        idempotencyKey: 'checkout',
        requestHash: 'h',
      });
      ordered();
      await debitAllowed;
      const debit = {
        customerId: customer.id,
        kind: 'purchase',
        amount: -100,
        currency: 'USD',
        idempotencyKey: `purchase:${order.id}`,
      } as const;
      await tx.ledger.append({ ...debit, actor: system });
    });
    await orderInserted;
    const emailChange = profile.customers.update(customer.id, { email: 'new@example.com' });
    // Let the checkout debit once the email change waits for a row lock (or has finished).
    const waiting = async () => {
      for (;;) {
        const { rows } = await admin.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%' || $1 || '%'`,
          [schema],
        );
        if ((rows[0]?.n ?? 0) > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    await Promise.race([waiting(), emailChange]);
    letDebit();
    const outcomes = await Promise.allSettled([checkout, emailChange]);
    expect(outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : 'ok'))).toEqual(['ok', 'ok']);
    expect(await buyer.customers.get(customer.id)).toMatchObject({ email: 'new@example.com' });
    expect(await buyer.ledger.balance(customer.id, 'USD')).toBe(0);
    await buyer.close();
    await profile.close();
  });
});
