import { describe, expect, it } from 'vitest';
import type { LedgerEntry, NewLedgerEntry } from '../../domain/ledger.js';
import { seedCustomer, seedLedgerEntry, uniqueToken } from './fixtures.js';
import { collectPages, expectRejects, idsOf } from './support.js';
import type { SuiteEnv } from './support.js';

function entry(customerId: string, kind: NewLedgerEntry['kind'], amount: number, extra: Partial<NewLedgerEntry> = {}): NewLedgerEntry {
  return { customerId, kind, amount, currency: 'USD', idempotencyKey: `key-${uniqueToken()}`, actor: { type: 'system' }, ...extra };
}

export function ledgerSuite(env: SuiteEnv): void {
  describe('ledger', () => {
    it('append records the entry with its running balance and defaults', async () => {
      const { storage, clock } = env;
      const customer = await seedCustomer(storage);
      const first = await storage.ledger.append(entry(customer.id, 'top_up', 1000, { idempotencyKey: 'pay-1', reference: 'psp-1' }));
      expect(first.created).toBe(true);
      expect(first.entry).toMatchObject({
        customerId: customer.id,
        kind: 'top_up',
        amount: 1000,
        currency: 'USD',
        idempotencyKey: 'pay-1',
        orderId: null,
        subscriptionId: null,
        reference: 'psp-1',
        note: null,
        actor: { type: 'system', id: null },
        balanceAfter: 1000,
      });
      expect(first.entry.createdAt).toEqual(clock.now());
      const second = await storage.ledger.append(entry(customer.id, 'purchase', -300));
      expect(second.entry.balanceAfter).toBe(700);
      const third = await storage.ledger.append(entry(customer.id, 'adjustment', 50));
      expect(third.entry.balanceAfter).toBe(750);
      expect(await storage.ledger.balance(customer.id, 'USD')).toBe(750);
      expect(await storage.ledger.getByIdempotencyKey('pay-1')).toEqual(first.entry);
      expect(await storage.ledger.getByIdempotencyKey('pay-unknown')).toBeNull();
    });

    it('keeps balances per currency and per customer, ordered by currency', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const other = await seedCustomer(storage);
      expect(await storage.ledger.balances(customer.id)).toEqual([]);
      expect(await storage.ledger.balance(customer.id, 'USD')).toBe(0);
      await storage.ledger.append(entry(customer.id, 'top_up', 500, { currency: 'USD' }));
      await storage.ledger.append(entry(customer.id, 'top_up', 9000, { currency: 'IRR' }));
      await storage.ledger.append(entry(customer.id, 'top_up', 70, { currency: 'EUR' }));
      const eur = await storage.ledger.append(entry(customer.id, 'purchase', -20, { currency: 'EUR' }));
      expect(eur.entry.balanceAfter).toBe(50);
      await storage.ledger.append(entry(other.id, 'top_up', 1, { currency: 'USD' }));
      expect(await storage.ledger.balances(customer.id)).toEqual([
        { amount: 50, currency: 'EUR' },
        { amount: 9000, currency: 'IRR' },
        { amount: 500, currency: 'USD' },
      ]);
      expect(await storage.ledger.balance(customer.id, 'GBP')).toBe(0);
      expect(await storage.ledger.balances(other.id)).toEqual([{ amount: 1, currency: 'USD' }]);
    });

    it('enforces the sign of each kind and a non-zero amount with a ValidationError, writing nothing', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      await seedLedgerEntry(storage, { customerId: customer.id, amount: 1000 });
      const bad: NewLedgerEntry[] = [
        entry(customer.id, 'top_up', -10),
        entry(customer.id, 'refund', -10),
        entry(customer.id, 'purchase', 10),
        entry(customer.id, 'extension', 10),
        entry(customer.id, 'adjustment', 0),
        entry(customer.id, 'top_up', 1.5),
        entry(customer.id, 'top_up', 10, { currency: 'usd' }),
        entry(customer.id, 'top_up', 10, { idempotencyKey: '' }),
      ];
      for (const input of bad) {
        await expectRejects(storage.ledger.append(input), 'ValidationError');
        if (input.idempotencyKey !== '') expect(await storage.ledger.getByIdempotencyKey(input.idempotencyKey)).toBeNull();
      }
      expect(await storage.ledger.balance(customer.id, 'USD')).toBe(1000);
      expect((await storage.ledger.list(customer.id, { limit: 50 })).items).toHaveLength(1);
      expect((await storage.ledger.append(entry(customer.id, 'adjustment', -10))).entry.balanceAfter).toBe(990);
      expect((await storage.ledger.append(entry(customer.id, 'refund', 10))).entry.balanceAfter).toBe(1000);
      expect((await storage.ledger.append(entry(customer.id, 'extension', -1000))).entry.balanceAfter).toBe(0);
    });

    it('a debit past the balance is an InsufficientFundsError that changes nothing', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      await seedLedgerEntry(storage, { customerId: customer.id, amount: 100 });
      const tooMuch = entry(customer.id, 'purchase', -150);
      await expectRejects(storage.ledger.append(tooMuch), 'InsufficientFundsError');
      await expectRejects(storage.ledger.append(entry(customer.id, 'adjustment', -101)), 'InsufficientFundsError');
      await expectRejects(storage.ledger.append(entry(customer.id, 'purchase', -1, { currency: 'EUR' })), 'InsufficientFundsError');
      expect(await storage.ledger.balance(customer.id, 'USD')).toBe(100);
      expect(await storage.ledger.balances(customer.id)).toEqual([{ amount: 100, currency: 'USD' }]);
      expect(await storage.ledger.getByIdempotencyKey(tooMuch.idempotencyKey)).toBeNull();
      expect((await storage.ledger.list(customer.id, { limit: 50 })).items).toHaveLength(1);
      // The refused key was not used up: once funded, the same request goes through.
      await seedLedgerEntry(storage, { customerId: customer.id, amount: 50 });
      const retried = await storage.ledger.append(tooMuch);
      expect(retried.created).toBe(true);
      expect(retried.entry.balanceAfter).toBe(0);
    });

    it('the same key with the same content returns the first entry and changes nothing', async () => {
      const { storage, clock } = env;
      const customer = await seedCustomer(storage);
      await seedLedgerEntry(storage, { customerId: customer.id, amount: 100 });
      const purchase = entry(customer.id, 'purchase', -100, { idempotencyKey: 'order-1' });
      const first = await storage.ledger.append(purchase);
      clock.advance(60_000);
      // Balance is now 0: a replay must not be judged as a new debit.
      const replay = await storage.ledger.append({ ...purchase, note: 'a different note', reference: 'another-ref' });
      expect(replay).toEqual({ entry: first.entry, created: false });
      expect(await storage.ledger.balance(customer.id, 'USD')).toBe(0);
      expect((await storage.ledger.list(customer.id, { limit: 50 })).items).toHaveLength(2);
    });

    it('the same key with different content is an IdempotencyConflictError and changes nothing', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const other = await seedCustomer(storage);
      const original = entry(customer.id, 'top_up', 500, { idempotencyKey: 'shared-key' });
      await storage.ledger.append(original);
      const variants: NewLedgerEntry[] = [
        { ...original, amount: 501 },
        { ...original, kind: 'refund' },
        { ...original, currency: 'EUR' },
        { ...original, customerId: other.id },
      ];
      for (const variant of variants) await expectRejects(storage.ledger.append(variant), 'IdempotencyConflictError');
      expect(await storage.ledger.balances(customer.id)).toEqual([{ amount: 500, currency: 'USD' }]);
      expect(await storage.ledger.balances(other.id)).toEqual([]);
    });

    it('list is newest first, per customer, and pages without gaps or duplicates', async () => {
      const { storage, clock } = env;
      const customer = await seedCustomer(storage);
      const other = await seedCustomer(storage);
      const entries: LedgerEntry[] = [];
      for (let i = 1; i <= 11; i++) {
        entries.push(await seedLedgerEntry(storage, { customerId: customer.id, amount: i }));
        await seedLedgerEntry(storage, { customerId: other.id, amount: 1 });
        clock.advance(1000);
      }
      const newestFirst = idsOf(entries).reverse();
      const first = await storage.ledger.list(customer.id, { limit: 4 });
      expect(idsOf(first.items)).toEqual(newestFirst.slice(0, 4));
      const all = await collectPages((cursor) => storage.ledger.list(customer.id, { limit: 4, cursor }));
      expect(idsOf(all.items)).toEqual(newestFirst);
      expect(all.pageSizes).toEqual([4, 4, 3]);
      expect(all.items.map((e) => e.balanceAfter)).toEqual([66, 55, 45, 36, 28, 21, 15, 10, 6, 3, 1]);
      expect(await storage.ledger.list('cus_missing', { limit: 10 })).toEqual({ items: [], nextCursor: null });
    });

    it('returns copies', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const input = entry(customer.id, 'top_up', 10, { actor: { type: 'admin', id: 'adm' } });
      const { entry: created } = await storage.ledger.append(input);
      const snapshot = structuredClone(created);
      created.amount = 999;
      created.actor.id = 'changed';
      input.amount = 20;
      const fetched = await storage.ledger.getByIdempotencyKey(input.idempotencyKey);
      if (fetched) fetched.balanceAfter = 0;
      const listed = await storage.ledger.list(customer.id, { limit: 5 });
      if (listed.items[0]) listed.items[0].actor.type = 'customer';
      const balances = await storage.ledger.balances(customer.id);
      if (balances[0]) balances[0].amount = 0;
      expect(await storage.ledger.getByIdempotencyKey(snapshot.idempotencyKey)).toEqual(snapshot);
      expect(await storage.ledger.balance(customer.id, 'USD')).toBe(10);
    });
  });
}
