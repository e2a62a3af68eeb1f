import { describe, expect, it } from 'vitest';
import { describeError } from '../rejection.js';
import { seedCustomer, seedJob, seedLedgerEntry, seedPlan, seedSubscription, seedTarget } from './fixtures.js';
import { MINUTE, isErrorKind, settle } from './support.js';
import type { SuiteEnv } from './support.js';

/**
 * Races through one storage object. They run whatever `capabilities.multiProcess` says: with a
 * single-process storage they prove in-process atomicity (no lost update across awaits); races
 * between processes sharing one database are covered by the Postgres package's replica tests.
 */
export function concurrencySuite(env: SuiteEnv): void {
  describe('concurrency', () => {
    it('200 concurrent reservations, each in its own transaction, never exceed a capacity of 20', async () => {
      const { storage } = env;
      const target = await seedTarget(storage, { capacity: 20 });
      const plan = await seedPlan(storage, { maxClients: null });
      const request = { targetId: target.id, planId: plan.id, count: 1 };
      const { values, errors } = await settle(Array.from({ length: 200 }, () => storage.transaction((tx) => tx.capacity.reserve(request))));
      expect(errors.map(describeError)).toEqual([]);
      expect(values.filter((r) => r.ok)).toHaveLength(20);
      expect(values.filter((r) => !r.ok && r.reason === 'target_full')).toHaveLength(180);
      expect(await storage.targets.get(target.id)).toMatchObject({ allocated: 20 });
      expect(await storage.plans.get(plan.id)).toMatchObject({ allocated: 20 });
    });

    it('concurrent reservations against a plan limit stop at maxClients', async () => {
      const { storage } = env;
      const target = await seedTarget(storage, { capacity: null });
      const plan = await seedPlan(storage, { maxClients: 7 });
      const request = { targetId: target.id, planId: plan.id, count: 1 };
      const results = await Promise.all(Array.from({ length: 50 }, () => storage.capacity.reserve(request)));
      expect(results.filter((r) => r.ok)).toHaveLength(7);
      expect(await storage.plans.get(plan.id)).toMatchObject({ allocated: 7 });
      expect(await storage.targets.get(target.id)).toMatchObject({ allocated: 7 });
    });

    it('50 concurrent debits of 30 against a balance of 1000: exactly 33 succeed, never below zero', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      await seedLedgerEntry(storage, { customerId: customer.id, amount: 1000 });
      const { values, errors } = await settle(
        Array.from({ length: 50 }, (_, i) =>
          storage.ledger.append({
            customerId: customer.id,
            kind: 'purchase',
            amount: -30,
            currency: 'USD',
            idempotencyKey: `debit-${i}`,
            actor: { type: 'system' },
          }),
        ),
      );
      expect(values).toHaveLength(Math.floor(1000 / 30));
      expect(errors.filter((e) => !isErrorKind(e, 'InsufficientFundsError')).map(describeError)).toEqual([]);
      expect(await storage.ledger.balance(customer.id, 'USD')).toBe(1000 - 30 * 33);
      const afters = values.map((v) => v.entry.balanceAfter).sort((a, b) => b - a);
      expect(afters).toEqual(Array.from({ length: 33 }, (_, i) => 1000 - 30 * (i + 1)));
    });

    it('the same idempotency key appended 20 times at once is applied exactly once', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const input = {
        customerId: customer.id,
        kind: 'top_up',
        amount: 250,
        currency: 'USD',
        idempotencyKey: 'payment-77',
        actor: { type: 'system' },
      } as const;
      const { values, errors } = await settle(Array.from({ length: 20 }, () => storage.ledger.append(input)));
      expect(errors.map(describeError)).toEqual([]);
      expect(values.filter((v) => v.created)).toHaveLength(1);
      expect(new Set(values.map((v) => v.entry.id)).size).toBe(1);
      expect(await storage.ledger.balance(customer.id, 'USD')).toBe(250);
      expect((await storage.ledger.list(customer.id, { limit: 50 })).items).toHaveLength(1);
    });

    it('50 jobs claimed by 10 concurrent workers (limit 7): each job exactly once', async () => {
      const { storage } = env;
      const ids = new Set<string>();
      for (let i = 0; i < 50; i++) ids.add((await seedJob(storage)).id);
      const batches = await Promise.all(
        Array.from({ length: 10 }, (_, w) => storage.jobs.claim({ workerId: `worker-${w}`, limit: 7, leaseMs: MINUTE })),
      );
      const claimed = batches.flat();
      expect(batches.every((b) => b.length <= 7)).toBe(true);
      expect(claimed).toHaveLength(50);
      expect(new Set(claimed.map((c) => c.job.id))).toEqual(ids);
      expect(claimed.every((c) => c.lease.jobId === c.job.id)).toBe(true);
      // A token may be shared by one claim's jobs, never by two claims.
      const tokens = batches.map((b) => new Set(b.map((c) => c.lease.token)));
      for (const [i, mine] of tokens.entries())
        for (const other of tokens.slice(i + 1)) expect([...mine].filter((t) => other.has(t))).toEqual([]);
      expect(await storage.jobs.claim({ workerId: 'late', limit: 10, leaseMs: MINUTE })).toEqual([]);
    });

    it('20 concurrent tryAcquire calls for one (name, slot) have exactly one winner', async () => {
      const { storage, clock } = env;
      const slot = clock.now();
      const wins = await Promise.all(Array.from({ length: 20 }, () => storage.ticks.tryAcquire('tick', new Date(slot.getTime()))));
      expect(wins.filter(Boolean)).toHaveLength(1);
      const next = new Date(slot.getTime() + MINUTE);
      const laterWins = await Promise.all(Array.from({ length: 20 }, () => storage.ticks.tryAcquire('tick', next)));
      expect(laterWins.filter(Boolean)).toHaveLength(1);
    });

    it('concurrent updates from one revision: exactly one wins, the rest are ConflictErrors', async () => {
      const { storage } = env;
      const sub = await seedSubscription(storage);
      const { values, errors } = await settle(
        Array.from({ length: 10 }, (_, i) =>
          storage.subscriptions.update(sub.id, { notices: [`n-${i}`] }, { expectedRevision: sub.revision }),
        ),
      );
      expect(values).toHaveLength(1);
      expect(errors.filter((e) => !isErrorKind(e, 'ConflictError')).map(describeError)).toEqual([]);
      expect(await storage.subscriptions.get(sub.id)).toEqual(values[0]);
    });

    it('concurrent creates of one unique key: exactly one wins, the rest are ConflictErrors', async () => {
      const { storage } = env;
      const customers = await settle(Array.from({ length: 10 }, () => seedCustomer(storage, { email: 'race@example.com' })));
      expect(customers.values).toHaveLength(1);
      expect(customers.errors.filter((e) => !isErrorKind(e, 'ConflictError')).map(describeError)).toEqual([]);
      const owner = await seedCustomer(storage);
      const plan = await seedPlan(storage);
      const orders = await settle(
        Array.from({ length: 10 }, () =>
          storage.orders.create({
            customerId: owner.id,
            items: [{ planId: plan.id, quantity: 1, unitPrice: { amount: 5, currency: 'USD' }, trial: false }],
            total: { amount: 5, currency: 'USD' },
            idempotencyKey: 'same-checkout',
            requestHash: 'h',
          }),
        ),
      );
      expect(orders.values).toHaveLength(1);
      expect(orders.errors.filter((e) => !isErrorKind(e, 'ConflictError')).map(describeError)).toEqual([]);
    });

    it('concurrent enqueues with one dedupe key leave exactly one queued job', async () => {
      const { storage } = env;
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => storage.jobs.enqueue({ type: 'usage.sync', dedupeKey: 'usage:p1', payload: { i } })),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
      expect((await storage.jobs.list({ dedupeKey: 'usage:p1' }, { limit: 50 })).items).toHaveLength(1);
    });
  });
}
