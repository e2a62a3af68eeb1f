import { describe, expect, it } from 'vitest';
import { createId } from '../../domain/ids.js';
import type { Plan } from '../../domain/plan.js';
import type { Target } from '../../domain/target.js';
import type { OrderPlacement } from '../../ports/storage-order-placement.js';
import type { StorageRepositories } from '../../ports/storage.js';
import { describeError } from '../rejection.js';
import { remoteIdentityFor, seedCustomer, seedLedgerEntry, seedPanel, seedPlan, seedTarget, uniqueToken } from './fixtures.js';
import { expectRejects, settle } from './support.js';
import type { SuiteEnv } from './support.js';

/** A checkout's placement: `units` subscriptions of `plan` on `targets` (one each, round robin), a debit of `price` per unit. */
function placement(customerId: string, plan: Plan, targets: readonly Target[], units: number, price = 1000): OrderPlacement {
  const orderId = createId('ord');
  const total = price * units;
  const subscriptions = Array.from({ length: units }, (_, i) => {
    const id = createId('sub');
    const target = targets[i % targets.length]!;
    return {
      id,
      customerId,
      orderId,
      planId: plan.id,
      panelId: target.panelId,
      targetId: target.id,
      remote: remoteIdentityFor(id),
      trafficLimitBytes: null,
      expiresAt: null,
      durationDays: 30,
      startOnFirstUse: false,
    };
  });
  return {
    order: {
      id: orderId,
      customerId,
      items: [{ planId: plan.id, quantity: units, unitPrice: { amount: price, currency: 'USD' }, trial: false }],
      total: { amount: total, currency: 'USD' },
      idempotencyKey: `place-${uniqueToken()}`,
      requestHash: 'sha256:place',
    },
    debit:
      total === 0
        ? null
        : {
            customerId,
            kind: 'purchase',
            amount: -total,
            currency: 'USD',
            idempotencyKey: `purchase:${orderId}`,
            orderId,
            actor: { type: 'customer', id: customerId },
          },
    subscriptions,
    jobs: subscriptions.map((s) => ({
      type: 'conformance.provision',
      payload: { subscriptionId: s.id },
      dedupeKey: `provision:${s.id}`,
      batchKey: `provision|target:${s.targetId}`,
    })),
    audit: [{ actor: { type: 'customer', id: customerId }, action: 'order.placed', subjectType: 'order', subjectId: orderId }],
  };
}

/** What a placement left behind for `customerId`: orders, subscriptions, balance, and the counters of `plan` and `targets`. */
async function footprint(repos: StorageRepositories, customerId: string, plan: Plan, targets: readonly Target[]) {
  return {
    orders: (await repos.orders.list({ customerId }, { limit: 100 })).items.length,
    subscriptions: (await repos.subscriptions.listByCustomer(customerId, { limit: 100 })).items.length,
    balance: await repos.ledger.balance(customerId, 'USD'),
    plan: (await repos.plans.get(plan.id))!.allocated,
    targets: await Promise.all(targets.map(async (t) => (await repos.targets.get(t.id))!.allocated)),
  };
}

async function funded(repos: StorageRepositories, amount: number) {
  const customer = await seedCustomer(repos);
  if (amount > 0) await seedLedgerEntry(repos, { customerId: customer.id, amount });
  return customer;
}

