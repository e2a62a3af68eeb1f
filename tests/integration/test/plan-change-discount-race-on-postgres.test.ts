/**
 * Discount codes spent on plan changes submitted at once on two replicas of one PostgreSQL server:
 * the last uses of a code go to exactly as many changes as it has (in all, and per customer), every
 * other change is refused `exhausted` / `customer_exhausted` with nothing charged, reserved or queued;
 * and one change submitted to both replicas with one key takes one use. The use is the code row's
 * conditional `UPDATE` in the change's own transaction, after its debit: every change quotes the code
 * as it reads it when it starts (all at once here, so most see uses to spare), and the conditional
 * `UPDATE`, not that read, is what refuses the ones that come too late.
 */
import { describe, expect, it } from 'vitest';
import { EligibilityError } from '@panelkit/sdk';
import type { Plan } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import { DAY, GiB, type Shop } from './support/shop.js';
import { withTwoShops } from './support/two-shops.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const SKIP = DATABASE_URL === undefined || DATABASE_URL === '' ? 'PANELKIT_TEST_DATABASE_URL is not set' : false;

interface Rig {
  shops: readonly Shop[];
  storage: StoragePort;
  bigger: Plan;
}

/** Two replicas sharing a schema and a panel, and a 2000 plan to move to; `run` buys what it needs. */
function withReplicas(run: (rig: Rig) => Promise<void>): Promise<void> {
  return withTwoShops(
    async ({ shops, storage }) => {
      await storage.targets.update(shops[0].target.id, { capacity: null });
      const bigger = await storage.plans.create({
        name: 'bigger',
        family: 'standard',
        price: { amount: 2_000, currency: 'USD' },
        durationDays: 30,
        trafficBytes: 20 * GiB,
      });
      await run({ shops, storage, bigger });
    },
    { poolMax: 6 },
  );
}

/** `count` subscriptions of the base plan for `customerId`, 15 days into their 30 (each worth 500). */
async function subscriptions(shop: Shop, customerId: string, count: number, key: string): Promise<string[]> {
  const { subscriptions } = await shop.kit.checkout({
    customerId,
    items: [{ planId: shop.plan.id, quantity: count }],
    idempotencyKey: key,
  });
  return subscriptions.map((s) => s.id);
}

const reasonOf = (o: PromiseSettledResult<unknown>) =>
  o.status === 'rejected' && EligibilityError.is(o.reason) ? o.reason.details?.['discountReason'] : o.status;

