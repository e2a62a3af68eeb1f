import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPanelkit } from '@panelkit/sdk';
import type { CheckoutResult, NewDiscountCode, Panelkit, Plan } from '@panelkit/sdk';
import type { StoragePort, StorageRepositories } from '@panelkit/sdk/storage';
import { FakePanelAdapter, ManualClock } from '@panelkit/sdk/testing';
import type pg from 'pg';
import { createPostgresStorage, fromPgPool, migrate } from '../src/index.js';
import { SKIP_REAL_SERVER, dropSchema, newPool, uniqueSchema } from './helpers.js';

/** A repository call a submission makes before its transaction's first lock, whose answer can refuse it. */
type Read = { [R in keyof StorageRepositories]: [R, keyof StorageRepositories[R] & string] }[keyof StorageRepositories];

/**
 * `storage` whose next transaction, at its first `read`, first lets `meanwhile` run to its end (the same key's first
 * submission committing on another replica) and then makes the read: whatever that transaction read before (its
 * checkout's context: no order under the key) is from before that commit, whatever it reads from here on sees it.
 */
function windowAt(storage: StoragePort, [repoName, method]: Read, meanwhile: () => Promise<unknown>) {
  let armed = true;
  let opened = false;
  const wrapped = new Proxy(storage, {
    get(inner, name) {
      if (name !== 'transaction') {
        const value: unknown = Reflect.get(inner, name, inner);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(inner) : value;
      }
      return ((fn) =>
        inner.transaction((tx) => {
          const repo = Reflect.get(tx, repoName, tx) as object;
          const stopping = new Proxy(repo, {
            get(target, key) {
              const call: unknown = Reflect.get(target, key, target);
              if (typeof call !== 'function') return call;
              if (key !== method || !armed) return (call as (...a: unknown[]) => unknown).bind(target);
              return async (...args: unknown[]) => {
                armed = false;
                await meanwhile();
                opened = true;
                return (call as (...a: unknown[]) => Promise<unknown>).apply(target, args);
              };
            },
          });
          return fn(new Proxy(tx, { get: (t, key) => (key === repoName ? stopping : Reflect.get(t, key, t)) }));
        })) as StoragePort['transaction'];
    },
  });
  return { storage: wrapped, opened: () => opened };
}

/**
 * One buyer submits one checkout (or gift) twice under one idempotency key, to two replicas (a double tap, a retried
 * request), and the first submission commits inside the second's window: after the second's read of the key found
 * nothing, before its first lock. The second's reads from there on see what the first wrote (the trial it took, the
 * code's use, the paid order, the wallet it spent), and each of them could refuse it; it must replay the first's order
 * (or gift) instead. Deterministic: the second's transaction runs the first to its commit at the read that decides (see
 * `windowAt`).
 */
