import { describe, expect, it } from 'vitest';
import { REVENUE_LEDGER_KINDS } from '../../domain/sales.js';
import type { NewLedgerEntry } from '../../domain/ledger.js';
import { zonedDays } from '../../rules/zoned-days.js';
import { seedCustomer, seedLedgerEntry, seedOrder, seedSubscription, uniqueToken } from './fixtures.js';
import { expectRejects } from './support.js';
import type { SuiteEnv } from './support.js';

const usd = (amount: number) => ({ amount, currency: 'USD' });

/** The books read by order: `ledger.listByOrder` and `referrals.reduceReward`. */
export function orderBooksSuite(env: SuiteEnv): void {
  describe('books by order', () => {
    it("ledger.listByOrder lists the order's entries oldest first, and nothing else", async () => {
      const { storage, clock } = env;
      const customer = await seedCustomer(storage);
      const order = await seedOrder(storage, { customerId: customer.id });
      const other = await seedOrder(storage, { customerId: customer.id });
      await seedLedgerEntry(storage, { customerId: customer.id, amount: 5000 });
      const paid = await seedLedgerEntry(storage, { customerId: customer.id, kind: 'purchase', amount: -1000, orderId: order.id });
      clock.advance(1000);
      await seedLedgerEntry(storage, { customerId: customer.id, kind: 'purchase', amount: -700, orderId: other.id });
      const refund = await seedLedgerEntry(storage, { customerId: customer.id, kind: 'refund', amount: 300, orderId: order.id });
      expect(await storage.ledger.listByOrder(order.id)).toEqual([paid, refund]);
      expect(await storage.ledger.listByOrder('ord_missing')).toEqual([]);
    });

    it('referrals.reduceReward only lowers a reward; at zero a qualified one is void and a rewarded one reversed', async () => {
      const { storage } = env;
      const referrer = await seedCustomer(storage);
      const [b, c, d] = [await seedCustomer(storage), await seedCustomer(storage), await seedCustomer(storage)];
      for (const referred of [b, c, d]) await storage.referrals.create({ referrerId: referrer.id, referredId: referred.id });
      const order = await seedOrder(storage, { customerId: b.id });
      expect(await storage.referrals.reduceReward(b.id, usd(10))).toBeNull(); // pending: nothing to lower
      await storage.referrals.qualify(b.id, { orderId: order.id, reward: usd(100) });
      await storage.referrals.qualify(c.id, { orderId: (await seedOrder(storage, { customerId: c.id })).id, reward: usd(100) });
      await storage.referrals.qualify(d.id, { orderId: (await seedOrder(storage, { customerId: d.id })).id, reward: usd(100) });
      expect(await storage.referrals.reduceReward(b.id, usd(100))).toBeNull(); // not below
      expect(await storage.referrals.reduceReward(b.id, usd(60))).toMatchObject({ status: 'qualified', reward: usd(60) });
      expect(await storage.referrals.reduceReward(b.id, usd(0))).toMatchObject({ status: 'void', reward: usd(0) });
      expect(await storage.referrals.reduceReward(b.id, usd(0))).toBeNull();
      await expectRejects(storage.referrals.reduceReward(c.id, { amount: 10, currency: 'EUR' }), 'ValidationError');

      for (const referred of [c, d]) {
        const credit = await seedLedgerEntry(storage, { customerId: referrer.id, kind: 'referral', amount: 100 });
        await storage.referrals.markRewarded(referred.id, credit.id);
      }
      expect(await storage.referrals.reduceReward(c.id, usd(40))).toMatchObject({ status: 'rewarded', reward: usd(40) });
      expect(await storage.referrals.reduceReward(d.id, usd(0))).toMatchObject({ status: 'reversed', reward: usd(0) });
      expect(await storage.referrals.stats(referrer.id)).toEqual({ referred: 3, rewarded: 1, earned: [usd(40)] });
      expect((await storage.referrals.listQualified(10)).map((r) => r.referredId)).toEqual([]);
    });
  });
}

