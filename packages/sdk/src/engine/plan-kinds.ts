import type { Plan } from '../domain/plan.js';
import { ValidationError } from '../errors.js';

/** Why a plan's kinds do not go with the rest of it (see {@link refuseKindCombination}). */
export type PlanKindsRefusal = 'bundle_with_builder' | 'bundle_with_sharing' | 'bundle_starts_on_first_use' | 'devices_not_countable';

/**
 * Refuses what a plan's kinds cannot be sold with. A bundle (several kinds) is sold as one subscription per kind;
 * how its parts would combine with a buyer-built choice, a family's seats or a period that starts on first use is
 * not defined, so a bundle takes none of them. Device packs add devices to a device limit, which only an `xray` part
 * can have (`KIND_TRAITS.devicesCountable`), so a plan without `xray` sells none. `ValidationError` on `kinds` (the
 * reason in its details), nothing stored.
 */
export function refuseKindCombination(plan: Pick<Plan, 'kinds' | 'builder' | 'sharing' | 'startOnFirstUse' | 'devicePack'>): void {
  const reason = refusalOf(plan);
  if (reason === null) return;
  throw new ValidationError(`invalid plan: kinds: ${reason}`, [{ path: 'kinds', message: reason }], { details: { reason } });
}

function refusalOf(plan: Pick<Plan, 'kinds' | 'builder' | 'sharing' | 'startOnFirstUse' | 'devicePack'>): PlanKindsRefusal | null {
  if (plan.kinds.length > 1) {
    if (plan.builder !== null) return 'bundle_with_builder';
    if (plan.sharing !== null) return 'bundle_with_sharing';
    if (plan.startOnFirstUse) return 'bundle_starts_on_first_use';
  }
  if (plan.devicePack !== null && !plan.kinds.includes('xray')) return 'devices_not_countable';
  return null;
}
