import type { Money } from '@panelkit/sdk';
import type { PostgresRig } from './postgres-rig.js';

/**
 * `count` lanes, each a plan of its own placed on a target of its own (no capacity limits), so that
 * checkouts racing in different lanes never queue on one target's or plan's row lock: a race test
 * then measures only the guard it is about (a discount code's counter, a customer's ledger).
 * Returns the lanes' plan ids.
 */
export async function openLanes(rig: PostgresRig, count: number, price: Money): Promise<string[]> {
  const { storage, shop } = rig;
  await storage.targets.update(shop.target.id, { capacity: null });
  const lanes: string[] = [];
  for (let i = 0; i < count; i++) {
    const target = await storage.targets.create({
      panelId: shop.target.panelId,
      remoteRef: `lane-${i}`,
      name: `lane ${i}`,
      protocol: 'vless',
      capacity: null,
    });
    const plan = await storage.plans.create({
      name: `lane ${i}`,
      family: 'standard',
      price,
      durationDays: 30,
      trafficBytes: null,
      autoProvision: false,
      placement: { preferredTargetIds: [target.id] },
    });
    lanes.push(plan.id);
  }
  return lanes;
}
