import { describe, expect, it } from 'vitest';
import type { StoragePort, StorageTransaction } from '../../ports/storage.js';
import { seedCustomer, seedLedgerEntry, seedPlan, seedSubscription, seedTarget } from './fixtures.js';
import { deferred, expectRejects } from './support.js';
import type { SuiteEnv } from './support.js';

/** A world with a funded customer, a target and plan with room, and a pending subscription. */
async function seedWorld(storage: StoragePort) {
  const customer = await seedCustomer(storage);
  await seedLedgerEntry(storage, { customerId: customer.id, amount: 1000 });
  const target = await seedTarget(storage, { capacity: 5 });
  const plan = await seedPlan(storage, { maxClients: 5 });
  const sub = await seedSubscription(storage, { customerId: customer.id, planId: plan.id, panelId: target.panelId, targetId: target.id });
  const snapshot = async () => ({
    target: await storage.targets.get(target.id),
    plan: await storage.plans.get(plan.id),
    sub: await storage.subscriptions.get(sub.id),
    balances: await storage.ledger.balances(customer.id),
    ledger: (await storage.ledger.list(customer.id, { limit: 100 })).items,
    customers: (await storage.customers.list({ limit: 100 })).items,
    jobs: (await storage.jobs.list({}, { limit: 100 })).items,
    orders: (await storage.orders.list({}, { limit: 100 })).items,
    audit: (await storage.audit.list({}, { limit: 100 })).items,
  });
  return { customer, target, plan, sub, snapshot };
}

type World = Awaited<ReturnType<typeof seedWorld>>;

/** Writes through every kind of repository inside `tx`; returns what it made. */
async function writeEverything(tx: StorageTransaction, world: World) {
  const newcomer = await seedCustomer(tx, { email: 'newcomer@example.com' });
  const charge = await tx.ledger.append({
    customerId: world.customer.id,
    kind: 'purchase',
    amount: -400,
    currency: 'USD',
    idempotencyKey: 'tx-charge',
    actor: { type: 'customer', id: world.customer.id },
  });
  const reserved = await tx.capacity.reserve({ targetId: world.target.id, planId: world.plan.id, count: 2 });
  const job = await tx.jobs.enqueue({ type: 'subscription.provision', dedupeKey: `sub:${world.sub.id}` });
  const sub = await tx.subscriptions.update(world.sub.id, { status: 'active' }, { expectedRevision: world.sub.revision });
  const order = await tx.orders.create({
    customerId: world.customer.id,
    items: [{ planId: world.plan.id, quantity: 2, unitPrice: { amount: 200, currency: 'USD' }, trial: false }],
    total: { amount: 400, currency: 'USD' },
    idempotencyKey: 'tx-order',
    requestHash: 'h',
  });
  const event = await tx.audit.append({ actor: { type: 'system' }, action: 'order.created', subjectType: 'order', subjectId: order.id });
  return { newcomer, charge, reserved, job: job.job, sub, order, event };
}

