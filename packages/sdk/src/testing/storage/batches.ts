import { describe, expect, it } from 'vitest';
import { createId } from '../../domain/ids.js';
import type { NewLedgerEntry } from '../../domain/ledger.js';
import type { NewSubscription } from '../../domain/subscription.js';
import { MAX_ROWS_PER_CALL } from '../../ports/storage.js';
import {
  remoteIdentityFor,
  seedCustomer,
  seedLedgerEntry,
  seedSubscription,
  seedSubscriptionParents,
  seedTarget,
  uniqueToken,
} from './fixtures.js';
import type { SubscriptionParents } from './fixtures.js';
import { expectRejects, idsOf, sortIds } from './support.js';
import type { SuiteEnv } from './support.js';

function credit(customerId: string, amount: number, key = `batch-${uniqueToken()}`): NewLedgerEntry {
  return { customerId, kind: 'adjustment', amount, currency: 'USD', idempotencyKey: key, actor: { type: 'system' } };
}

function newSubscription(parents: SubscriptionParents, id = createId('sub')): NewSubscription & { id: string } {
  return {
    ...parents,
    id,
    orderId: null,
    status: 'active',
    trafficLimitBytes: null,
    expiresAt: null,
    durationDays: 30,
    startOnFirstUse: false,
    remote: remoteIdentityFor(id),
  };
}