describe.skipIf(SKIP_REAL_SERVER !== false)(
  'one key from two replicas, the first committing before the second locks (real PostgreSQL)',
  () => {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const schema = uniqueSchema();
    const pools: pg.Pool[] = [];
    const storages: StoragePort[] = [];
    let plan: Plan;
    let kit: Panelkit;

    beforeAll(async () => {
      pools.push(newPool(2), newPool(2));
      await migrate(fromPgPool(pools[0]!), { schema, clock });
      storages.push(...pools.map((pool) => createPostgresStorage({ client: fromPgPool(pool), schema, clock })));
      const storage = storages[0]!;
      const panel = await storage.panels.create({
        kind: 'fake',
        name: 'panel',
        baseUrl: 'https://panel.example.com/',
        credentials: { type: 'token', token: 't' },
        locationTags: ['de'],
      });
      await storage.targets.create({
        panelId: panel.id,
        remoteRef: '1',
        name: 'vless',
        protocol: 'vless',
        capacity: null,
        isDefault: true,
      });
      plan = await storage.plans.create({
        name: 'monthly',
        family: 'standard',
        price: { amount: 1000, currency: 'USD' },
        durationDays: 30,
        trafficBytes: 1024 ** 3,
        trial: { days: 1, trafficBytes: 1024 ** 2 },
      });
      kit = replica(storage);
    });
    afterAll(async () => {
      await Promise.all(storages.map((s) => s.close()));
      await dropSchema(fromPgPool(pools[0]!), schema);
      await Promise.all(pools.map((p) => p.end()));
    });

    function replica(storage: StoragePort): Panelkit {
      return createPanelkit({
        storage,
        clock,
        panels: () => new FakePanelAdapter({ clock }),
        policy: { identity: { secret: 'replica-test-secret-0123456789', prefix: 'pk' } },
      });
    }

    /** One submission twice: the first on replica 0, the second on replica 1 with the first inside its window at `read`. */
    async function submitTwice<T>(submit: (replica: Panelkit) => Promise<T>, read: Read): Promise<[T, T]> {
      let first: T | undefined;
      const window = windowAt(storages[1]!, read, async () => {
        first = await submit(kit);
      });
      const second = await submit(replica(window.storage));
      expect(window.opened()).toBe(true);
      return [first!, second];
    }

    function expectOneOrder([first, second]: [CheckoutResult, CheckoutResult]) {
      expect(first.replayed).toBe(false);
      expect(second).toMatchObject({ replayed: true, order: { id: first.order.id } });
      expect(second.subscriptions.map((s) => s.id)).toEqual(first.subscriptions.map((s) => s.id));
    }

    it("a trial: the second's look at the buyer's trials sees the first's; it replays that order, no refusal recorded", async () => {
      const customer = await storages[0]!.customers.create({ email: 'twice@example.com' });
      const request = { customerId: customer.id, items: [{ planId: plan.id, trial: true }], idempotencyKey: 'trial-twice' };
      expectOneOrder(await submitTwice((k) => k.checkout(request), ['subscriptions', 'listByCustomer']));
      expect((await storages[0]!.subscriptions.listByCustomer(customer.id, { limit: 10 })).items).toHaveLength(1);
      expect((await kit.trials.refusals({ limit: 10 }, { customerId: customer.id })).items).toEqual([]);
    });

    it.each<[string, Partial<NewDiscountCode>]>([
      ['its last use (exhausted)', { maxUses: 1 }],
      ['its one use per customer (customer_exhausted)', { maxUsesPerCustomer: 1 }],
      ['a first purchase only (not_first_purchase)', { firstPurchaseOnly: true }],
    ])("a discount code, the first taking %s: the second's quote sees it; it replays that order", async (_, limits) => {
      const customer = await storages[0]!.customers.create({});
      await kit.topUp({ customerId: customer.id, amount: { amount: 2000, currency: 'USD' }, idempotencyKey: `fund-${customer.id}` });
      const code = await kit.createDiscountCode({
        code: `HALF${Object.keys(limits)[0]!.toUpperCase()}`,
        value: { type: 'percent', percent: 50 },
        ...limits,
      });
      const request = { customerId: customer.id, items: [{ planId: plan.id }], idempotencyKey: 'paid-twice', discountCode: code.code };
      expectOneOrder(await submitTwice((k) => k.checkout(request), ['discounts', 'getByCode']));
      expect((await storages[0]!.orders.list({ customerId: customer.id }, { limit: 10 })).items).toHaveLength(1);
      expect(await storages[0]!.discounts.get(code.id)).toMatchObject({ uses: 1 });
      expect(await storages[0]!.ledger.balance(customer.id, 'USD')).toBe(1500);
    });

    it("a gift from a wallet that pays for one: the second's debit finds the wallet spent; it replays that gift", async () => {
      const customer = await storages[0]!.customers.create({});
      await kit.topUp({ customerId: customer.id, amount: plan.price, idempotencyKey: `fund-${customer.id}` });
      const request = { customerId: customer.id, planId: plan.id, validDays: 30, idempotencyKey: 'gift-twice' };
      const [first, second] = await submitTwice((k) => k.gifts.buy(request), ['ledger', 'append']);
      expect(first.replayed).toBe(false);
      expect(second).toMatchObject({ replayed: true, debit: null, gift: { id: first.gift.id } });
      expect(await storages[0]!.ledger.balance(customer.id, 'USD')).toBe(0);
    });
  },
);
