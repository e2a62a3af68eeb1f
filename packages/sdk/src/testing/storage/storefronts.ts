import { describe, expect, it } from 'vitest';
import type { StorageRepositories } from '../../ports/storage.js';
import { seedCustomer, seedOrder, seedPlan, seedSubscription, uniqueToken } from './fixtures.js';
import { collectPages, expectRejects, MINUTE } from './support.js';
import type { SuiteEnv } from './support.js';

const usd = (amount: number) => ({ amount, currency: 'USD' });

async function seedStorefront(repos: StorageRepositories, name = `shop-${uniqueToken()}`) {
  const reseller = await seedCustomer(repos);
  return repos.storefronts.create({ resellerId: reseller.id, name });
}

function saleOf(
  s: { id: string; resellerId: string },
  buyerId: string,
  orderId: string,
  extra: { key?: string; kind?: 'sale' | 'refund'; retail?: number } = {},
) {
  const retail = extra.retail ?? 1200;
  return {
    storefrontId: s.id,
    resellerId: s.resellerId,
    buyerId,
    orderId,
    kind: extra.kind ?? ('sale' as const),
    retail: usd(retail),
    wholesale: usd(Math.sign(retail) * 700),
    margin: usd(Math.sign(retail) * 500),
    bonus: usd(0),
    idempotencyKey: extra.key ?? `sale-${uniqueToken()}`,
  };
}

