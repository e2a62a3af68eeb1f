/**
 * The engine's transactions take row locks in one order (customer, subscription, target, plan, order,
 * jobs; see `StoragePort.transaction`), so a buyer's checkout and the worker's or an admin's work on
 * the same customer wait for each other instead of deadlocking. Each race is put in a fixed order: the
 * worker's (or admin's) transaction stops holding its slot's locks until the buyer's checkout is seen
 * waiting for a lock, then goes on. Both storages give up at the first deadlock (`maxAttempts: 1`).
 */
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { PanelRejectedError } from '@panelkit/sdk';
import type { PanelAdapter } from '@panelkit/sdk/adapter';
import { ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';
import { gatedStorage, type Gate } from './support/gated-storage.js';
import { PANEL_KINDS } from './support/kinds.js';
import { createTestEngine, openShop, type Shop } from './support/shop.js';
import { migratedSchemaFor } from '../../../packages/storage-postgres/test/support/schema-pool.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const SKIP = DATABASE_URL === undefined || DATABASE_URL === '' ? 'PANELKIT_TEST_DATABASE_URL is not set' : false;
const KIND = PANEL_KINDS.find((k) => k.label === '3x-ui v3.6 (Gen B)')!;

/** The rig's adapter, except that the panel refuses every new client for good. */
function refusingAdapter(adapter: PanelAdapter): PanelAdapter {
  return new Proxy(adapter, {
    get(target, property) {
      if (property === 'createClients') {
        return async () => {
          throw new PanelRejectedError('the panel refuses new clients', { panelKind: target.kind, operation: 'createClients' });
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

interface Rig {
  shop: Shop;
  /** The buyer's side: the shop's engine on its own pool. */
  buyer: Shop['kit'];
  /** The worker's and admin's side: another pool, transactions that stop at an armed gate, a refusing panel. */
  back: ReturnType<typeof createTestEngine>;
  gated: ReturnType<typeof gatedStorage>;
  /** Resolves once some connection of this test's schema waits for a row lock. */
  someoneWaits(): Promise<void>;
}

async function withRig(test: (rig: Rig) => Promise<void>): Promise<void> {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const pools = [1, 4, 4].map((max) => new pg.Pool({ connectionString: DATABASE_URL, max }));
  const [admin, buyerPool, backPool] = pools as [pg.Pool, pg.Pool, pg.Pool];
  const { schema, giveBack } = await migratedSchemaFor(fromPgPool(admin), clock);
  const buyerStorage = createPostgresStorage({ client: fromPgPool(buyerPool), schema, clock, maxAttempts: 1 });
  const backStorage = createPostgresStorage({ client: fromPgPool(backPool), schema, clock, maxAttempts: 1 });
  const gated = gatedStorage(backStorage);
  let shop: Shop | undefined;
  try {
    shop = await openShop({ clock, storage: buyerStorage, rig: KIND.make(clock) });
    const back = createTestEngine({ storage: gated.storage, clock, adapter: refusingAdapter(shop.adapter), workerId: 'back' });
    const someoneWaits = async () => {
      for (;;) {
        const { rows } = await admin.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%' || $1 || '%'`,
          [schema],
        );
        if ((rows[0]?.n ?? 0) > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    await test({ shop, buyer: shop.kit, back, gated, someoneWaits });
    await back.worker.stop({ timeoutMs: 1_000 });
  } finally {
    await shop?.close();
    await buyerStorage.close();
    await backStorage.close();
    await giveBack();
    await Promise.all(pools.map((p) => p.end()));
  }
}

/** Runs `holder` until it stops at `gate`, starts `checkout`, lets `holder` go once the checkout waits for a lock. */
async function race<A, B>(gate: Gate, holder: () => Promise<A>, checkout: () => Promise<B>, someoneWaits: () => Promise<void>) {
  const held = holder();
  await Promise.race([gate.reached, held]);
  const buying = checkout();
  await Promise.race([someoneWaits(), buying]);
  gate.open();
  return Promise.allSettled([held, buying]);
}

describe.skipIf(SKIP !== false)(`the engine's lock order on a PostgreSQL server${SKIP === false ? '' : ` (skipped: ${SKIP})`}`, () => {
  it("a failed provisioning's refund and the same buyer's next checkout on its target both commit", { timeout: 60_000 }, async () => {
    await withRig(async ({ shop, buyer, back, gated, someoneWaits }) => {
      const price = shop.plan.price.amount;
      const customerId = await shop.customer(2 * price);
      const first = await buyer.checkout({ customerId, items: [{ planId: shop.plan.id }], idempotencyKey: 'first' });
      // The second checkout buys a plan on the same target that provisions on an admin's word (no job): the
      // drain, still running when it commits, cannot take its job and fail it too.
      const manual = await shop.storage.plans.create({
        name: 'manual',
        family: 'standard',
        price: shop.plan.price,
        durationDays: 30,
        trafficBytes: null,
        autoProvision: false,
        placement: { preferredTargetIds: [shop.target.id] },
      });
      // The worker's refund stops once it has released the slot (customer, target and plan locked).
      const gate = gated.arm('release');
      const [drained, second] = await race(
        gate,
        () => back.worker.drain(),
        () => buyer.checkout({ customerId, items: [{ planId: manual.id }], idempotencyKey: 'second' }),
        someoneWaits,
      );
      expect(second.status === 'rejected' ? String(second.reason) : 'ok').toBe('ok');
      expect(drained.status).toBe('fulfilled');
      const sub = await shop.storage.subscriptions.get(first.subscriptions[0]!.id);
      expect(sub).toMatchObject({ status: 'failed' });
      // Paid twice, refunded once.
      expect(await shop.balance(customerId)).toBe(price);
      expect(await shop.storage.plans.get(shop.plan.id)).toMatchObject({ allocated: 0 });
      expect(await shop.storage.plans.get(manual.id)).toMatchObject({ allocated: 1 });
      expect(await shop.storage.targets.get(shop.target.id)).toMatchObject({ allocated: 1 });
    });
  });

  it("an admin's retry of a failed subscription and the same buyer's checkout on its target both commit", { timeout: 60_000 }, async () => {
    await withRig(async ({ shop, buyer, back, gated, someoneWaits }) => {
      const price = shop.plan.price.amount;
      const customerId = await shop.customer(2 * price);
      const first = await buyer.checkout({ customerId, items: [{ planId: shop.plan.id }], idempotencyKey: 'first' });
      await back.worker.drain();
      const id = first.subscriptions[0]!.id;
      expect(await shop.storage.subscriptions.get(id)).toMatchObject({ status: 'failed' });
      // The admin's retry stops once it has taken a slot again (target and plan locked).
      const gate = gated.arm('reserve');
      const [retried, second] = await race(
        gate,
        () => back.kit.retryFailed({ subscriptionId: id }),
        () => buyer.checkout({ customerId, items: [{ planId: shop.plan.id }], idempotencyKey: 'second' }),
        someoneWaits,
      );
      expect(second.status === 'rejected' ? String(second.reason) : 'ok').toBe('ok');
      expect(retried.status === 'rejected' ? String(retried.reason) : 'ok').toBe('ok');
      expect(await shop.storage.subscriptions.get(id)).toMatchObject({ status: 'pending' });
      expect(await shop.balance(customerId)).toBe(0);
      expect(await shop.storage.plans.get(shop.plan.id)).toMatchObject({ allocated: 2 });
    });
  });
});
