import { describe, expect, it } from 'vitest';
import type { StorageRepositories } from '../../ports/storage.js';
import { seedCustomer, seedOrder, seedPanel, seedPlan, seedTarget } from './fixtures.js';
import { expectRejects } from './support.js';
import type { SuiteEnv } from './support.js';

/** What each repository's own read answers: `orders.checkoutContext` must answer the same. */
async function separately(repos: StorageRepositories, customerId: string, key: string, planIds: readonly string[]) {
  const ids = [...new Set(planIds)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const plans = [];
  const priceBook = [];
  for (const id of ids) {
    const plan = await repos.plans.get(id);
    if (plan === null) continue;
    plans.push(plan);
    const line = await repos.priceBooks.get(customerId, id);
    if (line !== null) priceBook.push(line);
  }
  return {
    order: await repos.orders.getByIdempotencyKey(customerId, key),
    customer: await repos.customers.get(customerId),
    plans,
    priceBook,
    targets: await repos.targets.list(),
    panels: await repos.panels.list(),
  };
}

/** `orders.checkoutContext`: a checkout's reads before it writes, in one read. */
export function checkoutContextSuite(env: SuiteEnv): void {
  describe('orders.checkoutContext', () => {
    it('answers what the order, customer, plan, price book, target and panel reads answer, in or out of a transaction', async () => {
      const { storage, clock } = env;
      const panel = await seedPanel(storage);
      await seedTarget(storage, { panelId: panel.id, capacity: 5 });
      await seedTarget(storage, { panelId: panel.id });
      const [listed, booked, free] = [
        await seedPlan(storage),
        await seedPlan(storage),
        await seedPlan(storage, { trafficBytes: null, onSale: false }),
      ];
      const reseller = await seedCustomer(storage);
      await storage.priceBooks.set({
        customerId: reseller.id,
        planId: booked.id,
        price: { amount: 700, currency: 'USD' },
        extensionPrice: { amount: 5, currency: 'USD' },
      });
      const other = await seedCustomer(storage);
      await storage.priceBooks.set({ customerId: other.id, planId: listed.id, price: { amount: 1, currency: 'USD' } });
      clock.advance(1234);
      const order = await seedOrder(storage, { customerId: reseller.id, idempotencyKey: 'buy-1' });

      const planIds = [booked.id, listed.id, 'pln_missing', booked.id, free.id];
      const context = await storage.orders.checkoutContext({ customerId: reseller.id, idempotencyKey: 'buy-1', planIds });
      expect(context).toEqual(await separately(storage, reseller.id, 'buy-1', planIds));
      expect(context.order).toEqual(order);
      expect(context.plans.map((p) => p.id)).toEqual([booked.id, free.id, listed.id].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(context.priceBook.map((e) => e.planId)).toEqual([booked.id]);
      expect(context.targets.length).toBeGreaterThanOrEqual(2);

      const fresh = await storage.transaction((tx) =>
        tx.orders.checkoutContext({ customerId: reseller.id, idempotencyKey: 'buy-2', planIds: [listed.id] }),
      );
      expect(fresh).toEqual(await separately(storage, reseller.id, 'buy-2', [listed.id]));
      expect(fresh.order).toBeNull();
    });

    it('answers nothing for an unknown customer, key and plans, and refuses bad input', async () => {
      const { storage } = env;
      const plan = await seedPlan(storage);
      const context = await storage.orders.checkoutContext({ customerId: 'cus_missing', idempotencyKey: 'k', planIds: ['pln_missing'] });
      expect(context).toMatchObject({ order: null, customer: null, plans: [], priceBook: [] });
      expect(context.targets).toEqual(await storage.targets.list());
      expect(context.panels).toEqual(await storage.panels.list());
      expect((await storage.orders.checkoutContext({ customerId: 'cus_missing', idempotencyKey: 'k', planIds: [] })).plans).toEqual([]);
      const customer = await seedCustomer(storage);
      await expectRejects(
        storage.orders.checkoutContext({ customerId: customer.id, idempotencyKey: 'k', planIds: plan.id } as never),
        'ValidationError',
      );
      await expectRejects(
        storage.orders.checkoutContext({ customerId: customer.id, idempotencyKey: 7, planIds: [] } as never),
        'ValidationError',
      );
      await expectRejects(
        storage.orders.checkoutContext({
          customerId: customer.id,
          idempotencyKey: 'k',
          planIds: Array.from({ length: 1001 }, () => plan.id),
        }),
        'ValidationError',
      );
    });
  });
}