/** The sales read model: `sales.figures`. */
export function salesSuite(env: SuiteEnv): void {
  describe('sales figures', () => {
    // Tehran is 3:30 ahead of UTC: its days do not start at UTC midnight.
    const ZONE = 'Asia/Tehran';
    const days = () => zonedDays('2026-03-10', '2026-03-12', ZONE);

    it('counts net revenue per zone day from the revenue kinds only, with refunds netted and top-ups left out', async () => {
      const { storage, clock } = env;
      const [d1, d2] = days();
      const buyer = await seedCustomer(storage);
      const entry = (kind: NewLedgerEntry['kind'], amount: number, currency = 'USD') =>
        seedLedgerEntry(storage, { customerId: buyer.id, kind, amount, currency, idempotencyKey: `e-${uniqueToken()}` });
      clock.set(new Date(d1!.start.getTime() - 1));
      await entry('top_up', 100_000);
      await entry('top_up', 1000, 'EUR');
      await entry('purchase', -999); // the day before the period
      clock.set(d1!.start);
      await entry('top_up', 5000); // cash in, not sales
      await entry('purchase', -500);
      clock.set(new Date(d2!.start.getTime() - 1));
      await entry('traffic_top_up', -50);
      clock.set(d2!.start);
      await entry('extension', -300);
      await entry('refund', 200);
      await entry('plan_change', 30); // a downgrade's credit
      await entry('plan_change', -80);
      await entry('device_pack', -40);
      await entry('adjustment', 100); // a correction, not sales
      await entry('referral', 10); // marketing credit
      await entry('purchase', -70, 'EUR');
      const figures = await storage.sales.figures({ days: days() });
      expect(figures.map((d) => [d.day, d.revenue])).toEqual([
        ['2026-03-10', [{ currency: 'EUR', amount: 0 }, usd(550)]],
        ['2026-03-11', [{ currency: 'EUR', amount: 70 }, usd(300 - 200 - 30 + 80 + 40)]],
        ['2026-03-12', [{ currency: 'EUR', amount: 0 }, usd(0)]],
      ]);
      expect([...REVENUE_LEDGER_KINDS].sort()).toEqual(['device_pack', 'extension', 'plan_change', 'purchase', 'refund', 'traffic_top_up']);
    });

    it('counts paid orders and new subscriptions per day, and subscriptions in service at each day end', async () => {
      const { storage, clock } = env;
      const [d1, d2, d3] = days();
      const customer = await seedCustomer(storage);
      clock.set(new Date(d1!.start.getTime() + 3_600_000));
      await seedOrder(storage, { customerId: customer.id });
      await seedOrder(storage, { customerId: customer.id, total: usd(0) }); // free: not a sale
      const steady = await seedSubscription(storage, { customerId: customer.id, status: 'active', activatedAt: clock.now() });
      const leaving = await seedSubscription(storage, { customerId: customer.id, status: 'active', activatedAt: clock.now() });
      await seedSubscription(storage, { customerId: customer.id }); // pending: never in service
      clock.set(new Date(d2!.start.getTime() + 3_600_000));
      await seedOrder(storage, { customerId: customer.id });
      await seedOrder(storage, { customerId: customer.id });
      await storage.subscriptions.update(leaving.id, { status: 'expired' }, { expectedRevision: leaving.revision });
      clock.set(new Date(d3!.start.getTime() + 3_600_000));
      await storage.subscriptions.update(steady.id, { status: 'terminated' }, { expectedRevision: steady.revision });
      const figures = await storage.sales.figures({ days: days() });
      expect(figures.map((d) => [d.day, d.orders, d.newSubscriptions, d.inService])).toEqual([
        ['2026-03-10', 1, 3, 2],
        ['2026-03-11', 2, 0, 1],
        ['2026-03-12', 0, 0, 0],
      ]);
      expect(figures.every((d) => d.revenue.length === 0)).toBe(true);
    });

    it('refuses an empty range, one of more than 731 days, or days that do not follow each other', async () => {
      const { storage } = env;
      const [d1, , d3] = days();
      await expectRejects(storage.sales.figures({ days: [] }), 'ValidationError');
      await expectRejects(storage.sales.figures({ days: [d1!, d3!] }), 'ValidationError');
      await expectRejects(storage.sales.figures({ days: [{ ...d1!, end: d1!.start }] }), 'ValidationError');
      await expectRejects(storage.sales.figures({ days: zonedDays('2024-01-01', '2026-01-01', 'UTC') }), 'ValidationError');
    });
  });
}