export function transactionsSuite(env: SuiteEnv): void {
  describe('transactions', () => {
    it('when fn throws, nothing it wrote remains and the error is rethrown as is', async () => {
      const { storage } = env;
      const world = await seedWorld(storage);
      const before = await world.snapshot();
      const boom = new Error('boom');
      let made: Awaited<ReturnType<typeof writeEverything>> | undefined;
      await expect(
        storage.transaction(async (tx) => {
          made = await writeEverything(tx, world);
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(made?.reserved).toEqual({ ok: true });
      expect(await world.snapshot()).toEqual(before);
      expect(await storage.customers.getByEmail('newcomer@example.com')).toBeNull();
      if (made !== undefined) {
        expect(await storage.customers.get(made.newcomer.id)).toBeNull();
        expect(await storage.jobs.get(made.job.id)).toBeNull();
        expect(await storage.orders.get(made.order.id)).toBeNull();
      }
      expect(await storage.ledger.getByIdempotencyKey('tx-charge')).toBeNull();
      expect(await storage.ledger.balance(world.customer.id, 'USD')).toBe(1000);
      expect(await storage.orders.getByIdempotencyKey(world.customer.id, 'tx-order')).toBeNull();
      expect(await storage.subscriptions.get(world.sub.id)).toEqual(world.sub);
    });

    it('when a repository call inside fails, earlier writes are rolled back and its error is rethrown', async () => {
      const { storage } = env;
      const world = await seedWorld(storage);
      const before = await world.snapshot();
      const error = await expectRejects(
        storage.transaction(async (tx) => {
          await seedCustomer(tx);
          await tx.capacity.reserve({ targetId: world.target.id, planId: world.plan.id, count: 1 });
          await tx.ledger.append({
            customerId: world.customer.id,
            kind: 'purchase',
            amount: -5000,
            currency: 'USD',
            idempotencyKey: 'too-much',
            actor: { type: 'system' },
          });
        }),
        'InsufficientFundsError',
      );
      expect(error).toBeInstanceOf(Error);
      expect(await world.snapshot()).toEqual(before);
    });

    it('when fn resolves, everything commits together and its value passes through', async () => {
      const { storage } = env;
      const world = await seedWorld(storage);
      const result = await storage.transaction(async (tx) => ({ made: await writeEverything(tx, world), answer: 42 }));
      expect(result.answer).toBe(42);
      const { made } = result;
      expect(await storage.customers.get(made.newcomer.id)).toEqual(made.newcomer);
      expect(await storage.ledger.getByIdempotencyKey('tx-charge')).toEqual(made.charge.entry);
      expect(await storage.ledger.balance(world.customer.id, 'USD')).toBe(600);
      expect(await storage.targets.get(world.target.id)).toMatchObject({ allocated: 2 });
      expect(await storage.plans.get(world.plan.id)).toMatchObject({ allocated: 2 });
      expect(await storage.jobs.get(made.job.id)).toEqual(made.job);
      expect(await storage.subscriptions.get(world.sub.id)).toEqual(made.sub);
      expect(made.sub).toMatchObject({ status: 'active', revision: world.sub.revision + 1 });
      expect(await storage.orders.get(made.order.id)).toEqual(made.order);
      expect((await storage.audit.list({ subjectId: made.order.id }, { limit: 5 })).items).toEqual([made.event]);
      expect(await storage.transaction(async () => 'plain value')).toBe('plain value');
      expect(await storage.transaction(async () => undefined)).toBeUndefined();
    });

    it('reads inside a transaction see its own writes', async () => {
      const { storage } = env;
      const target = await seedTarget(storage, { capacity: 3 });
      const plan = await seedPlan(storage);
      await storage.transaction(async (tx) => {
        const customer = await seedCustomer(tx, { email: 'inside@example.com' });
        expect(await tx.customers.getByEmail('inside@example.com')).toEqual(customer);
        await tx.ledger.append({
          customerId: customer.id,
          kind: 'top_up',
          amount: 70,
          currency: 'EUR',
          idempotencyKey: 'in-1',
          actor: { type: 'system' },
        });
        expect(await tx.ledger.balance(customer.id, 'EUR')).toBe(70);
        expect(await tx.capacity.reserve({ targetId: target.id, planId: plan.id, count: 3 })).toEqual({ ok: true });
        expect(await tx.targets.get(target.id)).toMatchObject({ allocated: 3 });
        expect(await tx.capacity.reserve({ targetId: target.id, planId: plan.id, count: 1 })).toEqual({ ok: false, reason: 'target_full' });
      });
    });

    it('a rolled-back write is never visible outside, even while the transaction is open', async () => {
      const { storage } = env;
      const gate = deferred();
      const wrote = deferred();
      const boom = new Error('rollback');
      const running = storage.transaction(async (tx) => {
        await seedCustomer(tx, { email: 'ghost@example.com' });
        wrote.resolve();
        await gate.promise;
        throw boom;
      });
      // Keep the rejection handled while we look from outside.
      const outcome = running.then(
        () => 'resolved',
        (error: unknown) => (error === boom ? 'rolled back' : 'other error'),
      );
      await wrote.promise;
      const outside = storage.customers.getByEmail('ghost@example.com');
      setTimeout(gate.resolve, 20);
      expect(await outside).toBeNull();
      expect(await outcome).toBe('rolled back');
      expect(await storage.customers.getByEmail('ghost@example.com')).toBeNull();
    });
  });
}
