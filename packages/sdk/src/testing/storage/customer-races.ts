import { describe, expect, it } from 'vitest';
import type { Customer } from '../../domain/customer.js';
import { createId } from '../../domain/ids.js';
import type { Plan } from '../../domain/plan.js';
import type { Subscription } from '../../domain/subscription.js';
import type { Target } from '../../domain/target.js';
import type { StoragePort, StorageRepositories } from '../../ports/storage.js';
import { describeError } from '../rejection.js';
import { remoteIdentityFor, seedCustomer, seedLedgerEntry, seedPlan, seedTarget } from './fixtures.js';
import { isErrorKind, settle } from './support.js';
import type { SuiteEnv } from './support.js';

const PRICE = 700;
const SYSTEM = { type: 'system' } as const;

interface Shop {
  customer: Customer;
  plan: Plan;
  target: Target;
}

async function seedShop(storage: StoragePort, balance: number): Promise<Shop> {
  const customer = await seedCustomer(storage);
  if (balance > 0) await seedLedgerEntry(storage, { customerId: customer.id, amount: balance });
  const target = await seedTarget(storage, { capacity: null });
  const plan = await seedPlan(storage, { price: { amount: PRICE, currency: 'USD' }, maxClients: null });
  return { customer, plan, target };
}

/**
 * What a checkout writes, in the engine's order: the order (its foreign key share-locks the
 * customer), the debit (which locks the customer for its balance), the order's ledger link, a
 * capacity slot, the pending subscription, its provisioning job and the audit rows.
 */
async function checkoutWrites(tx: StorageRepositories, { customer, plan, target }: Shop, key: string): Promise<Subscription> {
  const price = { amount: PRICE, currency: 'USD' };
  const order = await tx.orders.create({
    customerId: customer.id,
    items: [{ planId: plan.id, quantity: 1, unitPrice: price, trial: false }],
    total: price,
    idempotencyKey: key,
    requestHash: `hash-${key}`,
  });
  const { entry } = await tx.ledger.append({
    customerId: customer.id,
    kind: 'purchase',
    amount: -PRICE,
    currency: 'USD',
    idempotencyKey: `purchase:${order.id}`,
    orderId: order.id,
    actor: SYSTEM,
  });
  await tx.orders.update(order.id, { ledgerEntryId: entry.id });
  const slot = await tx.capacity.reserve({ targetId: target.id, planId: plan.id, count: 1 });
  if (!slot.ok) throw new Error(`no slot: ${slot.reason}`);
  const id = createId('sub');
  const sub = await tx.subscriptions.create({
    id,
    customerId: customer.id,
    orderId: order.id,
    planId: plan.id,
    panelId: target.panelId,
    targetId: target.id,
    remote: remoteIdentityFor(id),
    trafficLimitBytes: null,
    expiresAt: null,
    durationDays: 30,
    startOnFirstUse: false,
  });
  await tx.jobs.enqueue({ type: 'subscription.provision', dedupeKey: `provision:${id}`, payload: { subscriptionId: id } });
  await tx.audit.append({ actor: SYSTEM, action: 'order.placed', subjectType: 'order', subjectId: order.id });
  return sub;
}

/**
 * What a failed provisioning writes, in the documented lock order: the refund (customer), the
 * subscription, its capacity slot (target, then plan), then the order it settles.
 */
async function refundWrites(tx: StorageRepositories, sub: Subscription, key: string): Promise<void> {
  await tx.ledger.append({
    customerId: sub.customerId,
    kind: 'refund',
    amount: PRICE,
    currency: 'USD',
    idempotencyKey: key,
    orderId: sub.orderId,
    subscriptionId: sub.id,
    actor: SYSTEM,
  });
  const current = await tx.subscriptions.get(sub.id);
  await tx.subscriptions.update(sub.id, { status: 'failed', failureReason: 'conformance' }, { expectedRevision: current!.revision });
  await tx.capacity.release({ targetId: sub.targetId, planId: sub.planId, count: 1 });
  if (sub.orderId !== null) await tx.orders.update(sub.orderId, { status: 'failed' });
}

