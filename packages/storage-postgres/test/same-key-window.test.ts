import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPanelkit } from '@panelkit/sdk';
import type { CheckoutResult, NewDiscountCode, Panelkit, Plan } from '@panelkit/sdk';
import type { StorefrontQuotasInput } from '@panelkit/sdk/storefronts';
import type { StoragePort } from '@panelkit/sdk/storage';
import { FakePanelAdapter, ManualClock } from '@panelkit/sdk/testing';
import type pg from 'pg';
import { createPostgresStorage, fromPgPool } from '../src/index.js';
import { SKIP_REAL_SERVER, newPool } from './helpers.js';
import { interceptRepositoryCalls, type RepositoryMethod } from './support/repository-calls.js';
import { type TakenSchema, takeMigratedSchema } from './support/schema-pool.js';

/**
 * `storage` whose next transaction, at its first call of `read` (a read the submission makes before its first lock,
 * whose answer can refuse it), first lets `meanwhile` run to its end (the same key's first submission committing on
 * another replica) and then makes the read: whatever that transaction read before (its checkout's context: no order
 * under the key) is from before that commit, whatever it reads from here on sees it.
 */
function windowAt(storage: StoragePort, read: RepositoryMethod, meanwhile: () => Promise<unknown>) {
  let armed = true;
  let opened = false;
  const wrapped = interceptRepositoryCalls(storage, read, () => async (call) => {
    if (!armed) return call();
    armed = false;
    await meanwhile();
    opened = true;
    return call();
  });
  return { storage: wrapped, opened: () => opened };
}

/**
 * One buyer submits one checkout, gift or change to a subscription (an extension, a bundle's, a traffic top-up, a plan
 * change) twice under one idempotency key, to two replicas (a double tap, a retried request), and the first submission
 * commits inside the second's window: after the second's read of the key found nothing, before a lock rechecks it. The
 * second's reads from there on see what the first wrote (the trial it took, the code's use, the paid order, the wallet
 * it spent, the plan's last slot, the storefront's quota its applied change filled), and each of them could refuse it;
 * it must replay the first's order (gift, change) instead. Deterministic: the second's transaction runs the first to its
 * commit at the read that decides (see `windowAt`).
 */
