import { describe, expect, it } from 'vitest';
import type { NewPayment, Payment } from '../../domain/payment.js';
import type { StorageRepositories } from '../../ports/storage.js';
import { seedCustomer, seedLedgerEntry, uniqueToken } from './fixtures.js';
import { collectPages, expectRejects, HOUR, idsOf, later, settle } from './support.js';
import type { SuiteEnv } from './support.js';

function newPayment(customerId: string, extra: Partial<NewPayment> = {}): NewPayment {
  return { customerId, providerId: 'card', amount: 800, currency: 'USD', ...extra };
}

async function created(repos: StorageRepositories, input: NewPayment, maxPending: number | null = null): Promise<Payment> {
  const result = await repos.payments.create(input, { maxPending });
  if (!result.ok) throw new Error(`expected a payment, got ${result.reason}`);
  return result.payment;
}

/** Payment intents: unique references, the per-provider pending limit, conditional transitions, listing, import. */
export function paymentsSuite(env: SuiteEnv): void {
  describe('payments', () => {
    it('records a pending payment with its fields and reads it back by id and by reference, as copies', async () => {
      const { storage, clock } = env;
      const customer = await seedCustomer(storage);
      const expiresAt = later(clock, HOUR);
      const payment = await created(
        storage,
        newPayment(customer.id, { externalRef: 'inv-1', requestKey: 'form-1', details: { cardLast4: '1234' }, expiresAt }),
      );
      expect(payment).toMatchObject({
        customerId: customer.id,
        providerId: 'card',
        amount: 800,
        currency: 'USD',
        status: 'pending',
        externalRef: 'inv-1',
        requestKey: 'form-1',
        details: { cardLast4: '1234' },
        expiresAt,
        confirmation: null,
        ledgerEntryId: null,
        reversalEntryId: null,
        decidedBy: null,
        note: null,
        createdAt: clock.now(),
        updatedAt: clock.now(),
      });
      expect(await storage.payments.get(payment.id)).toEqual(payment);
      expect(await storage.payments.getByExternalRef('card', 'inv-1')).toEqual(payment);
      expect(await storage.payments.getByExternalRef('crypto', 'inv-1')).toBeNull();
      expect(await storage.payments.get('pay_missing')).toBeNull();
      const read = (await storage.payments.get(payment.id))!;
      (read.details as Record<string, unknown>)['cardLast4'] = 'changed';
      expect((await storage.payments.get(payment.id))!.details).toEqual({ cardLast4: '1234' });
    });

    it('takes the id it is given (a gateway had to know it first)', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const id = `pay_${uniqueToken()}`;
      expect((await created(storage, newPayment(customer.id, { id }))).id).toBe(id);
    });

    it('refuses a used external reference per provider and a used request key per buyer and provider, naming the holder', async () => {
      const { storage } = env;
      const a = await seedCustomer(storage);
      const b = await seedCustomer(storage);
      const first = await created(storage, newPayment(a.id, { externalRef: 'ref-9', requestKey: 'key-1' }));
      expect(await storage.payments.create(newPayment(b.id, { externalRef: 'ref-9' }), { maxPending: null })).toEqual({
        ok: false,
        reason: 'duplicate',
        existing: first,
      });
      expect(await storage.payments.create(newPayment(a.id, { requestKey: 'key-1' }), { maxPending: null })).toEqual({
        ok: false,
        reason: 'duplicate',
        existing: first,
      });
      // Another provider, another buyer's key: separate payments.
      await created(storage, newPayment(a.id, { providerId: 'crypto', externalRef: 'ref-9', requestKey: 'key-1' }));
      await created(storage, newPayment(b.id, { requestKey: 'key-1' }));
      expect((await storage.payments.list({}, { limit: 10 })).items).toHaveLength(3);
    });

    it('counts the pending limit per buyer and provider; a payment that leaves pending frees its place', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const other = await seedCustomer(storage);
      const one = await created(storage, newPayment(customer.id), 2);
      await created(storage, newPayment(customer.id), 2);
      expect(await storage.payments.create(newPayment(customer.id), { maxPending: 2 })).toEqual({
        ok: false,
        reason: 'too_many_pending',
        pending: 2,
      });
      expect(await storage.payments.countPending(customer.id, 'card')).toBe(2);
      // Another provider and another buyer have their own count; no limit is no limit.
      await created(storage, newPayment(customer.id, { providerId: 'crypto' }), 2);
      await created(storage, newPayment(other.id), 2);
      await created(storage, newPayment(customer.id), null);
      expect(await storage.payments.countPending(customer.id, 'card')).toBe(3);
      expect(await storage.payments.countPending(customer.id, 'crypto')).toBe(1);
      await storage.payments.transition(one.id, ['pending'], { status: 'cancelled' });
      await storage.payments.transition((await created(storage, newPayment(other.id))).id, ['pending'], { status: 'expired' });
      expect(await storage.payments.countPending(customer.id, 'card')).toBe(2);
      expect((await storage.payments.create(newPayment(customer.id), { maxPending: 3 })).ok).toBe(true);
    });

    it('refuses bad input and a missing customer, writing nothing', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      await expectRejects(storage.payments.create(newPayment(customer.id, { amount: 0 }), { maxPending: null }), 'ValidationError');
      await expectRejects(storage.payments.create(newPayment(customer.id, { currency: 'usd' }), { maxPending: null }), 'ValidationError');
      await expectRejects(
        storage.payments.create(newPayment(customer.id, { providerId: 'Bad Id' }), { maxPending: null }),
        'ValidationError',
      );
      await expectRejects(storage.payments.create(newPayment('cus_missing'), { maxPending: null }), 'NotFoundError');
      expect((await storage.payments.list({}, { limit: 10 })).items).toEqual([]);
    });

    it('moves a payment only out of the statuses given, merging details, once', async () => {
      const { storage, clock } = env;
      const customer = await seedCustomer(storage);
      const payment = await created(storage, newPayment(customer.id, { details: { a: 1 } }));
      const entry = await seedLedgerEntry(storage, { customerId: customer.id, amount: 800 });
      clock.advance(1000);
      const credited = await storage.payments.transition(payment.id, ['pending', 'expired'], {
        status: 'credited',
        confirmation: 'admin_approval',
        ledgerEntryId: entry.id,
        decidedBy: { type: 'admin', id: 'adm_1' },
        note: 'checked',
        details: { b: 2 },
      });
      expect(credited).toMatchObject({
        status: 'credited',
        confirmation: 'admin_approval',
        ledgerEntryId: entry.id,
        decidedBy: { type: 'admin', id: 'adm_1' },
        note: 'checked',
        details: { a: 1, b: 2 },
        createdAt: payment.createdAt,
        updatedAt: clock.now(),
      });
      expect(await storage.payments.transition(payment.id, ['pending'], { status: 'credited' })).toBeNull();
      expect(await storage.payments.transition('pay_missing', ['pending'], { status: 'credited' })).toBeNull();
      expect(await storage.payments.get(payment.id)).toEqual(credited);
      // An empty patch from the right status changes nothing but the time and returns the payment.
      expect((await storage.payments.transition(payment.id, ['credited'], {}))?.status).toBe('credited');
    });

    it('refuses an unknown patch field or status', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const payment = await created(storage, newPayment(customer.id));
      await expectRejects(storage.payments.transition(payment.id, ['pending'], { amount: 1 } as never), 'ValidationError');
      await expectRejects(storage.payments.transition(payment.id, ['pending'], { status: 'paid' } as never), 'ValidationError');
      await expectRejects(storage.payments.transition(payment.id, ['paid'] as never, { status: 'cancelled' }), 'ValidationError');
      expect((await storage.payments.get(payment.id))!.status).toBe('pending');
    });

    it('a transition inside a transaction that fails is undone', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const payment = await created(storage, newPayment(customer.id));
      await expect(
        storage.transaction(async (tx) => {
          await tx.payments.transition(payment.id, ['pending'], { status: 'cancelled' });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect((await storage.payments.get(payment.id))!.status).toBe('pending');
    });

    it('lists newest first by buyer, provider and status, in pages; lists expiring pending payments oldest expiry first', async () => {
      const { storage, clock } = env;
      const customer = await seedCustomer(storage);
      const other = await seedCustomer(storage);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push((await created(storage, newPayment(customer.id, { expiresAt: later(clock, (5 - i) * HOUR) }))).id);
        clock.advance(1000);
      }
      const crypto = await created(storage, newPayment(customer.id, { providerId: 'crypto' }));
      await created(storage, newPayment(other.id));
      await storage.payments.transition(ids[0]!, ['pending'], { status: 'cancelled' });
      const pages = await collectPages((cursor) =>
        storage.payments.list({ customerId: customer.id, providerId: 'card' }, { limit: 2, cursor }),
      );
      expect(idsOf(pages.items)).toEqual([...ids].reverse());
      expect(pages.pageSizes).toEqual([2, 2, 1]);
      expect(idsOf((await storage.payments.list({ customerId: customer.id, statuses: ['cancelled'] }, { limit: 10 })).items)).toEqual([
        ids[0],
      ]);
      expect(idsOf((await storage.payments.list({ providerId: 'crypto' }, { limit: 10 })).items)).toEqual([crypto.id]);
      expect((await storage.payments.list({}, { limit: 10 })).items).toHaveLength(7);

      // Created between two instants; any of a buyer, a part of the reference, an amount (an admin's search).
      const times = await Promise.all(ids.map(async (id) => (await storage.payments.get(id))!.createdAt));
      expect(
        idsOf((await storage.payments.list({ providerId: 'card', createdFrom: times[1]!, createdBefore: times[3]! }, { limit: 10 })).items),
      ).toEqual([ids[2], ids[1]]);
      const tagged = await created(storage, newPayment(other.id, { externalRef: 'receipt-77812293', amount: 6317 }));
      const search = async (anyOf: NonNullable<Parameters<typeof storage.payments.list>[0]['anyOf']>) =>
        idsOf((await storage.payments.list({ anyOf }, { limit: 20 })).items);
      expect(await search({ externalRefContains: '7781' })).toEqual([tagged.id]);
      expect(await search({ amount: 6317 })).toEqual([tagged.id]);
      expect((await search({ customerIds: [other.id] })).sort()).toHaveLength(2);
      expect(await search({ customerIds: [], externalRefContains: 'nothing-like-it', amount: 1 })).toEqual([]);
      expect(await search({})).toEqual([]);
      expect(
        idsOf(
          (await storage.payments.list({ customerId: other.id, anyOf: { externalRefContains: '7781', amount: 800 } }, { limit: 20 })).items,
        ).sort(),
      ).toHaveLength(2);

      // Expiry: ids[4] expires first (1 h after its creation), ids[0] is cancelled, so not listed.
      const at = later(clock, 3 * HOUR);
      expect(idsOf(await storage.payments.listExpiring(at, 10))).toEqual([ids[4], ids[3], ids[2]]);
      expect(idsOf(await storage.payments.listExpiring(at, 1))).toEqual([ids[4]]);
    });

    it('imports a payment as it was, once', async () => {
      const { storage, clock } = env;
      const customer = await seedCustomer(storage);
      const entry = await seedLedgerEntry(storage, { customerId: customer.id, amount: 500 });
      const old: Payment = {
        id: `pay_${uniqueToken()}`,
        customerId: customer.id,
        providerId: 'card',
        amount: 500,
        currency: 'USD',
        status: 'credited',
        externalRef: 'old-receipt',
        requestKey: null,
        details: { cardLast4: '9999' },
        expiresAt: null,
        confirmation: 'admin_approval',
        ledgerEntryId: entry.id,
        reversalEntryId: null,
        decidedBy: { type: 'admin', id: 'adm_1' },
        note: null,
        createdAt: new Date(clock.now().getTime() - 86_400_000),
        updatedAt: clock.now(),
      };
      expect(await storage.payments.import(old)).toBe(true);
      expect(await storage.payments.import({ ...old, amount: 1 })).toBe(false);
      expect(await storage.payments.get(old.id)).toEqual(old);
      await expectRejects(storage.payments.import({ ...old, id: `pay_${uniqueToken()}` }), 'ConflictError');
    });

    it('of concurrent transitions out of pending, from several connections, exactly one wins', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const payment = await created(storage, newPayment(customer.id));
      const replicas = await env.replicas(4);
      const entries = await Promise.all(replicas.map((_, i) => seedLedgerEntry(storage, { customerId: customer.id, amount: 10 + i })));
      const { values, errors } = await settle(
        replicas.map((replica, i) =>
          replica.transaction((tx) =>
            tx.payments.transition(payment.id, ['pending'], { status: 'credited', confirmation: 'gateway', ledgerEntryId: entries[i]!.id }),
          ),
        ),
      );
      expect(errors).toEqual([]);
      const winners = values.filter((v) => v !== null);
      expect(winners).toHaveLength(1);
      expect((await storage.payments.get(payment.id))!.ledgerEntryId).toBe(winners[0]!.ledgerEntryId);
    });

    it('concurrent creations from several connections never pass the pending limit', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const replicas = await env.replicas(4);
      const { values, errors } = await settle(
        Array.from({ length: 8 }, (_, i) => replicas[i % replicas.length]!.payments.create(newPayment(customer.id), { maxPending: 3 })),
      );
      expect(errors).toEqual([]);
      expect(values.filter((v) => v.ok)).toHaveLength(3);
      expect(await storage.payments.countPending(customer.id, 'card')).toBe(3);
    });
  });
}