/** Storefronts (port 21; charges without an order: 22): one per reseller, menus, buyers, usage against quotas, sales recorded once, figures by period. */
export function storefrontsSuite(env: SuiteEnv): void {
  describe('storefronts', () => {
    it('stores a storefront with its defaults, reads it by id and reseller as a copy, lists by name, patches it', async () => {
      const { storage, clock } = env;
      const b = await seedStorefront(storage, 'Bravo');
      const a = await seedStorefront(storage, 'Alpha');
      expect(a).toMatchObject({
        name: 'Alpha',
        status: 'active',
        quotas: { maxActiveSubscriptions: null, maxTrafficBytes: null, panelIds: null },
        commissionTiers: [],
      });
      expect(a.createdAt).toEqual(clock.now());
      const read = await storage.storefronts.get(a.id);
      expect(read).toEqual(a);
      read!.quotas.maxActiveSubscriptions = 5;
      expect((await storage.storefronts.get(a.id))!.quotas.maxActiveSubscriptions).toBeNull();
      expect(await storage.storefronts.getByReseller(b.resellerId)).toEqual(b);
      expect(await storage.storefronts.getByReseller('cus_missing')).toBeNull();
      expect(await storage.storefronts.get('sfr_missing')).toBeNull();
      expect((await storage.storefronts.list()).map((s) => s.name)).toEqual(['Alpha', 'Bravo']);
      clock.advance(MINUTE);
      const patched = await storage.storefronts.update(a.id, {
        status: 'suspended',
        quotas: { maxActiveSubscriptions: 3, maxTrafficBytes: 1000, panelIds: ['pnl_1'] },
        commissionTiers: [{ minMonthlySales: 10, bonusBps: 500 }],
      });
      expect(patched).toMatchObject({ status: 'suspended', name: 'Alpha', quotas: { maxActiveSubscriptions: 3, panelIds: ['pnl_1'] } });
      expect(patched.updatedAt).toEqual(clock.now());
      expect(await storage.storefronts.get(a.id)).toEqual(patched);
      expect((await storage.storefronts.list({ status: 'suspended' })).map((s) => s.id)).toEqual([a.id]);
    });

    it('refuses a second storefront of a reseller, a missing reseller, bad input, and an unknown patch field', async () => {
      const { storage } = env;
      const s = await seedStorefront(storage);
      await expectRejects(storage.storefronts.create({ resellerId: s.resellerId, name: 'again' }), 'ConflictError');
      await expectRejects(storage.storefronts.create({ resellerId: 'cus_missing', name: 'x' }), 'NotFoundError');
      await expectRejects(storage.storefronts.create({ resellerId: s.resellerId, name: '' }), 'ValidationError');
      await expectRejects(
        storage.storefronts.create({ resellerId: s.resellerId, name: 'x', commissionTiers: [{ minMonthlySales: 0, bonusBps: 1 }] }),
        'ValidationError',
      );
      await expectRejects(storage.storefronts.update(s.id, { resellerId: 'x' } as never), 'ValidationError');
      await expectRejects(storage.storefronts.update('sfr_missing', { name: 'x' }), 'NotFoundError');
      expect(await storage.storefronts.list()).toHaveLength(1);
    });

    it('keeps a menu line per plan: set, replaced, read, listed by plan id, removed', async () => {
      const { storage, clock } = env;
      const s = await seedStorefront(storage);
      const [p1, p2] = [await seedPlan(storage), await seedPlan(storage)].sort((x, y) => (x.id < y.id ? -1 : 1));
      const line = await storage.storefronts.setMenuItem({ storefrontId: s.id, planId: p2!.id, retailPrice: usd(1500) });
      expect(line).toEqual({ storefrontId: s.id, planId: p2!.id, retailPrice: usd(1500), updatedAt: clock.now() });
      await storage.storefronts.setMenuItem({ storefrontId: s.id, planId: p1!.id, retailPrice: usd(0) });
      clock.advance(MINUTE);
      await storage.storefronts.setMenuItem({ storefrontId: s.id, planId: p2!.id, retailPrice: usd(1300) });
      expect((await storage.storefronts.menu(s.id)).map((m) => [m.planId, m.retailPrice.amount])).toEqual([
        [p1!.id, 0],
        [p2!.id, 1300],
      ]);
      expect(await storage.storefronts.getMenuItem(s.id, p2!.id)).toMatchObject({ retailPrice: usd(1300), updatedAt: clock.now() });
      expect(await storage.storefronts.removeMenuItem(s.id, p2!.id)).toBe(true);
      expect(await storage.storefronts.removeMenuItem(s.id, p2!.id)).toBe(false);
      expect(await storage.storefronts.getMenuItem(s.id, p2!.id)).toBeNull();
      await expectRejects(
        storage.storefronts.setMenuItem({ storefrontId: s.id, planId: 'pln_missing', retailPrice: usd(1) }),
        'NotFoundError',
      );
      await expectRejects(
        storage.storefronts.setMenuItem({ storefrontId: 'sfr_missing', planId: p1!.id, retailPrice: usd(1) }),
        'NotFoundError',
      );
      await expectRejects(storage.storefronts.setMenuItem({ storefrontId: s.id, planId: p1!.id, retailPrice: usd(-1) }), 'ValidationError');
    });

    it('makes and moves buyers; lists and counts them; a reseller is never a buyer; a patch cannot move one', async () => {
      const { storage, clock } = env;
      const s = await seedStorefront(storage);
      const other = await seedStorefront(storage);
      const born = await seedCustomer(storage, { storefrontId: s.id });
      expect(born.storefrontId).toBe(s.id);
      expect((await storage.customers.get(born.id))!.storefrontId).toBe(s.id);
      await expectRejects(seedCustomer(storage, { storefrontId: 'sfr_missing' }), 'NotFoundError');
      clock.advance(MINUTE);
      const plain = await seedCustomer(storage);
      expect(plain.storefrontId).toBeNull();
      clock.advance(MINUTE);
      const moved = await storage.storefronts.assignBuyer(plain.id, s.id);
      expect(moved).toMatchObject({ id: plain.id, storefrontId: s.id });
      expect(moved.updatedAt).toEqual(clock.now());
      expect(await storage.customers.get(plain.id)).toEqual(moved);
      const pages = await collectPages((cursor) => storage.storefronts.listBuyers(s.id, { limit: 1, cursor }));
      expect(pages.items.map((c) => c.id)).toEqual([plain.id, born.id]);
      expect(pages.pageSizes).toEqual([1, 1]);
      expect(await storage.storefronts.countBuyers(s.id)).toBe(2);
      await storage.storefronts.assignBuyer(born.id, other.id);
      expect(await storage.storefronts.countBuyers(s.id)).toBe(1);
      expect((await storage.storefronts.assignBuyer(born.id, null)).storefrontId).toBeNull();
      await expectRejects(storage.storefronts.assignBuyer(other.resellerId, s.id), 'ValidationError');
      await expectRejects(storage.storefronts.assignBuyer(plain.id, 'sfr_missing'), 'NotFoundError');
      await expectRejects(storage.storefronts.assignBuyer('cus_missing', s.id), 'NotFoundError');
      await expectRejects(storage.customers.update(plain.id, { storefrontId: null } as never), 'ValidationError');
      expect((await storage.customers.get(plain.id))!.storefrontId).toBe(s.id);
    });

    it('counts the live subscriptions of its buyers and their traffic limits, not ended ones nor others’', async () => {
      const { storage } = env;
      const s = await seedStorefront(storage);
      const buyer = await seedCustomer(storage, { storefrontId: s.id });
      await seedSubscription(storage, { customerId: buyer.id, trafficLimitBytes: 100 });
      await seedSubscription(storage, { customerId: buyer.id, trafficLimitBytes: null });
      const ended = await seedSubscription(storage, { customerId: buyer.id, trafficLimitBytes: 1000 });
      await storage.subscriptions.update(ended.id, { status: 'terminated' }, { expectedRevision: ended.revision });
      await seedSubscription(storage, { trafficLimitBytes: 5000 });
      expect(await storage.storefronts.usage(s.id)).toEqual({ activeSubscriptions: 2, trafficBytes: 100 });
      expect(await storage.storefronts.usage((await seedStorefront(storage)).id)).toEqual({ activeSubscriptions: 0, trafficBytes: 0 });
    });

    it('records a sale once per key, lists an order’s rows, counts the month’s sales and totals a period', async () => {
      const { storage, clock } = env;
      const s = await seedStorefront(storage);
      const buyer = await seedCustomer(storage, { storefrontId: s.id });
      const order = await seedOrder(storage, { customerId: buyer.id });
      const start = clock.now();
      const first = await storage.storefronts.recordSale(saleOf(s, buyer.id, order.id, { key: 'k1' }));
      expect(first.created).toBe(true);
      expect(first.sale).toMatchObject({ kind: 'sale', retail: usd(1200), margin: usd(500), createdAt: clock.now() });
      const again = await storage.storefronts.recordSale(saleOf(s, buyer.id, order.id, { key: 'k1' }));
      expect(again).toEqual({ sale: first.sale, created: false });
      await expectRejects(
        storage.storefronts.recordSale(saleOf(s, buyer.id, order.id, { key: 'k1', retail: 5 })),
        'IdempotencyConflictError',
      );
      await expectRejects(storage.storefronts.recordSale(saleOf(s, buyer.id, 'ord_missing')), 'NotFoundError');
      clock.advance(MINUTE);
      await storage.storefronts.recordSale(saleOf(s, buyer.id, order.id, { key: 'r1', kind: 'refund', retail: -1200 }));
      expect((await storage.storefronts.salesOfOrder(order.id)).map((r) => r.kind)).toEqual(['sale', 'refund']);
      expect(await storage.storefronts.salesOfOrder('ord_other')).toEqual([]);
      expect(await storage.storefronts.countSales(s.id, start)).toBe(1);
      expect(await storage.storefronts.countSales(s.id, new Date(start.getTime() + 1))).toBe(0);
      const other = await seedStorefront(storage);
      const otherBuyer = await seedCustomer(storage, { storefrontId: other.id });
      await storage.storefronts.recordSale(saleOf(other, otherBuyer.id, (await seedOrder(storage, { customerId: otherBuyer.id })).id));
      const end = new Date(clock.now().getTime() + 1);
      const all = await storage.storefronts.figures({ from: start, to: end });
      expect(all.map((r) => r.storefrontId)).toEqual([s.id, other.id].sort());
      expect(all.find((r) => r.storefrontId === s.id)).toEqual({
        storefrontId: s.id,
        sales: 1,
        refunds: 1,
        retail: [usd(0)],
        wholesale: [usd(0)],
        margin: [usd(0)],
        bonus: [usd(0)],
      });
      expect(await storage.storefronts.figures({ from: start, to: new Date(start.getTime() + 1), storefrontId: s.id })).toEqual([
        { storefrontId: s.id, sales: 1, refunds: 0, retail: [usd(1200)], wholesale: [usd(700)], margin: [usd(500)], bonus: [usd(0)] },
      ]);
    });

    it('records a sale of a charge with no order (port 22): by its charge key, once, with its subscription and source', async () => {
      const { storage, clock } = env;
      const s = await seedStorefront(storage);
      const buyer = await seedCustomer(storage, { storefrontId: s.id });
      const sub = await seedSubscription(storage, { customerId: buyer.id });
      const charge = `extension:${sub.id}:${uniqueToken()}`;
      const sale = (key: string, extra: { kind?: 'sale' | 'refund'; retail?: number; chargeKey?: string } = {}) => ({
        ...saleOf(s, buyer.id, 'unused', { key, ...extra }),
        orderId: null,
        subscriptionId: sub.id,
        source: 'extension' as const,
        chargeKey: extra.chargeKey ?? charge,
      });
      const start = clock.now();
      const first = await storage.storefronts.recordSale(sale('c1'));
      expect(first.created).toBe(true);
      expect(first.sale).toMatchObject({ orderId: null, subscriptionId: sub.id, source: 'extension', chargeKey: charge, kind: 'sale' });
      expect(await storage.storefronts.recordSale(sale('c1'))).toEqual({ sale: first.sale, created: false });
      await expectRejects(storage.storefronts.recordSale(sale('c1', { chargeKey: 'another-charge' })), 'IdempotencyConflictError');
      // Neither an order nor a charge: refused; a missing subscription is not found.
      await expectRejects(storage.storefronts.recordSale({ ...sale('c2'), chargeKey: null }), 'ValidationError');
      await expectRejects(storage.storefronts.recordSale({ ...sale('c3'), subscriptionId: 'sub_missing' }), 'NotFoundError');
      clock.advance(MINUTE);
      await storage.storefronts.recordSale(sale('c1-refund', { kind: 'refund', retail: -1200 }));
      const rows = await storage.storefronts.salesOfCharge(charge);
      expect(rows.map((r) => [r.kind, r.idempotencyKey])).toEqual([
        ['sale', 'c1'],
        ['refund', 'c1-refund'],
      ]);
      expect(await storage.storefronts.salesOfCharge('no-such-charge')).toEqual([]);
      // An order's sale defaults to a checkout with no charge key or subscription, and is not a charge's row.
      const order = await seedOrder(storage, { customerId: buyer.id });
      const checkout = await storage.storefronts.recordSale(saleOf(s, buyer.id, order.id));
      expect(checkout.sale).toMatchObject({ source: 'checkout', chargeKey: null, subscriptionId: null, orderId: order.id });
      expect(await storage.storefronts.countSales(s.id, start)).toBe(2);
      const [totals] = await storage.storefronts.figures({ from: start, to: new Date(clock.now().getTime() + 1), storefrontId: s.id });
      expect(totals).toMatchObject({ sales: 2, refunds: 1, retail: [usd(1200)] });
    });

    it('records one sale when replicas record the same key at once', async () => {
      const { storage } = env;
      const s = await seedStorefront(storage);
      const buyer = await seedCustomer(storage, { storefrontId: s.id });
      const order = await seedOrder(storage, { customerId: buyer.id });
      const replicas = await env.replicas(3);
      const results = await Promise.all(replicas.map((r) => r.storefronts.recordSale(saleOf(s, buyer.id, order.id, { key: 'same' }))));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.sale.id)).size).toBe(1);
      expect(await storage.storefronts.salesOfOrder(order.id)).toHaveLength(1);
    });
  });
}