describe.skipIf(SKIP_REAL_SERVER !== false)(
  'one key from two replicas, the first committing before the second locks (real PostgreSQL)',
  () => {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    let taken: TakenSchema;
    const pools: pg.Pool[] = [];
    const storages: StoragePort[] = [];
    let plan: Plan;
    let kit: Panelkit;

    beforeAll(async () => {
      pools.push(newPool(2), newPool(2));
      taken = await takeMigratedSchema(fromPgPool(pools[0]!), { clock });
      storages.push(...pools.map((pool) => createPostgresStorage({ client: fromPgPool(pool), schema: taken.schema, clock })));
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
      await taken.giveBack();
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

    /**
     * One submission twice: the first on replica 0, the second on replica 1 with the first inside its window at `read`
     * (and `then`, what follows the first's commit there, such as its job run by a worker).
     */
    async function submitTwice<T>(
      submit: (replica: Panelkit) => Promise<T>,
      read: RepositoryMethod,
      then?: () => Promise<unknown>,
    ): Promise<[T, T]> {
      let first: T | undefined;
      const window = windowAt(storages[1]!, read, async () => {
        first = await submit(kit);
        await then?.();
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

    it("a trial, the first committing while the second waits at its trial claim: the second's recheck of the buyer's trials sees it; it replays that order, no refusal recorded", async () => {
      const customer = await storages[0]!.customers.create({ email: 'claim-twice@example.com' });
      const request = { customerId: customer.id, items: [{ planId: plan.id, trial: true }], idempotencyKey: 'trial-claim-twice' };
      expectOneOrder(await submitTwice((k) => k.checkout(request), ['trialClaims', 'claim']));
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

    /** A live subscription of `of` (provisioned by a worker on replica 0) for a new customer with `funds` in the wallet. */
    async function liveSubscription(of: Plan, funds: number): Promise<{ customerId: string; subscriptionId: string }> {
      const customer = await storages[0]!.customers.create({});
      await kit.topUp({ customerId: customer.id, amount: { amount: funds, currency: 'USD' }, idempotencyKey: `fund-${customer.id}` });
      const { subscriptions } = await kit.checkout({ customerId: customer.id, items: [{ planId: of.id }], idempotencyKey: 'buy' });
      await kit.createWorker({ heartbeatIntervalMs: 3_600_000 }).drain();
      return { customerId: customer.id, subscriptionId: subscriptions[0]!.id };
    }

    /** A change to a live subscription paid from the wallet under one key: its code use, its subscription's plan, its price before a code. */
    interface Change {
      use: 'extension' | 'traffic_top_up' | 'plan_change';
      /** The plan the subscription is of. */
      from: () => Plan;
      price: number;
      submit: (k: Panelkit, subscriptionId: string, discountCode?: string) => Promise<{ replayed: boolean; entry: { id: string } | null }>;
    }
    /** A 2-day plan of 1 GiB that sells more traffic: its subscriptions are inside their extension window from the start. */
    let short: Plan;
    /** An unlimited plan (a plan change from a limited one needs a usage reading), and a dearer one to move to. */
    let open: Plan;
    let bigger: Plan;
    const changes: [string, Change][] = [
      [
        'an extension',
        {
          use: 'extension',
          from: () => short,
          price: 1000,
          submit: (k, subscriptionId, discountCode) => k.extend({ subscriptionId, idempotencyKey: 'change-twice', discountCode }),
        },
      ],
      [
        'a traffic top-up',
        {
          use: 'traffic_top_up',
          from: () => short,
          price: 200,
          submit: (k, subscriptionId, discountCode) =>
            k.buyTraffic({ subscriptionId, gib: 10, idempotencyKey: 'change-twice', discountCode }),
        },
      ],
      [
        'a plan change',
        {
          use: 'plan_change',
          from: () => open,
          price: 1000,
          submit: (k, subscriptionId, discountCode) =>
            k.changePlan({ subscriptionId, planId: bigger.id, idempotencyKey: 'change-twice', discountCode }),
        },
      ],
    ];

    beforeAll(async () => {
      const storage = storages[0]!;
      short = await storage.plans.create({
        name: 'short',
        family: 'short',
        price: { amount: 1000, currency: 'USD' },
        durationDays: 2,
        trafficBytes: 1024 ** 3,
        trafficTopUp: { pricePerGiB: { amount: 20, currency: 'USD' }, maxGiBPerPurchase: 100 },
      });
      open = await storage.plans.create({
        name: 'open',
        family: 'open',
        price: { amount: 1000, currency: 'USD' },
        durationDays: 30,
        trafficBytes: null,
      });
      bigger = await storage.plans.create({
        name: 'bigger',
        family: 'open',
        price: { amount: 2000, currency: 'USD' },
        durationDays: 30,
        trafficBytes: null,
      });
    });

    describe.each(changes)('%s', (_, change) => {
      it.each<[string, Partial<NewDiscountCode>]>([
        ['its last use (exhausted)', { maxUses: 1 }],
        ['its one use per customer (customer_exhausted)', { maxUsesPerCustomer: 1 }],
      ])("with a discount code, the first taking %s: the second's quote sees it; it replays that change", async (__, limits) => {
        const { customerId, subscriptionId } = await liveSubscription(change.from(), 5000);
        const code = await kit.createDiscountCode({
          code: `HALF${change.use.replaceAll('_', '')}${Object.keys(limits)[0]!}`.toUpperCase(),
          value: { type: 'percent', percent: 50 },
          appliesTo: [change.use],
          ...limits,
        });
        const [first, second] = await submitTwice((k) => change.submit(k, subscriptionId, code.code), ['discounts', 'getByCode']);
        expect(first).toMatchObject({ replayed: false, entry: { amount: -change.price / 2 } });
        expect(second).toMatchObject({ replayed: true, entry: null });
        expect(await storages[0]!.discounts.get(code.id)).toMatchObject({ uses: 1 });
        expect(await storages[0]!.ledger.balance(customerId, 'USD')).toBe(5000 - 1000 - change.price / 2);
      });
    });

    it("a free plan change (a downgrade) to a plan's last slot: the second's reservation finds it taken; it replays that change", async () => {
      const small = await storages[0]!.plans.create({
        name: 'small',
        family: 'open',
        price: { amount: 500, currency: 'USD' },
        durationDays: 30,
        trafficBytes: null,
        maxClients: 1,
      });
      const { customerId, subscriptionId } = await liveSubscription(open, 1000);
      const request = { subscriptionId, planId: small.id, idempotencyKey: 'down-twice' };
      const [first, second] = await submitTwice((k) => k.changePlan(request), ['capacity', 'reserve']);
      expect(first).toMatchObject({ replayed: false, entry: null, quote: { charge: { amount: 0 } } });
      expect(second).toMatchObject({ replayed: true, entry: null });
      expect((await storages[0]!.plans.get(small.id))!.allocated).toBe(1);
      expect(await storages[0]!.ledger.balance(customerId, 'USD')).toBe(0);
    });

    /**
     * A live subscription of `of` (1200 at its storefront, 700 at its reseller's prices) for a new buyer of a new
     * storefront with `quotas`, the buyer's wallet holding 5000; and the worker on replica 0 that provisioned it.
     */
    async function storefrontSubscription(of: Plan, quotas: StorefrontQuotasInput) {
      const reseller = await storages[0]!.customers.create({});
      await kit.topUp({ customerId: reseller.id, amount: { amount: 10_000, currency: 'USD' }, idempotencyKey: `fund-${reseller.id}` });
      await kit.resellers.setPrice({ customerId: reseller.id, planId: of.id, price: { amount: 700, currency: 'USD' } });
      const storefront = await kit.storefronts.create({ resellerId: reseller.id, name: 'Quota', quotas });
      await kit.storefronts.setMenuItem({ storefrontId: storefront.id, planId: of.id, retailPrice: { amount: 1200, currency: 'USD' } });
      const buyer = await storages[0]!.customers.create({});
      await kit.storefronts.moveBuyer({ customerId: buyer.id, storefrontId: storefront.id });
      await kit.topUp({ customerId: buyer.id, amount: { amount: 5000, currency: 'USD' }, idempotencyKey: `fund-${buyer.id}` });
      const { subscriptions } = await kit.checkout({ customerId: buyer.id, items: [{ planId: of.id }], idempotencyKey: 'buy' });
      const worker = kit.createWorker({ heartbeatIntervalMs: 3_600_000 });
      await worker.drain();
      return { buyerId: buyer.id, subscriptionId: subscriptions[0]!.id, worker };
    }

    /** A plan sold only in a location of its own, on one target of `capacity` slots there. */
    async function planOnOneTarget(name: string, capacity: number | null): Promise<Plan> {
      const storage = storages[0]!;
      const panel = await storage.panels.create({
        kind: 'fake',
        name,
        baseUrl: `https://${name}.example.com/`,
        credentials: { type: 'token', token: 't' },
        locationTags: [name],
      });
      await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 'vless', protocol: 'vless', capacity, isDefault: false });
      return storage.plans.create({
        name,
        family: name,
        price: { amount: 1000, currency: 'USD' },
        durationDays: 30,
        trafficBytes: 1024 ** 3,
        placement: { allowedLocations: [name] },
      });
    }

    it.each<[string, string, StorefrontQuotasInput, number | null]>([
      ['filling its quota of subscriptions: the second is refused on the quota', 'quota', { maxActiveSubscriptions: 2 }, null],
      ["taking its target's last slot: the second finds no target", 'last-slot', {}, 2],
      ['under no quota: the second finds the order placed under its key', 'no-quota', {}, null],
    ])(
      "a storefront buyer's checkout, the first committing while the second waits for the storefront's lock, %s; it replays that order",
      async (_, name, quotas, capacity) => {
        const of = await planOnOneTarget(name, capacity);
        const { buyerId } = await storefrontSubscription(of, quotas);
        const request = { customerId: buyerId, items: [{ planId: of.id }], idempotencyKey: 'storefront-twice' };
        expectOneOrder(await submitTwice((k) => k.checkout(request), ['storefronts', 'lockForSale']));
        expect((await storages[0]!.orders.list({ customerId: buyerId }, { limit: 10 })).items).toHaveLength(2);
        expect(await storages[0]!.ledger.balance(buyerId, 'USD')).toBe(5000 - 1200 - 1200);
      },
    );

    it("a storefront buyer's traffic top-up filling its storefront's traffic quota, its job run: the second's quota check sees it; it replays that top-up", async () => {
      // Room for the subscription's 1 GiB and one top-up of 10 GiB.
      const { buyerId, subscriptionId, worker } = await storefrontSubscription(short, { maxTrafficBytes: 11 * 1024 ** 3 });
      const request = { subscriptionId, gib: 10, idempotencyKey: 'more-twice' };
      const [first, second] = await submitTwice(
        (k) => k.buyTraffic(request),
        ['storefronts', 'lockForSale'],
        () => worker.drain(),
      );
      expect(first).toMatchObject({ replayed: false, entry: { amount: -240 } });
      expect(second).toMatchObject({ replayed: true, entry: null });
      expect(await storages[0]!.subscriptions.get(subscriptionId)).toMatchObject({ trafficLimitBytes: 11 * 1024 ** 3 });
      expect(await storages[0]!.ledger.balance(buyerId, 'USD')).toBe(5000 - 1200 - 240);
    });

    it("a storefront buyer's bundle extension carrying traffic over to fill its storefront's quota, its job run: the second's quota check sees it; it replays that extension", async () => {
      const carry = await storages[0]!.plans.create({
        name: 'carry',
        family: 'carry',
        price: { amount: 1000, currency: 'USD' },
        durationDays: 2,
        trafficBytes: 1024 ** 3,
        extension: { trafficOnExtend: 'carry_over' },
      });
      // Room for the subscription's 1 GiB and, nothing used, one extension to 2 GiB.
      const { buyerId, subscriptionId, worker } = await storefrontSubscription(carry, { maxTrafficBytes: 2 * 1024 ** 3 });
      const live = (await storages[0]!.subscriptions.get(subscriptionId))!;
      await storages[0]!.subscriptions.update(subscriptionId, { usedBytes: 0 }, { expectedRevision: live.revision });
      const request = { subscriptionId, idempotencyKey: 'bundle-twice' };
      const [first, second] = await submitTwice(
        (k) => k.extendBundle(request),
        ['storefronts', 'lockForSale'],
        () => worker.drain(),
      );
      expect(first).toMatchObject({ replayed: false, parts: [{ replayed: false, entry: { amount: -1200 } }] });
      expect(second).toMatchObject({ replayed: true, parts: [{ replayed: true, entry: null }] });
      expect(await storages[0]!.subscriptions.get(subscriptionId)).toMatchObject({ trafficLimitBytes: 2 * 1024 ** 3 });
      expect(await storages[0]!.ledger.balance(buyerId, 'USD')).toBe(5000 - 1200 - 1200);
    });
  },
);
