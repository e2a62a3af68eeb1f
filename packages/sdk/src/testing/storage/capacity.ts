import { describe, expect, it } from 'vitest';
import type { StoragePort } from '../../ports/storage.js';
import { seedPlan, seedTarget } from './fixtures.js';
import { expectRejects } from './support.js';
import type { SuiteEnv } from './support.js';

async function allocation(storage: StoragePort, targetId: string, planId: string): Promise<{ target: number; plan: number }> {
  const target = await storage.targets.get(targetId);
  const plan = await storage.plans.get(planId);
  if (target === null || plan === null) throw new Error('seeded target or plan vanished');
  return { target: target.allocated, plan: plan.allocated };
}

async function seedSlots(storage: StoragePort, capacity: number | null, maxClients: number | null) {
  const target = await seedTarget(storage, { capacity });
  const plan = await seedPlan(storage, { maxClients });
  return { targetId: target.id, planId: plan.id };
}

export function capacitySuite(env: SuiteEnv): void {
  describe('capacity', () => {
    it('reserve takes count slots on both the target and the plan', async () => {
      const { storage } = env;
      const slots = await seedSlots(storage, 10, 10);
      expect(await storage.capacity.reserve({ ...slots, count: 1 })).toEqual({ ok: true });
      expect(await storage.capacity.reserve({ ...slots, count: 3 })).toEqual({ ok: true });
      expect(await allocation(storage, slots.targetId, slots.planId)).toEqual({ target: 4, plan: 4 });
    });

    it('null capacity and null maxClients are unlimited, and slots are still counted', async () => {
      const { storage } = env;
      const slots = await seedSlots(storage, null, null);
      for (let i = 0; i < 5; i++) expect(await storage.capacity.reserve({ ...slots, count: 100 })).toEqual({ ok: true });
      expect(await allocation(storage, slots.targetId, slots.planId)).toEqual({ target: 500, plan: 500 });
    });

    it('a full target refuses with target_full and changes nothing', async () => {
      const { storage } = env;
      const slots = await seedSlots(storage, 2, null);
      expect(await storage.capacity.reserve({ ...slots, count: 2 })).toEqual({ ok: true });
      expect(await storage.capacity.reserve({ ...slots, count: 1 })).toEqual({ ok: false, reason: 'target_full' });
      expect(await allocation(storage, slots.targetId, slots.planId)).toEqual({ target: 2, plan: 2 });
    });

    it('a full plan refuses with plan_full and leaves the target untouched', async () => {
      const { storage } = env;
      const slots = await seedSlots(storage, 10, 1);
      expect(await storage.capacity.reserve({ ...slots, count: 1 })).toEqual({ ok: true });
      expect(await storage.capacity.reserve({ ...slots, count: 1 })).toEqual({ ok: false, reason: 'plan_full' });
      expect(await allocation(storage, slots.targetId, slots.planId)).toEqual({ target: 1, plan: 1 });
    });

    it('a request for more slots than remain is refused whole, while a smaller one fits', async () => {
      const { storage } = env;
      const byTarget = await seedSlots(storage, 3, null);
      expect(await storage.capacity.reserve({ ...byTarget, count: 2 })).toEqual({ ok: true });
      expect(await storage.capacity.reserve({ ...byTarget, count: 2 })).toEqual({ ok: false, reason: 'target_full' });
      expect(await allocation(storage, byTarget.targetId, byTarget.planId)).toEqual({ target: 2, plan: 2 });
      expect(await storage.capacity.reserve({ ...byTarget, count: 1 })).toEqual({ ok: true });
      expect(await allocation(storage, byTarget.targetId, byTarget.planId)).toEqual({ target: 3, plan: 3 });

      const byPlan = await seedSlots(storage, null, 3);
      expect(await storage.capacity.reserve({ ...byPlan, count: 4 })).toEqual({ ok: false, reason: 'plan_full' });
      expect(await allocation(storage, byPlan.targetId, byPlan.planId)).toEqual({ target: 0, plan: 0 });
      expect(await storage.capacity.reserve({ ...byPlan, count: 3 })).toEqual({ ok: true });
    });

    it('zero capacity or zero maxClients refuses at once', async () => {
      const { storage } = env;
      const noTarget = await seedSlots(storage, 0, null);
      expect(await storage.capacity.reserve({ ...noTarget, count: 1 })).toEqual({ ok: false, reason: 'target_full' });
      const noPlan = await seedSlots(storage, null, 0);
      expect(await storage.capacity.reserve({ ...noPlan, count: 1 })).toEqual({ ok: false, reason: 'plan_full' });
      expect(await allocation(storage, noTarget.targetId, noTarget.planId)).toEqual({ target: 0, plan: 0 });
      expect(await allocation(storage, noPlan.targetId, noPlan.planId)).toEqual({ target: 0, plan: 0 });
    });

    it('lowering a target capacity below its allocation makes it full', async () => {
      const { storage } = env;
      const slots = await seedSlots(storage, 5, null);
      expect(await storage.capacity.reserve({ ...slots, count: 4 })).toEqual({ ok: true });
      await storage.targets.update(slots.targetId, { capacity: 2 });
      expect(await storage.capacity.reserve({ ...slots, count: 1 })).toEqual({ ok: false, reason: 'target_full' });
      expect(await allocation(storage, slots.targetId, slots.planId)).toEqual({ target: 4, plan: 4 });
    });

    it('release gives slots back and makes room again', async () => {
      const { storage } = env;
      const slots = await seedSlots(storage, 3, 3);
      expect(await storage.capacity.reserve({ ...slots, count: 3 })).toEqual({ ok: true });
      await storage.capacity.release({ ...slots, count: 2 });
      expect(await allocation(storage, slots.targetId, slots.planId)).toEqual({ target: 1, plan: 1 });
      expect(await storage.capacity.reserve({ ...slots, count: 2 })).toEqual({ ok: true });
      expect(await storage.capacity.reserve({ ...slots, count: 1 })).toEqual({ ok: false, reason: 'target_full' });
    });

    it('release never takes a counter below zero', async () => {
      const { storage } = env;
      const slots = await seedSlots(storage, 10, 10);
      expect(await storage.capacity.reserve({ ...slots, count: 2 })).toEqual({ ok: true });
      await storage.capacity.release({ ...slots, count: 5 });
      expect(await allocation(storage, slots.targetId, slots.planId)).toEqual({ target: 0, plan: 0 });
      await storage.capacity.release({ ...slots, count: 1 });
      expect(await allocation(storage, slots.targetId, slots.planId)).toEqual({ target: 0, plan: 0 });
      expect(await storage.capacity.reserve({ ...slots, count: 10 })).toEqual({ ok: true });
      expect(await storage.capacity.reserve({ ...slots, count: 1 })).toEqual({ ok: false, reason: 'target_full' });
    });

    it('a count below 1 or not an integer is a ValidationError and changes nothing', async () => {
      const { storage } = env;
      const slots = await seedSlots(storage, 10, 10);
      expect(await storage.capacity.reserve({ ...slots, count: 2 })).toEqual({ ok: true });
      await expectRejects(storage.capacity.reserve({ ...slots, count: 0 }), 'ValidationError');
      await expectRejects(storage.capacity.reserve({ ...slots, count: -1 }), 'ValidationError');
      await expectRejects(storage.capacity.reserve({ ...slots, count: 1.5 }), 'ValidationError');
      await expectRejects(storage.capacity.release({ ...slots, count: 0 }), 'ValidationError');
      await expectRejects(storage.capacity.release({ ...slots, count: -3 }), 'ValidationError');
      expect(await allocation(storage, slots.targetId, slots.planId)).toEqual({ target: 2, plan: 2 });
    });

    it('reserving on a missing target or plan is a NotFoundError and changes nothing', async () => {
      const { storage } = env;
      const slots = await seedSlots(storage, 10, 10);
      await expectRejects(storage.capacity.reserve({ ...slots, targetId: 'tgt_missing', count: 1 }), 'NotFoundError');
      await expectRejects(storage.capacity.reserve({ ...slots, planId: 'pln_missing', count: 1 }), 'NotFoundError');
      expect(await allocation(storage, slots.targetId, slots.planId)).toEqual({ target: 0, plan: 0 });
    });
  });
}
