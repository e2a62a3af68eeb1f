import { describe, expect, it } from 'vitest';
import type { NewOrder, Order } from '../../domain/order.js';
import { seedCustomer, seedOrder, seedPlan } from './fixtures.js';
import { collectPages, expectRejects, idsOf } from './support.js';
import type { SuiteEnv } from './support.js';

export function ordersSuite(env: SuiteEnv): void {
  describe('orders', () => {
    it('create stores the items and defaults, and is found by id and by (customerId, key)', async () => {
      const { storage, clock } = env;
      const customer = await seedCustomer(storage);
      const [basic, pro] = [await seedPlan(storage), await seedPlan(storage)];
      const order = await storage.orders.create({
        customerId: customer.id,
        items: [
          { planId: basic.id, quantity: 2, unitPrice: { amount: 300, currency: 'USD' }, trial: false },
          { planId: pro.id, quantity: 1, unitPrice: { amount: 0, currency: 'USD' }, trial: true },
        ],
        total: { amount: 600, currency: 'USD' },
        idempotencyKey: 'checkout-1',
        requestHash: 'sha256:abc',
      });
      expect(order).toMatchObject({
        customerId: customer.id,
        status: 'provisioning',
        ledgerEntryId: null,
        idempotencyKey: 'checkout-1',
        requestHash: 'sha256:abc',
        total: { amount: 600, currency: 'USD' },
      });
      expect(order.items).toEqual([
        { planId: basic.id, quantity: 2, unitPrice: { amount: 300, currency: 'USD' }, trial: false },
        { planId: pro.id, quantity: 1, unitPrice: { amount: 0, currency: 'USD' }, trial: true },
      ]);
      expect(order.createdAt).toEqual(clock.now());
      expect(await storage.orders.get(order.id)).toEqual(order);
      expect(await storage.orders.getByIdempotencyKey(customer.id, 'checkout-1')).toEqual(order);
      expect(await storage.orders.getByIdempotencyKey(customer.id, 'checkout-2')).toBeNull();
      expect(await storage.orders.get('ord_missing')).toBeNull();
    });

    it('(customerId, idempotencyKey) is unique: a second create is a ConflictError; other customers may reuse the key', async () => {
      const { storage } = env;
      const [alice, bob] = [await seedCustomer(storage), await seedCustomer(storage)];
      const first = await seedOrder(storage, { customerId: alice.id, idempotencyKey: 'k-1' });
      await expectRejects(seedOrder(storage, { customerId: alice.id, idempotencyKey: 'k-1' }), 'ConflictError');
      const bobs = await seedOrder(storage, { customerId: bob.id, idempotencyKey: 'k-1' });
      expect(await storage.orders.getByIdempotencyKey(alice.id, 'k-1')).toEqual(first);
      expect(await storage.orders.getByIdempotencyKey(bob.id, 'k-1')).toEqual(bobs);
      expect((await storage.orders.list({ customerId: alice.id }, { limit: 10 })).items).toHaveLength(1);
    });

    it('rejects invalid input with a ValidationError and writes nothing', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const plan = await seedPlan(storage);
      const valid: NewOrder = {
        customerId: customer.id,
        items: [{ planId: plan.id, quantity: 1, unitPrice: { amount: 1, currency: 'USD' }, trial: false }],
        total: { amount: 1, currency: 'USD' },
        idempotencyKey: 'bad-1',
        requestHash: 'h',
      };
      await expectRejects(storage.orders.create({ ...valid, items: [] }), 'ValidationError');
      await expectRejects(
        storage.orders.create({
          ...valid,
          items: [{ planId: plan.id, quantity: 0, unitPrice: { amount: 1, currency: 'USD' }, trial: false }],
        }),
        'ValidationError',
      );
      await expectRejects(storage.orders.create({ ...valid, requestHash: '' }), 'ValidationError');
      await expectRejects(storage.orders.create({ ...valid, total: { amount: 1.25, currency: 'USD' } }), 'ValidationError');
      expect(await storage.orders.getByIdempotencyKey(customer.id, 'bad-1')).toBeNull();
      expect((await storage.orders.list({}, { limit: 10 })).items).toEqual([]);
    });

    it('list is newest first, filters by customer and status, and pages without gaps or duplicates', async () => {
      const { storage, clock } = env;
      const [alice, bob] = [await seedCustomer(storage), await seedCustomer(storage)];
      const aliceOrders: Order[] = [];
      const all: Order[] = [];
      for (let i = 0; i < 9; i++) {
        const order = await seedOrder(storage, { customerId: alice.id, status: i % 3 === 0 ? 'completed' : 'provisioning' });
        aliceOrders.push(order);
        all.push(order);
        clock.advance(1000);
        all.push(await seedOrder(storage, { customerId: bob.id, status: 'completed' }));
        clock.advance(1000);
      }
      const newest = <T>(rows: T[]): T[] => [...rows].reverse();
      const aliceAll = await collectPages((cursor) => storage.orders.list({ customerId: alice.id }, { limit: 4, cursor }));
      expect(idsOf(aliceAll.items)).toEqual(idsOf(newest(aliceOrders)));
      expect(aliceAll.pageSizes).toEqual([4, 4, 1]);
      const aliceCompleted = await storage.orders.list({ customerId: alice.id, status: 'completed' }, { limit: 10 });
      expect(idsOf(aliceCompleted.items)).toEqual(idsOf(newest(aliceOrders.filter((o) => o.status === 'completed'))));
      const completed = await collectPages((cursor) => storage.orders.list({ status: 'completed' }, { limit: 5, cursor }));
      expect(idsOf(completed.items)).toEqual(idsOf(newest(all.filter((o) => o.status === 'completed'))));
      const everything = await collectPages((cursor) => storage.orders.list({}, { limit: 7, cursor }));
      expect(idsOf(everything.items)).toEqual(idsOf(newest(all)));
      expect(await storage.orders.list({ status: 'failed' }, { limit: 10 })).toEqual({ items: [], nextCursor: null });
    });

    it('update sets status and ledgerEntryId and moves updatedAt', async () => {
      const { storage, clock } = env;
      const order = await seedOrder(storage);
      clock.advance(5000);
      const updated = await storage.orders.update(order.id, { status: 'completed', ledgerEntryId: 'led_1' });
      expect(updated).toEqual({ ...order, status: 'completed', ledgerEntryId: 'led_1', updatedAt: clock.now() });
      expect(await storage.orders.get(order.id)).toEqual(updated);
      expect(idsOf((await storage.orders.list({ status: 'completed' }, { limit: 10 })).items)).toEqual([order.id]);
      expect((await storage.orders.list({ status: 'provisioning' }, { limit: 10 })).items).toEqual([]);
      clock.advance(5000);
      // An empty patch only locks the row: nothing moves.
      expect(await storage.orders.update(order.id, {})).toEqual(updated);
      expect(await storage.orders.get(order.id)).toEqual(updated);
    });

    it('update of a missing order is a NotFoundError; an invalid patch is a ValidationError and changes nothing', async () => {
      const { storage } = env;
      await expectRejects(storage.orders.update('ord_missing', { status: 'failed' }), 'NotFoundError');
      const order = await seedOrder(storage);
      await expectRejects(storage.orders.update(order.id, { status: 'failed', ledgerEntryId: '' }), 'ValidationError');
      expect(await storage.orders.get(order.id)).toEqual(order);
    });

    it('returns copies', async () => {
      const { storage } = env;
      const order = await seedOrder(storage);
      const snapshot = structuredClone(order);
      const firstItem = order.items[0];
      if (firstItem) firstItem.quantity = 50;
      order.items.push({ planId: 'x', quantity: 1, unitPrice: { amount: 1, currency: 'USD' }, trial: false });
      order.total.amount = 0;
      const fetched = await storage.orders.get(order.id);
      if (fetched?.items[0]) fetched.items[0].unitPrice.amount = 1;
      const listed = await storage.orders.list({}, { limit: 5 });
      listed.items[0]?.items.pop();
      expect(await storage.orders.getByIdempotencyKey(snapshot.customerId, snapshot.idempotencyKey)).toEqual(snapshot);
    });
  });
}
