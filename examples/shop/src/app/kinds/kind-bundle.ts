import type { Subscription } from '@panelkit/sdk';
import type { Shop } from '../shop.js';

/** Whether `parts` sell more than one kind: a plan's kinds, not a built plan's locations (all Xray, one bundle too). */
export function sellsSeveralKinds(parts: readonly Pick<Subscription, 'kind'>[]): boolean {
  return new Set(parts.map((part) => part.kind)).size > 1;
}

/**
 * The live parts of the bundle of kinds `sub` belongs to, `sub` among them, oldest first; `null` when it is sold alone
 * or its bundle is a built plan's locations (one kind), which are extended part by part as before.
 */
export async function kindBundleOf(shop: Shop, sub: Subscription): Promise<Subscription[] | null> {
  if (sub.bundleId === null) return null;
  const parts = await shop.kit.bundleParts(sub.id);
  return sellsSeveralKinds(parts) && parts.some((part) => part.id === sub.id) ? parts : null;
}