/** The `…Many` calls (port version 15): each writes as its one-row call would, all or none, in the order given. */
export function batchesSuite(env: SuiteEnv): void {
  describe('many rows in one call', () => {
    it('customers.createMany creates every customer in order; getByExternalRefs finds them and leaves unknown ones out', async () => {
      const { storage, clock } = env;
      const made = await storage.customers.createMany([
        { externalRef: 'batch:1', name: 'One', telegramId: '1001' },
        { externalRef: 'batch:2', email: 'Two@Example.com' },
        { id: 'cus_batch_three', externalRef: 'batch:3', locale: 'fa' },
      ]);
      expect(made.map((c) => c.externalRef)).toEqual(['batch:1', 'batch:2', 'batch:3']);
      expect(made[1]?.email).toBe('two@example.com');
      expect(made[2]?.id).toBe('cus_batch_three');
      expect(made[0]?.createdAt).toEqual(clock.now());
      for (const customer of made) expect(await storage.customers.get(customer.id)).toEqual(customer);
      const found = await storage.customers.getByExternalRefs(['batch:3', 'batch:missing', 'batch:1', 'batch:1']);
      expect(sortIds(idsOf(found))).toEqual(sortIds([made[0]!.id, made[2]!.id]));
      expect(await storage.customers.getByExternalRefs([])).toEqual([]);
      expect(await storage.customers.createMany([])).toEqual([]);
    });

    it('customers.getMany finds customers by id in one call, leaving unknown ones out', async () => {
      const { storage } = env;
      const [a, b] = [await seedCustomer(storage, { locale: 'fa' }), await seedCustomer(storage)];
      const found = await storage.customers.getMany([b.id, 'cus_missing', a.id, a.id]);
      expect(sortIds(idsOf(found))).toEqual(sortIds([a.id, b.id]));
      expect(found.find((c) => c.id === a.id)).toEqual(a);
      expect(await storage.customers.getMany([])).toEqual([]);
      const tooMany = Array.from({ length: MAX_ROWS_PER_CALL + 1 }, (_, i) => `cus_${i}`);
      await expectRejects(storage.customers.getMany(tooMany), 'ValidationError');
    });

    it('customers.createMany is all or none: a taken key, stored or twice in the list, is a ConflictError that creates nobody', async () => {
      const { storage } = env;
      await seedCustomer(storage, { externalRef: 'batch:taken' });
      await expectRejects(storage.customers.createMany([{ externalRef: 'batch:new-1' }, { externalRef: 'batch:taken' }]), 'ConflictError');
      await expectRejects(storage.customers.createMany([{ externalRef: 'batch:twice' }, { externalRef: 'batch:twice' }]), 'ConflictError');
      await expectRejects(storage.customers.createMany([{ externalRef: 'batch:new-2' }, { email: 'not-an-email' }]), 'ValidationError');
      expect(await storage.customers.getByExternalRefs(['batch:new-1', 'batch:twice', 'batch:new-2'])).toEqual([]);
      expect((await storage.customers.list({ limit: 10 })).items).toHaveLength(1);
      const tooMany = Array.from({ length: MAX_ROWS_PER_CALL + 1 }, (_, i) => ({ externalRef: `batch:${i}` }));
      await expectRejects(storage.customers.createMany(tooMany), 'ValidationError');
      await expectRejects(storage.customers.getByExternalRefs(tooMany.map((c) => c.externalRef)), 'ValidationError');
    });

    it('ledger.appendMany moves each balance in order as append would, replays used keys, and changes nothing run again', async () => {
      const { storage } = env;
      const a = await seedCustomer(storage);
      const b = await seedCustomer(storage);
      const earlier = await seedLedgerEntry(storage, { customerId: a.id, amount: 500, idempotencyKey: 'batch-earlier' });
      const list = [
        credit(a.id, 100, 'batch-a1'),
        credit(b.id, 70, 'batch-b1'),
        { ...credit(a.id, -550, 'batch-a2'), kind: 'purchase' as const },
        credit(a.id, 100, 'batch-a1'),
        { ...credit(a.id, 500), idempotencyKey: 'batch-earlier', kind: 'top_up' as const },
      ];
      const first = await storage.ledger.appendMany(list);
      expect(first.map((r) => [r.entry.idempotencyKey, r.entry.balanceAfter, r.created])).toEqual([
        ['batch-a1', 600, true],
        ['batch-b1', 70, true],
        ['batch-a2', 50, true],
        ['batch-a1', 600, false],
        ['batch-earlier', 500, false],
      ]);
      expect(first[3]?.entry).toEqual(first[0]?.entry);
      expect(first[4]?.entry).toEqual(earlier);
      for (const r of first) expect(await storage.ledger.getByIdempotencyKey(r.entry.idempotencyKey)).toEqual(r.entry);
      expect(await storage.ledger.balance(a.id, 'USD')).toBe(50);
      expect(await storage.ledger.balance(b.id, 'USD')).toBe(70);
      const again = await storage.ledger.appendMany(list);
      expect(again.map((r) => r.created)).toEqual([false, false, false, false, false]);
      expect(again.map((r) => r.entry)).toEqual(first.map((r) => r.entry));
      expect(await storage.ledger.balance(a.id, 'USD')).toBe(50);
      expect((await storage.ledger.list(a.id, { limit: 10 })).items).toHaveLength(3);
      expect(await storage.ledger.appendMany([])).toEqual([]);
    });

    it('ledger.appendMany is all or none: a debit past the floor, a reused key, a missing customer write nothing', async () => {
      const { storage } = env;
      const a = await seedCustomer(storage);
      await seedLedgerEntry(storage, { customerId: a.id, amount: 100, idempotencyKey: 'batch-used' });
      const fresh = credit(a.id, 40);
      await expectRejects(storage.ledger.appendMany([fresh, { ...credit(a.id, -200), kind: 'purchase' }]), 'InsufficientFundsError');
      await expectRejects(storage.ledger.appendMany([fresh, credit(a.id, 99, 'batch-used')]), 'IdempotencyConflictError');
      await expectRejects(storage.ledger.appendMany([fresh, credit('cus_missing', 10)]), 'NotFoundError');
      await expectRejects(storage.ledger.appendMany([fresh, { ...credit(a.id, 10), currency: 'nope' }]), 'ValidationError');
      expect(await storage.ledger.getByIdempotencyKey(fresh.idempotencyKey)).toBeNull();
      expect(await storage.ledger.balance(a.id, 'USD')).toBe(100);
      // Inside a transaction the refused call changes nothing and the transaction goes on.
      await storage.transaction(async (tx) => {
        await expectRejects(tx.ledger.appendMany([fresh, { ...credit(a.id, -500), kind: 'purchase' }]), 'InsufficientFundsError');
        await tx.ledger.appendMany([fresh]);
      });
      expect(await storage.ledger.balance(a.id, 'USD')).toBe(140);
      const tooMany = Array.from({ length: MAX_ROWS_PER_CALL + 1 }, () => credit(a.id, 1));
      await expectRejects(storage.ledger.appendMany(tooMany), 'ValidationError');
    });

    it('subscriptions.createMany creates every one in order; getMany reads them back and leaves unknown ids out', async () => {
      const { storage, clock } = env;
      const parents = await seedSubscriptionParents(storage);
      const inputs = [newSubscription(parents), newSubscription(parents), newSubscription(parents)];
      const made = await storage.subscriptions.createMany(inputs);
      expect(idsOf(made)).toEqual(idsOf(inputs));
      expect(made[0]).toMatchObject({ status: 'active', revision: 0, remote: inputs[0]?.remote, statusChangedAt: clock.now() });
      for (const s of made) expect(await storage.subscriptions.get(s.id)).toEqual(s);
      const found = await storage.subscriptions.getMany([made[2]!.id, 'sub_missing', made[0]!.id]);
      expect(sortIds(idsOf(found))).toEqual(sortIds([made[0]!.id, made[2]!.id]));
      expect(await storage.subscriptions.getMany([])).toEqual([]);
    });

    it('subscriptions.createMany is all or none: a taken id or username, a missing parent, a target elsewhere create nothing', async () => {
      const { storage } = env;
      const parents = await seedSubscriptionParents(storage);
      const taken = await seedSubscription(storage, parents);
      const fresh = newSubscription(parents);
      await expectRejects(storage.subscriptions.createMany([fresh, newSubscription(parents, taken.id)]), 'ConflictError');
      const sameName = { ...newSubscription(parents), remote: taken.remote };
      await expectRejects(storage.subscriptions.createMany([fresh, sameName]), 'ConflictError');
      await expectRejects(
        storage.subscriptions.createMany([fresh, { ...newSubscription(parents), planId: 'plan_missing' }]),
        'NotFoundError',
      );
      const elsewhere = await seedTarget(storage);
      await expectRejects(
        storage.subscriptions.createMany([fresh, { ...newSubscription(parents), targetId: elsewhere.id }]),
        'ValidationError',
      );
      expect(await storage.subscriptions.getMany([fresh.id])).toEqual([]);
      const tooMany = Array.from({ length: MAX_ROWS_PER_CALL + 1 }, () => newSubscription(parents));
      await expectRejects(storage.subscriptions.createMany(tooMany), 'ValidationError');
    });

    it('audit.appendMany stores every event in order, timestamped by the storage clock', async () => {
      const { storage, clock } = env;
      const subjectId = createId('sub');
      const base = { actor: { type: 'admin' as const, id: 'admin-1' }, subjectType: 'subscription', subjectId };
      const events = await storage.audit.appendMany([
        { ...base, action: 'batch.first', data: { n: 1 } },
        { ...base, action: 'batch.second' },
      ]);
      expect(events.map((e) => [e.action, e.at])).toEqual([
        ['batch.first', clock.now()],
        ['batch.second', clock.now()],
      ]);
      const listed = await storage.audit.list({ subjectId }, { limit: 10 });
      expect(sortIds(idsOf(listed.items))).toEqual(sortIds(idsOf(events)));
      expect(listed.items.find((e) => e.action === 'batch.first')?.data).toEqual({ n: 1 });
      await expectRejects(
        storage.audit.appendMany([
          { ...base, action: 'batch.third' },
          { ...base, action: '' },
        ]),
        'ValidationError',
      );
      expect((await storage.audit.list({ subjectId }, { limit: 10 })).items).toHaveLength(2);
    });
  });
}