/**
 * One customer's transactions at once (a double click, a bot and a web tab, a reseller's API
 * client), spread over several replicas of the storage where it has them: they wait for each
 * other and all commit, or fail with their own typed error; never a deadlock or a lost debit.
 */
export function customerRacesSuite(env: SuiteEnv): void {
  describe("one customer's concurrent transactions", () => {
    it('12 funded checkouts of one customer at once over several replicas all succeed, to the exact balance', async () => {
      const storages = await env.replicas(4);
      const shop = await seedShop(env.storage, 12 * PRICE);
      const { values, errors } = await settle(
        Array.from({ length: 12 }, (_, i) => storages[i % storages.length]!.transaction((tx) => checkoutWrites(tx, shop, `checkout-${i}`))),
      );
      expect(errors.map(describeError)).toEqual([]);
      expect(values).toHaveLength(12);
      expect(await env.storage.ledger.balance(shop.customer.id, 'USD')).toBe(0);
      expect((await env.storage.orders.list({ customerId: shop.customer.id }, { limit: 50 })).items).toHaveLength(12);
      expect(await env.storage.targets.get(shop.target.id)).toMatchObject({ allocated: 12 });
      expect(await env.storage.plans.get(shop.plan.id)).toMatchObject({ allocated: 12 });
    });

    it('checkouts past the balance get InsufficientFundsError and leave nothing behind; the funded ones all succeed', async () => {
      const storages = await env.replicas(4);
      const shop = await seedShop(env.storage, 5 * PRICE);
      const { values, errors } = await settle(
        Array.from({ length: 12 }, (_, i) => storages[i % storages.length]!.transaction((tx) => checkoutWrites(tx, shop, `checkout-${i}`))),
      );
      expect(errors.filter((e) => !isErrorKind(e, 'InsufficientFundsError')).map(describeError)).toEqual([]);
      expect(values).toHaveLength(5);
      expect(errors).toHaveLength(7);
      expect(await env.storage.ledger.balance(shop.customer.id, 'USD')).toBe(0);
      expect((await env.storage.orders.list({ customerId: shop.customer.id }, { limit: 50 })).items).toHaveLength(5);
      expect((await env.storage.subscriptions.listByCustomer(shop.customer.id, { limit: 50 })).items).toHaveLength(5);
      expect(await env.storage.targets.get(shop.target.id)).toMatchObject({ allocated: 5 });
    });

    it("refunds of one customer's failed subscriptions racing new checkouts on the same target all commit", async () => {
      const storages = await env.replicas(4);
      const shop = await seedShop(env.storage, 6 * PRICE);
      const bought: Subscription[] = [];
      for (let i = 0; i < 6; i++) bought.push(await env.storage.transaction((tx) => checkoutWrites(tx, shop, `first-${i}`)));
      type Work = (storage: StoragePort) => Promise<unknown>;
      const work: Work[] = [
        ...bought.map(
          (sub): Work =>
            (storage) =>
              storage.transaction((tx) => refundWrites(tx, sub, `refund-${sub.id}`)),
        ),
        ...Array.from(
          { length: 6 },
          (_, i): Work =>
            (storage) =>
              storage.transaction((tx) => checkoutWrites(tx, shop, `second-${i}`)),
        ),
      ];
      // Interleaved in pairs (a refund, a checkout), each pair on one replica: every replica runs both kinds.
      const order = work.map((_, i) => (i % 2 === 0 ? i / 2 : 6 + (i - 1) / 2));
      const { errors } = await settle(order.map((w, i) => work[w]!(storages[Math.floor(i / 2) % storages.length]!)));
      // A checkout may find the balance not yet refunded; nothing else may fail.
      expect(errors.filter((e) => !isErrorKind(e, 'InsufficientFundsError')).map(describeError)).toEqual([]);
      const subs = (await env.storage.subscriptions.listByCustomer(shop.customer.id, { limit: 50 })).items;
      const live = subs.filter((s) => s.status !== 'failed').length;
      expect(subs.filter((s) => s.status === 'failed')).toHaveLength(6);
      expect(await env.storage.ledger.balance(shop.customer.id, 'USD')).toBe((6 - live) * PRICE);
      expect(await env.storage.targets.get(shop.target.id)).toMatchObject({ allocated: live });
    });
  });
}
