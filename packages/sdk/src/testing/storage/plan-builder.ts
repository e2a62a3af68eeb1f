import { describe, expect, it } from 'vitest';
import { termsOf } from '../../domain/subscription-terms.js';
import { seedOrder, seedPlan, seedSubscription } from './fixtures.js';
import { expectRejects } from './support.js';
import type { SuiteEnv } from './support.js';

const usd = (amount: number) => ({ amount, currency: 'USD' });
const BUILDER = {
  basePrice: usd(100),
  locations: { options: ['de', 'nl'], unitPrice: usd(150), min: 1, max: 2, step: 1 },
  devices: { unitPrice: usd(50), min: 1, max: 5, step: 1 },
  trafficGiB: null,
  durationDays: { unitPrice: usd(5), min: 30, max: 90, step: 30 },
};
const CHOICE = { locations: ['de', 'nl'], devices: 3, days: 30 };

/** Built plans (port 21): a plan's builder, and the choice frozen in an order line and a subscription's terms. */
export function planBuilderSuite(env: SuiteEnv): void {
  describe('built plans', () => {
    it('stores a plan builder, takes it away and puts it back; a fixed plan has none', async () => {
      const { storage } = env;
      expect((await seedPlan(storage)).builder).toBeNull();
      const plan = await seedPlan(storage, { builder: BUILDER });
      expect((await storage.plans.get(plan.id))?.builder).toEqual(BUILDER);
      expect((await storage.plans.update(plan.id, { builder: null })).builder).toBeNull();
      expect((await storage.plans.get(plan.id))?.builder).toBeNull();
      expect((await storage.plans.update(plan.id, { builder: BUILDER })).builder).toEqual(BUILDER);
      await expectRejects(
        seedPlan(storage, { builder: { ...BUILDER, devices: { unitPrice: usd(1), min: 3, max: 2 } } }),
        'ValidationError',
      );
    });

    it('keeps the built sale on an order line and the built terms on a subscription, and old terms read as fixed', async () => {
      const { storage } = env;
      const plan = await seedPlan(storage, { builder: BUILDER });
      const built = { choice: CHOICE, price: usd(700) };
      const order = await seedOrder(storage, {
        items: [{ planId: plan.id, quantity: 1, unitPrice: usd(700), trial: false, built }],
        total: usd(700),
      });
      expect((await storage.orders.get(order.id))?.items[0]?.built).toEqual(built);
      const terms = { ...termsOf(plan), price: usd(350), deviceLimit: 3, built: { ...built, location: 'nl' } };
      const sub = await seedSubscription(storage, { planId: plan.id, orderId: order.id, terms });
      expect((await storage.subscriptions.get(sub.id))?.terms).toEqual(terms);
      const fixed = await seedSubscription(storage, { planId: plan.id, terms: termsOf(plan) });
      expect((await storage.subscriptions.get(fixed.id))?.terms?.built).toBeNull();
      expect(await storage.subscriptions.countOnOtherTerms(plan.id, termsOf(plan))).toBe(1);
    });

    it('keeps a subscription’s bundle id (null when sold alone) and never patches it', async () => {
      const { storage } = env;
      const alone = await seedSubscription(storage);
      expect(alone.bundleId).toBeNull();
      const sub = await seedSubscription(storage, { bundleId: 'bnd_built1' });
      const again = await seedSubscription(storage, { bundleId: 'bnd_built1', customerId: sub.customerId });
      expect([(await storage.subscriptions.get(sub.id))?.bundleId, (await storage.subscriptions.get(again.id))?.bundleId]).toEqual([
        'bnd_built1',
        'bnd_built1',
      ]);
      await expectRejects(
        storage.subscriptions.update(sub.id, { bundleId: 'bnd_other' } as never, { expectedRevision: sub.revision }),
        'ValidationError',
      );
      expect((await storage.subscriptions.get(sub.id))?.bundleId).toBe('bnd_built1');
    });
  });
}