export function orderPlacementSuite(env: SuiteEnv): void {
  describe('orders.place', () => {
    it('writes the order, its debit, subscriptions, jobs and audit, and takes one slot per subscription', async () => {
      const { storage, clock } = env;
      const customer = await funded(storage, 5000);
      const plan = await seedPlan(storage, { maxClients: 10 });
      const panel = await seedPanel(storage);
      const [a, b] = [
        await seedTarget(storage, { panelId: panel.id, capacity: 5 }),
        await seedTarget(storage, { panelId: panel.id, capacity: null }),
      ];
      const input = placement(customer.id, plan, [a!, b!, a!], 3);
      const placed = await storage.orders.place(input);
      if (!placed.ok) throw new Error(`refused: ${placed.reason}`);
      const entry = await storage.ledger.getByIdempotencyKey(input.debit!.idempotencyKey);
      expect(entry).toMatchObject({ kind: 'purchase', amount: -3000, balanceAfter: 2000, orderId: input.order.id });
      expect(placed.order).toMatchObject({ id: input.order.id, status: 'provisioning', ledgerEntryId: entry!.id, createdAt: clock.now() });
      expect(await storage.orders.get(input.order.id)).toEqual(placed.order);
      expect(placed.subscriptions.map((s) => s.id)).toEqual(input.subscriptions.map((s) => s.id));
      for (const s of placed.subscriptions) {
        expect(s).toMatchObject({ status: 'pending', revision: 0, orderId: input.order.id });
        expect(await storage.subscriptions.get(s.id)).toEqual(s);
      }
      const jobs = await storage.jobs.list({ type: 'conformance.provision' }, { limit: 100 });
      expect(jobs.items.map((j) => `${j.dedupeKey} ${j.batchKey}`).sort()).toEqual(
        input.jobs.map((j) => `${j.dedupeKey} ${j.batchKey}`).sort(),
      );
      expect(jobs.items.every((j) => j.state === 'queued')).toBe(true);
      expect(placed.audit).toHaveLength(1);
      expect((await storage.audit.list({ subjectId: input.order.id }, { limit: 10 })).items).toEqual(placed.audit);
      expect(await footprint(storage, customer.id, plan, [a!, b!])).toEqual({
        orders: 1,
        subscriptions: 3,
        balance: 2000,
        plan: 3,
        targets: [2, 1],
      });
      expect([...placed.targets].sort((x, y) => (x.targetId < y.targetId ? -1 : 1))).toEqual(
        [
          { targetId: a!.id, allocated: 2, capacity: 5 },
          { targetId: b!.id, allocated: 1, capacity: null },
        ].sort((x, y) => (x.targetId < y.targetId ? -1 : 1)),
      );
    });

    it('a free order writes no ledger entry', async () => {
      const { storage } = env;
      const customer = await funded(storage, 0);
      const plan = await seedPlan(storage);
      const target = await seedTarget(storage);
      const placed = await storage.orders.place(placement(customer.id, plan, [target], 1, 0));
      expect(placed).toMatchObject({ ok: true, order: { ledgerEntryId: null } });
      expect(await footprint(storage, customer.id, plan, [target])).toEqual({
        orders: 1,
        subscriptions: 1,
        balance: 0,
        plan: 1,
        targets: [1],
      });
    });

    it('a full target is refused with nothing written, and the same transaction places again on another target', async () => {
      const { storage } = env;
      const customer = await funded(storage, 5000);
      const plan = await seedPlan(storage);
      const panel = await seedPanel(storage);
      const full = await seedTarget(storage, { panelId: panel.id, capacity: 1 });
      const other = await seedTarget(storage, { panelId: panel.id, capacity: 1 });
      // Two units on a target with one slot: refused whole.
      const refused = await storage.orders.place(placement(customer.id, plan, [full], 2));
      expect(refused).toEqual({ ok: false, reason: 'target_full', targetId: full.id });
      const outcome = await storage.transaction(async (tx) => {
        const first = await tx.orders.place(placement(customer.id, plan, [full, other], 2));
        const second = await tx.orders.place(placement(customer.id, plan, [other], 1));
        return { first, second };
      });
      expect(outcome.first).toMatchObject({ ok: true });
      expect(outcome.second).toEqual({ ok: false, reason: 'target_full', targetId: other.id });
      expect(await footprint(storage, customer.id, plan, [full, other])).toEqual({
        orders: 1,
        subscriptions: 2,
        balance: 3000,
        plan: 2,
        targets: [1, 1],
      });
    });

    it('a full plan is refused with plan_full and nothing written', async () => {
      const { storage } = env;
      const customer = await funded(storage, 5000);
      const plan = await seedPlan(storage, { maxClients: 2 });
      const target = await seedTarget(storage, { capacity: null });
      expect(await storage.orders.place(placement(customer.id, plan, [target], 3))).toEqual({
        ok: false,
        reason: 'plan_full',
        planId: plan.id,
      });
      expect(await footprint(storage, customer.id, plan, [target])).toEqual({
        orders: 0,
        subscriptions: 0,
        balance: 5000,
        plan: 0,
        targets: [0],
      });
      expect(await storage.orders.place(placement(customer.id, plan, [target], 2))).toMatchObject({ ok: true });
    });

    it('a debit past the balance is an InsufficientFundsError, even with no slot left, and writes nothing', async () => {
      const { storage } = env;
      const customer = await funded(storage, 1500);
      const plan = await seedPlan(storage, { maxClients: 0 });
      const target = await seedTarget(storage);
      await expectRejects(storage.orders.place(placement(customer.id, plan, [target], 2)), 'InsufficientFundsError');
      const broke = await funded(storage, 0);
      await expectRejects(storage.orders.place(placement(broke.id, plan, [target], 1)), 'InsufficientFundsError');
      expect(await footprint(storage, customer.id, plan, [target])).toEqual({
        orders: 0,
        subscriptions: 0,
        balance: 1500,
        plan: 0,
        targets: [0],
      });
    });

    it('missing rows are a NotFoundError, rows of another order or panel a ValidationError, a taken key a ConflictError; nothing is written', async () => {
      const { storage } = env;
      const customer = await funded(storage, 10_000);
      const plan = await seedPlan(storage);
      const target = await seedTarget(storage);
      const good = () => placement(customer.id, plan, [target], 1);
      const missingCustomer = placement(`cus_${uniqueToken()}`, plan, [target], 1, 0);
      await expectRejects(storage.orders.place(missingCustomer), 'NotFoundError');
      await expectRejects(
        storage.orders.place(placement(customer.id, { ...plan, id: `pln_${uniqueToken()}` }, [target], 1)),
        'NotFoundError',
      );
      await expectRejects(
        storage.orders.place(placement(customer.id, plan, [{ ...target, id: `tgt_${uniqueToken()}` }], 1)),
        'NotFoundError',
      );
      const elsewhere = await seedPanel(storage);
      await expectRejects(storage.orders.place(placement(customer.id, plan, [{ ...target, panelId: elsewhere.id }], 1)), 'ValidationError');
      const foreign = good();
      await expectRejects(
        storage.orders.place({ ...foreign, subscriptions: foreign.subscriptions.map((s) => ({ ...s, orderId: createId('ord') })) }),
        'ValidationError',
      );
      const twins = good();
      await expectRejects(storage.orders.place({ ...twins, jobs: [twins.jobs[0]!, twins.jobs[0]!] }), 'ValidationError');
      const refund = good();
      await expectRejects(storage.orders.place({ ...refund, debit: { ...refund.debit!, amount: 1000 } }), 'ValidationError');
      expect(await footprint(storage, customer.id, plan, [target])).toEqual({
        orders: 0,
        subscriptions: 0,
        balance: 10_000,
        plan: 0,
        targets: [0],
      });
      const first = good();
      expect(await storage.orders.place(first)).toMatchObject({ ok: true });
      const again = good();
      await expectRejects(
        storage.orders.place({ ...again, order: { ...again.order, idempotencyKey: first.order.idempotencyKey } }),
        'ConflictError',
      );
      expect(await footprint(storage, customer.id, plan, [target])).toEqual({
        orders: 1,
        subscriptions: 1,
        balance: 9000,
        plan: 1,
        targets: [1],
      });
    });

    it('a taken key is a ConflictError before an empty wallet or a full plan, as the first placement left them', async () => {
      const { storage } = env;
      const customer = await funded(storage, 1000);
      const plan = await seedPlan(storage, { maxClients: 1 });
      const target = await seedTarget(storage);
      const first = placement(customer.id, plan, [target], 1);
      expect(await storage.orders.place(first)).toMatchObject({ ok: true });
      // The wallet is empty and the plan full now: the same key again is still told the key is taken.
      const again = placement(customer.id, plan, [target], 1);
      await expectRejects(
        storage.orders.place({ ...again, order: { ...again.order, idempotencyKey: first.order.idempotencyKey } }),
        'ConflictError',
      );
      const free = placement(customer.id, plan, [target], 1, 0);
      await expectRejects(
        storage.orders.place({ ...free, order: { ...free.order, idempotencyKey: first.order.idempotencyKey } }),
        'ConflictError',
      );
      expect(await footprint(storage, customer.id, plan, [target])).toEqual({
        orders: 1,
        subscriptions: 1,
        balance: 0,
        plan: 1,
        targets: [1],
      });
    });

    it('60 placements racing for 10 slots of a plan, each in its own transaction: exactly 10 are written', async () => {
      const { storage } = env;
      const plan = await seedPlan(storage, { maxClients: 10 });
      const panel = await seedPanel(storage);
      const targets = [
        await seedTarget(storage, { panelId: panel.id, capacity: 6 }),
        await seedTarget(storage, { panelId: panel.id, capacity: 6 }),
      ];
      const customers = await Promise.all(Array.from({ length: 6 }, () => funded(storage, 10_000)));
      const replicas = await env.replicas(3);
      const { values, errors } = await settle(
        Array.from({ length: 60 }, (_, i) =>
          replicas[i % replicas.length]!.transaction((tx) => tx.orders.place(placement(customers[i % 6]!.id, plan, [targets[i % 2]!], 1))),
        ),
      );
      expect(errors.map(describeError)).toEqual([]);
      expect(values.filter((v) => v.ok)).toHaveLength(10);
      expect(values.filter((v) => !v.ok && (v.reason === 'plan_full' || v.reason === 'target_full'))).toHaveLength(50);
      expect((await storage.plans.get(plan.id))!.allocated).toBe(10);
      const allocated = await Promise.all(targets.map(async (t) => (await storage.targets.get(t.id))!.allocated));
      expect(allocated.every((n) => n <= 6)).toBe(true);
      let subscriptions = 0;
      let spent = 0;
      for (const c of customers) {
        subscriptions += (await storage.subscriptions.listByCustomer(c.id, { limit: 100 })).items.length;
        spent += 10_000 - (await storage.ledger.balance(c.id, 'USD'));
      }
      expect(subscriptions).toBe(10);
      expect(spent).toBe(10 * 1000);
    });
  });
}