describe.skipIf(SKIP !== false)(
  `discount codes on plan changes on two replicas of one PostgreSQL server${SKIP === false ? '' : ` (skipped: ${SKIP})`}`,
  () => {
    it('8 buyers change plan at once with a code of 2 uses: 2 get it, 6 are refused and charged nothing', {
      timeout: 60_000,
    }, async () => {
      await withReplicas(async ({ shops, storage, bigger }) => {
        const [first] = shops;
        const buyers: { customerId: string; id: string }[] = [];
        for (let i = 0; i < 8; i++) {
          const customerId = await first!.customer(10_000);
          buyers.push({ customerId, id: (await subscriptions(first!, customerId, 1, `buy-${i}`))[0]! });
        }
        await first!.worker.drain();
        await first!.tick(15 * DAY); // reads usage (0): each is worth half its price, 500; the change costs 1500
        const code = await first!.kit.createDiscountCode({
          code: 'LASTMOVE',
          value: { type: 'percent', percent: 20 },
          appliesTo: ['plan_change'],
          maxUses: 2,
        });
        const outcomes = await Promise.allSettled(
          buyers.map(({ id }, i) =>
            shops[i % 2]!.kit.changePlan({ subscriptionId: id, planId: bigger.id, idempotencyKey: 'up', discountCode: 'lastmove' }),
          ),
        );
        const reasons = outcomes.map(reasonOf);
        expect(reasons.filter((r) => r === 'fulfilled')).toHaveLength(2);
        expect(reasons.filter((r) => r === 'exhausted')).toHaveLength(6);
        expect(await storage.discounts.get(code.id)).toMatchObject({ uses: 2 });
        const balances = await Promise.all(buyers.map(({ customerId }) => first!.balance(customerId)));
        for (const [i, o] of outcomes.entries()) {
          expect(balances[i]).toBe(o.status === 'fulfilled' ? 10_000 - 1_000 - 1_200 : 10_000 - 1_000);
          const redemption = await storage.discounts.getRedemption(`plan_change:${buyers[i]!.id}:up`);
          expect(redemption === null).toBe(o.status === 'rejected');
        }
        expect((await storage.plans.get(bigger.id))!.allocated).toBe(2);
        await Promise.all(shops.map((shop) => shop.worker.drain()));
        const moved = await Promise.all(buyers.map(async ({ id }) => (await storage.subscriptions.get(id))!.planId === bigger.id));
        expect(moved).toEqual(outcomes.map((o) => o.status === 'fulfilled'));
      });
    });

    it('one buyer changes 4 subscriptions at once with a free code of 1 use per customer: one is free, 3 refused', {
      timeout: 60_000,
    }, async () => {
      await withReplicas(async ({ shops, storage, bigger }) => {
        const [first] = shops;
        const customerId = await first!.customer(10_000);
        const ids = await subscriptions(first!, customerId, 4, 'buy');
        await first!.worker.drain();
        await first!.tick(15 * DAY);
        const code = await first!.kit.createDiscountCode({
          code: 'ONEMOVE',
          value: { type: 'percent', percent: 100 },
          appliesTo: ['plan_change'],
          maxUsesPerCustomer: 1,
        });
        const outcomes = await Promise.allSettled(
          ids.map((id, i) =>
            shops[i % 2]!.kit.changePlan({ subscriptionId: id, planId: bigger.id, idempotencyKey: 'free', discountCode: 'ONEMOVE' }),
          ),
        );
        const reasons = outcomes.map(reasonOf);
        expect(reasons.filter((r) => r === 'fulfilled')).toHaveLength(1);
        expect(reasons.filter((r) => r === 'customer_exhausted')).toHaveLength(3);
        expect(await storage.discounts.customerUses(code.id, customerId)).toBe(1);
        expect(await storage.discounts.get(code.id)).toMatchObject({ uses: 1 });
        expect(await first!.balance(customerId)).toBe(10_000 - 4 * 1_000);
        expect((await storage.plans.get(bigger.id))!.allocated).toBe(1);
      });
    });

    it('one change submitted to both replicas at once with one key takes one use and one debit', { timeout: 60_000 }, async () => {
      await withReplicas(async ({ shops, storage, bigger }) => {
        const [first] = shops;
        const customerId = await first!.customer(10_000);
        const ids = await subscriptions(first!, customerId, 3, 'buy');
        await first!.worker.drain();
        await first!.tick(15 * DAY);
        const code = await first!.kit.createDiscountCode({
          code: 'TWICE',
          value: { type: 'fixed', amount: { amount: 500, currency: 'USD' } },
          appliesTo: ['plan_change'],
        });
        const results = await Promise.all(
          ids.map((id) =>
            Promise.all(
              shops.map((shop) =>
                shop.kit.changePlan({ subscriptionId: id, planId: bigger.id, idempotencyKey: 'twice', discountCode: 'TWICE' }),
              ),
            ),
          ),
        );
        for (const pair of results) expect(pair.map((r) => r.replayed).sort()).toEqual([false, true]);
        expect(await storage.discounts.get(code.id)).toMatchObject({ uses: 3 });
        expect(await first!.balance(customerId)).toBe(10_000 - 3 * 1_000 - 3 * 1_000);
        await Promise.all(shops.map((shop) => shop.worker.drain()));
        for (const id of ids) expect((await storage.subscriptions.get(id))!.planId).toBe(bigger.id);
        expect(await first!.balance(customerId)).toBe(10_000 - 3 * 1_000 - 3 * 1_000);
      });
    });
  },
);
