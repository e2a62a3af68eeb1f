import { describe, expect, it } from 'vitest';
import type { NewLedgerEntry } from '../../domain/ledger.js';
import { InsufficientFundsError } from '../../errors.js';
import { describeError } from '../rejection.js';
import { seedCustomer, seedLedgerEntry, seedPlan, uniqueToken } from './fixtures.js';
import { expectRejects, isErrorKind, settle } from './support.js';
import type { SuiteEnv } from './support.js';

function debit(customerId: string, amount: number, extra: Partial<NewLedgerEntry> = {}): NewLedgerEntry {
  return {
    customerId,
    kind: 'purchase',
    amount: -amount,
    currency: 'USD',
    idempotencyKey: `debit-${uniqueToken()}`,
    actor: { type: 'system' },
    ...extra,
  };
}

/** Credit limits kept by the ledger's append, and resellers' price books. */
export function resellersSuite(env: SuiteEnv): void {
  describe('ledger credit limits', () => {
    it('a customer without a limit stops at zero; with one, at exactly minus the limit', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      expect(await storage.ledger.creditLimit(customer.id, 'USD')).toBe(0);
      await expectRejects(storage.ledger.append(debit(customer.id, 1)), 'InsufficientFundsError');
      expect(await storage.ledger.setCreditLimit({ customerId: customer.id, currency: 'USD', amount: 500 })).toEqual({
        amount: 500,
        currency: 'USD',
      });
      expect(await storage.ledger.creditLimit(customer.id, 'USD')).toBe(500);
      expect(await storage.ledger.creditLimit(customer.id, 'EUR')).toBe(0);
      const first = await storage.ledger.append(debit(customer.id, 499));
      expect(first.entry.balanceAfter).toBe(-499);
      const error = await expectRejects(storage.ledger.append(debit(customer.id, 2)), 'InsufficientFundsError');
      expect(InsufficientFundsError.is(error) && error.balance).toBe(-499);
      expect(InsufficientFundsError.is(error) && error.details?.['creditLimit']).toBe(500);
      // Exactly at the floor is allowed; one more minor unit is not.
      expect((await storage.ledger.append(debit(customer.id, 1))).entry.balanceAfter).toBe(-500);
      await expectRejects(storage.ledger.append(debit(customer.id, 1)), 'InsufficientFundsError');
      // Another currency has no credit.
      await expectRejects(storage.ledger.append(debit(customer.id, 1, { currency: 'EUR' })), 'InsufficientFundsError');
      expect(await storage.ledger.balance(customer.id, 'USD')).toBe(-500);
      expect(await storage.ledger.balances(customer.id)).toEqual([{ amount: -500, currency: 'USD' }]);
      // A top-up pays the debt back first.
      expect((await storage.ledger.append({ ...debit(customer.id, 0), kind: 'top_up', amount: 700 })).entry.balanceAfter).toBe(200);
    });

    it('a limit cannot be set below what the customer owes; raising, lowering to the debt and removing work', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      await storage.ledger.setCreditLimit({ customerId: customer.id, currency: 'USD', amount: 300 });
      // A limit alone lists the currency, at zero.
      expect(await storage.ledger.balances(customer.id)).toEqual([{ amount: 0, currency: 'USD' }]);
      await storage.ledger.append(debit(customer.id, 200));
      const refused = await expectRejects(
        storage.ledger.setCreditLimit({ customerId: customer.id, currency: 'USD', amount: 199 }),
        'ConflictError',
      );
      expect((refused as { details?: Record<string, unknown> }).details?.['reason']).toBe('balance_below_limit');
      expect(await storage.ledger.creditLimit(customer.id, 'USD')).toBe(300);
      await storage.ledger.setCreditLimit({ customerId: customer.id, currency: 'USD', amount: 200 });
      await expectRejects(storage.ledger.append(debit(customer.id, 1)), 'InsufficientFundsError');
      await storage.ledger.append({ ...debit(customer.id, 0), kind: 'top_up', amount: 200 });
      await storage.ledger.setCreditLimit({ customerId: customer.id, currency: 'USD', amount: 0 });
      expect(await storage.ledger.creditLimit(customer.id, 'USD')).toBe(0);
      await expectRejects(storage.ledger.append(debit(customer.id, 1)), 'InsufficientFundsError');
    });

    it('bad input to setCreditLimit is a typed error and changes nothing', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      await expectRejects(storage.ledger.setCreditLimit({ customerId: customer.id, currency: 'USD', amount: -1 }), 'ValidationError');
      await expectRejects(storage.ledger.setCreditLimit({ customerId: customer.id, currency: 'usd', amount: 1 }), 'ValidationError');
      await expectRejects(storage.ledger.setCreditLimit({ customerId: customer.id, currency: 'USD', amount: 1.5 }), 'ValidationError');
      await expectRejects(storage.ledger.setCreditLimit({ customerId: 'cus_missing', currency: 'USD', amount: 1 }), 'NotFoundError');
      expect(await storage.ledger.creditLimit(customer.id, 'USD')).toBe(0);
      expect(await storage.ledger.balances(customer.id)).toEqual([]);
    });

    it('a limit set in a transaction that rolls back is gone', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      await expect(
        storage.transaction(async (tx) => {
          await tx.ledger.setCreditLimit({ customerId: customer.id, currency: 'USD', amount: 100 });
          await tx.ledger.append(debit(customer.id, 100));
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(await storage.ledger.creditLimit(customer.id, 'USD')).toBe(0);
      expect(await storage.ledger.balance(customer.id, 'USD')).toBe(0);
    });

    it('40 debits of 30 at once from several connections against 100 of balance and a limit of 500: exactly 20 pass, the floor holds', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      await seedLedgerEntry(storage, { customerId: customer.id, amount: 100 });
      await storage.ledger.setCreditLimit({ customerId: customer.id, currency: 'USD', amount: 500 });
      const replicas = await env.replicas(4);
      const { values, errors } = await settle(
        Array.from({ length: 40 }, (_, i) =>
          replicas[i % replicas.length]!.ledger.append(debit(customer.id, 30, { idempotencyKey: `race-${i}` })),
        ),
      );
      expect(errors.filter((e) => !isErrorKind(e, 'InsufficientFundsError')).map(describeError)).toEqual([]);
      expect(values).toHaveLength(Math.floor(600 / 30));
      expect(await storage.ledger.balance(customer.id, 'USD')).toBe(100 - 30 * 20);
      const afters = values.map((v) => v.entry.balanceAfter).sort((a, b) => b - a);
      expect(afters).toEqual(Array.from({ length: 20 }, (_, i) => 100 - 30 * (i + 1)));
    });

    it('lowering the limit while debits race: no debit lands below the limit in force when it committed', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      await storage.ledger.setCreditLimit({ customerId: customer.id, currency: 'USD', amount: 1000 });
      const replicas = await env.replicas(3);
      const debits = Array.from({ length: 30 }, (_, i) =>
        replicas[i % 3]!.ledger.append(debit(customer.id, 10, { idempotencyKey: `d-${i}` })),
      );
      const lower = replicas[0]!.ledger.setCreditLimit({ customerId: customer.id, currency: 'USD', amount: 100 });
      const [{ values }, lowered] = await Promise.all([settle(debits), settle([lower])]);
      const balance = await storage.ledger.balance(customer.id, 'USD');
      const limit = await storage.ledger.creditLimit(customer.id, 'USD');
      expect(balance + 10 * values.length).toBe(0);
      expect(balance).toBeGreaterThanOrEqual(-limit);
      // The lowering either won (limit 100, at most 10 debits after it) or came too late (limit 1000 kept).
      if (lowered.values.length === 1) expect(limit).toBe(100);
      else expect(limit).toBe(1000);
    });
  });

  describe('price books', () => {
    it('set, get, list and remove a reseller’s lines', async () => {
      const { storage, clock } = env;
      const reseller = await seedCustomer(storage);
      const [a, b] = [await seedPlan(storage), await seedPlan(storage)];
      expect(await storage.priceBooks.get(reseller.id, a.id)).toBeNull();
      expect(await storage.priceBooks.list(reseller.id)).toEqual([]);
      const line = await storage.priceBooks.set({ customerId: reseller.id, planId: a.id, price: { amount: 700, currency: 'USD' } });
      expect(line).toEqual({
        customerId: reseller.id,
        planId: a.id,
        price: { amount: 700, currency: 'USD' },
        extensionPrice: null,
        trafficPricePerGiB: null,
        updatedAt: clock.now(),
      });
      await storage.priceBooks.set({
        customerId: reseller.id,
        planId: b.id,
        price: { amount: 0, currency: 'USD' },
        extensionPrice: { amount: 5, currency: 'USD' },
        trafficPricePerGiB: { amount: 1, currency: 'USD' },
      });
      const replaced = await storage.priceBooks.set({ customerId: reseller.id, planId: a.id, price: { amount: 650, currency: 'USD' } });
      expect(await storage.priceBooks.get(reseller.id, a.id)).toEqual(replaced);
      const planIds = (await storage.priceBooks.list(reseller.id)).map((e) => e.planId);
      expect(planIds).toEqual([a.id, b.id].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
      expect(await storage.priceBooks.remove(reseller.id, a.id)).toBe(true);
      expect(await storage.priceBooks.remove(reseller.id, a.id)).toBe(false);
      expect(await storage.priceBooks.get(reseller.id, a.id)).toBeNull();
      expect(await storage.priceBooks.list(reseller.id)).toHaveLength(1);
    });

    it('customers.getWithPriceBook reads a customer with its whole price book and balances, as get, priceBooks.list and ledger.balances do', async () => {
      const { storage } = env;
      const [reseller, buyer] = [await seedCustomer(storage), await seedCustomer(storage)];
      const [a, b] = [await seedPlan(storage), await seedPlan(storage)];
      await storage.priceBooks.set({ customerId: reseller.id, planId: b.id, price: { amount: 900, currency: 'USD' } });
      await storage.priceBooks.set({
        customerId: reseller.id,
        planId: a.id,
        price: { amount: 700, currency: 'USD' },
        extensionPrice: { amount: 5, currency: 'USD' },
      });
      await storage.priceBooks.set({ customerId: reseller.id, planId: a.id, price: { amount: 650, currency: 'USD' } });
      await seedLedgerEntry(storage, { customerId: reseller.id, amount: 1200 });
      await seedLedgerEntry(storage, { customerId: reseller.id, amount: 300, currency: 'EUR' });
      await seedLedgerEntry(storage, { customerId: reseller.id, kind: 'purchase', amount: -200 });
      expect(await storage.customers.getWithPriceBook(reseller.id)).toEqual({
        customer: await storage.customers.get(reseller.id),
        priceBook: await storage.priceBooks.list(reseller.id),
        balances: await storage.ledger.balances(reseller.id),
      });
      // Storage port 35: by currency, each as ledger.balances answers it.
      expect((await storage.customers.getWithPriceBook(reseller.id))?.balances).toEqual([
        { amount: 300, currency: 'EUR' },
        { amount: 1000, currency: 'USD' },
      ]);
      expect((await storage.customers.getWithPriceBook(reseller.id))?.priceBook.map((line) => line.price.amount)).toEqual(
        a.id < b.id ? [650, 900] : [900, 650],
      );
      expect(await storage.customers.getWithPriceBook(buyer.id)).toEqual({ customer: buyer, priceBook: [], balances: [] });
      expect(await storage.customers.getWithPriceBook('cus_missing')).toBeNull();
    });

    it('bad lines are typed errors and store nothing', async () => {
      const { storage } = env;
      const reseller = await seedCustomer(storage);
      const plan = await seedPlan(storage);
      const usd = (amount: number) => ({ amount, currency: 'USD' });
      await expectRejects(storage.priceBooks.set({ customerId: reseller.id, planId: plan.id, price: usd(-1) }), 'ValidationError');
      await expectRejects(
        storage.priceBooks.set({ customerId: reseller.id, planId: plan.id, price: usd(1), extensionPrice: { amount: 1, currency: 'EUR' } }),
        'ValidationError',
      );
      await expectRejects(
        storage.priceBooks.set({ customerId: reseller.id, planId: plan.id, price: usd(1), trafficPricePerGiB: usd(0) }),
        'ValidationError',
      );
      await expectRejects(storage.priceBooks.set({ customerId: 'cus_missing', planId: plan.id, price: usd(1) }), 'NotFoundError');
      await expectRejects(storage.priceBooks.set({ customerId: reseller.id, planId: 'pln_missing', price: usd(1) }), 'NotFoundError');
      expect(await storage.priceBooks.list(reseller.id)).toEqual([]);
    });
  });
}
