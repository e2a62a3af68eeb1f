import { describe, expect, it } from 'vitest';
import { DEFAULT_EXTENSION_POLICY } from '../../domain/plan.js';
import type { PlanPatch } from '../../domain/plan.js';
import { seedPlan, uniqueToken } from './fixtures.js';
import { MINUTE, expectRejects, idsOf } from './support.js';
import type { SuiteEnv } from './support.js';

export function plansSuite(env: SuiteEnv): void {
  describe('plans', () => {
    it('create fills defaults, starts with nothing allocated, and get returns the same row', async () => {
      const { storage, clock } = env;
      const plan = await storage.plans.create({
        name: 'basic',
        family: 'basic',
        price: { amount: 500, currency: 'EUR' },
        durationDays: 30,
        trafficBytes: null,
      });
      expect(plan).toMatchObject({
        name: 'basic',
        description: null,
        deviceLimit: null,
        placement: { preferredTargetIds: [], allowedLocations: [], requiredTargetTags: [] },
        maxClients: null,
        autoProvision: true,
        trial: null,
        renewable: true,
        startOnFirstUse: false,
        extension: DEFAULT_EXTENSION_POLICY,
        onSale: true,
        trafficTopUp: null,
        devicePack: null,
        allocated: 0,
        trafficBytes: null,
      });
      expect(plan.createdAt).toEqual(clock.now());
      expect(await storage.plans.get(plan.id)).toEqual(plan);
      expect(await storage.plans.get('pln_missing')).toBeNull();
    });

    it('rejects invalid input with a ValidationError and writes nothing', async () => {
      const { storage } = env;
      await expectRejects(seedPlan(storage, { price: { amount: -1, currency: 'USD' } }), 'ValidationError');
      await expectRejects(seedPlan(storage, { price: { amount: 100, currency: 'usd' } }), 'ValidationError');
      await expectRejects(seedPlan(storage, { durationDays: 0 }), 'ValidationError');
      await expectRejects(seedPlan(storage, { maxClients: -5 }), 'ValidationError');
      expect(await storage.plans.list()).toEqual([]);
    });

    it('lists by price amount, then name, then id, and filters by onSale', async () => {
      const { storage } = env;
      const t = uniqueToken();
      const usd = (amount: number) => ({ amount, currency: 'USD' });
      const p300 = await seedPlan(storage, { name: 'aaa', price: usd(300) });
      const p100b = await seedPlan(storage, { name: 'bbb', price: usd(100) });
      const p100aY = await seedPlan(storage, { name: 'aaa', price: usd(100), id: `${t}-y`, onSale: false });
      const p0 = await seedPlan(storage, { name: 'zzz', price: usd(0) });
      const p100aX = await seedPlan(storage, { name: 'aaa', price: usd(100), id: `${t}-x` });
      const p2000 = await seedPlan(storage, { name: 'aaa', price: usd(2000), onSale: false });
      expect(idsOf(await storage.plans.list())).toEqual(idsOf([p0, p100aX, p100aY, p100b, p300, p2000]));
      expect(idsOf(await storage.plans.list({}))).toEqual(idsOf([p0, p100aX, p100aY, p100b, p300, p2000]));
      expect(idsOf(await storage.plans.list({ onSale: true }))).toEqual(idsOf([p0, p100aX, p100b, p300]));
      expect(idsOf(await storage.plans.list({ onSale: false }))).toEqual(idsOf([p100aY, p2000]));
    });

    it('stores a traffic top-up offer, and takes it away again', async () => {
      const { storage } = env;
      const offer = { pricePerGiB: { amount: 25, currency: 'USD' }, maxGiBPerPurchase: 40 };
      const plan = await seedPlan(storage, { trafficTopUp: offer });
      expect((await storage.plans.get(plan.id))?.trafficTopUp).toEqual(offer);
      expect((await storage.plans.update(plan.id, { trafficTopUp: null })).trafficTopUp).toBeNull();
      expect((await storage.plans.get(plan.id))?.trafficTopUp).toBeNull();
      await expectRejects(
        seedPlan(storage, { trafficTopUp: { pricePerGiB: { amount: 0, currency: 'USD' }, maxGiBPerPurchase: 1 } }),
        'ValidationError',
      );
    });

    it('stores a device pack offer, and takes it away again', async () => {
      const { storage } = env;
      const offer = { pricePer30Days: { amount: 150, currency: 'USD' }, maxExtraDevices: 3 };
      const plan = await seedPlan(storage, { deviceLimit: 2, devicePack: offer });
      expect((await storage.plans.get(plan.id))?.devicePack).toEqual(offer);
      expect((await storage.plans.update(plan.id, { devicePack: null })).devicePack).toBeNull();
      expect((await storage.plans.get(plan.id))?.devicePack).toBeNull();
      expect((await storage.plans.update(plan.id, { devicePack: offer })).devicePack).toEqual(offer);
      await expectRejects(
        seedPlan(storage, { devicePack: { pricePer30Days: { amount: 0, currency: 'USD' }, maxExtraDevices: 1 } }),
        'ValidationError',
      );
    });

    it('update applies the patch and moves updatedAt, but never changes allocated', async () => {
      const { storage, clock } = env;
      const plan = await seedPlan(storage);
      clock.advance(MINUTE);
      const updated = await storage.plans.update(plan.id, { onSale: false, maxClients: 3, trial: { days: 1, trafficBytes: 1024 } });
      expect(updated).toEqual({ ...plan, onSale: false, maxClients: 3, trial: { days: 1, trafficBytes: 1024 }, updatedAt: clock.now() });
      expect(await storage.plans.get(plan.id)).toEqual(updated);
      const sneaky = { name: 'sneaky', allocated: 9 };
      const patch: PlanPatch = sneaky;
      try {
        await storage.plans.update(plan.id, patch);
      } catch {
        // Rejecting the unknown key is fine too; what matters is that allocated did not move.
      }
      expect((await storage.plans.get(plan.id))?.allocated).toBe(0);
    });

    it('update of a missing plan is a NotFoundError; an invalid patch is a ValidationError and changes nothing', async () => {
      const { storage } = env;
      await expectRejects(storage.plans.update('pln_missing', { name: 'x' }), 'NotFoundError');
      const plan = await seedPlan(storage);
      await expectRejects(storage.plans.update(plan.id, { name: 'fine', durationDays: -3 }), 'ValidationError');
      expect(await storage.plans.get(plan.id)).toEqual(plan);
    });

    it('returns copies', async () => {
      const { storage } = env;
      const plan = await seedPlan(storage, { placement: { allowedLocations: ['de'] } });
      const snapshot = structuredClone(plan);
      plan.price.amount = 1;
      plan.placement.allowedLocations.push('fr');
      const fetched = await storage.plans.get(plan.id);
      if (fetched) fetched.extension.windowDays = 99;
      (await storage.plans.list())[0]?.placement.preferredTargetIds.push('x');
      expect(await storage.plans.get(plan.id)).toEqual(snapshot);
    });
  });
}
