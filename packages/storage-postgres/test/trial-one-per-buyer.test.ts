import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPanelkit, EligibilityError } from '@panelkit/sdk';
import type { CheckoutResult, Panelkit, Plan } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import { FakePanelAdapter, ManualClock } from '@panelkit/sdk/testing';
import type pg from 'pg';
import { createPostgresStorage, fromPgPool } from '../src/index.js';
import { SKIP_REAL_SERVER, newPool } from './helpers.js';
import { interceptRepositoryCalls } from './support/repository-calls.js';
import { type TakenSchema, takeMigratedSchema } from './support/schema-pool.js';

/** A point `parties` callers wait at until the last of them arrives. */
function meeting(parties: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    if (++arrived === parties) open();
    return opened;
  };
}

/**
 * `storage` whose transactions each stop after their first read of a customer's subscriptions (a checkout's look at
 * the buyer's earlier trials, before any claim) until every racing checkout has made that read: all of them have
 * seen no trial yet when the first one claims. Later reads pass.
 */
function afterFirstTrialRead(storage: StoragePort, meet: () => Promise<void>): StoragePort {
  return interceptRepositoryCalls(storage, ['subscriptions', 'listByCustomer'], () => {
    let met = false;
    return async (call) => {
      if (met) return call();
      const page = await call();
      met = true;
      await meet();
      return page;
    };
  });
}

describe.skipIf(SKIP_REAL_SERVER !== false)('one trial per buyer across replicas (real PostgreSQL)', () => {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  let taken: TakenSchema;
  const pools: pg.Pool[] = [];
  const storages: StoragePort[] = [];
  let plan: Plan;

  beforeAll(async () => {
    pools.push(newPool(3), newPool(3));
    taken = await takeMigratedSchema(fromPgPool(pools[0]!), { clock });
    const { schema } = taken;
    storages.push(...pools.map((pool) => createPostgresStorage({ client: fromPgPool(pool), schema, clock })));
    const storage = storages[0]!;
    const panel = await storage.panels.create({
      kind: 'fake',
      name: 'panel',
      baseUrl: 'https://panel.example.com/',
      credentials: { type: 'token', token: 't' },
      locationTags: ['de'],
    });
    await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 'vless', protocol: 'vless', capacity: null, isDefault: true });
    plan = await storage.plans.create({
      name: 'monthly',
      family: 'standard',
      price: { amount: 1000, currency: 'USD' },
      durationDays: 30,
      trafficBytes: 1024 ** 3,
      trial: { days: 1, trafficBytes: 1024 ** 2 },
    });
  });
  afterAll(async () => {
    await Promise.all(storages.map((s) => s.close()));
    await taken.giveBack();
    await Promise.all(pools.map((p) => p.end()));
  });

  /** One kit a replica, each on its own pool, whose checkouts meet after their first read of the buyer's trials. */
  function replicas(): Panelkit[] {
    const meet = meeting(storages.length);
    return storages.map((storage) =>
      createPanelkit({
        storage: afterFirstTrialRead(storage, meet),
        clock,
        panels: () => new FakePanelAdapter({ clock }),
        policy: { identity: { secret: 'replica-test-secret-0123456789', prefix: 'pk' } },
      }),
    );
  }

  const trialsOf = async (customerId: string) => (await storages[0]!.subscriptions.listByCustomer(customerId, { limit: 10 })).items;

  it.each([
    ['a buyer with an e-mail', { email: 'racer@example.com' }],
    ['a buyer with a Telegram id', { telegramId: '5150' }],
    ['a customer record alone (no e-mail, no Telegram id)', {}],
  ])('%s sending two trial checkouts with two keys, one to each replica, gets one trial', { timeout: 60_000 }, async (_, fields) => {
    const customer = await storages[0]!.customers.create(fields);
    const results = await Promise.allSettled(
      replicas().map((kit, i) =>
        kit.checkout({ customerId: customer.id, items: [{ planId: plan.id, trial: true }], idempotencyKey: `key-${i}` }),
      ),
    );
    const given = results.filter((r) => r.status === 'fulfilled');
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(given).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(EligibilityError.is(refused[0]) && refused[0].reasons).toEqual(['already_used']);
    expect(await trialsOf(customer.id)).toHaveLength(1);
    // The owner sees the refusal as this customer's own earlier trial.
    const refusals = await replicas()[0]!.trials.refusals({ limit: 10 }, { customerId: customer.id });
    expect(refusals.items.map((r) => [r.reason, r.matched])).toEqual([['already_used', ['account']]]);
  });

  it('the same key sent to both replicas at once is one order: the second replays it, never refused', { timeout: 60_000 }, async () => {
    const customer = await storages[0]!.customers.create({});
    const results: CheckoutResult[] = await Promise.all(
      replicas().map((kit) => kit.checkout({ customerId: customer.id, items: [{ planId: plan.id, trial: true }], idempotencyKey: 'same' })),
    );
    expect(new Set(results.map((r) => r.order.id)).size).toBe(1);
    expect(results.map((r) => r.replayed).sort()).toEqual([false, true]);
    expect(await trialsOf(customer.id)).toHaveLength(1);
  });
});
