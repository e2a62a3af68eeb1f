import type { Target } from '@panelkit/sdk';
import { ENTITLEMENT_KINDS, type EntitlementKind } from '@panelkit/sdk/kinds';

/**
 * Which of `kinds` no target open to new clients serves (`Target.kinds`, as target sync reports them): a plan selling
 * one of those cannot be bought until a panel offers it. Unknown strings (a form's echo) are left out.
 */
export function kindsNoTargetServes(
  kinds: readonly string[],
  targets: readonly Pick<Target, 'kinds' | 'provisioningEnabled'>[],
): EntitlementKind[] {
  const served = new Set(targets.filter((x) => x.provisioningEnabled).flatMap((x) => x.kinds));
  return ENTITLEMENT_KINDS.filter((kind) => kinds.includes(kind) && !served.has(kind));
}
