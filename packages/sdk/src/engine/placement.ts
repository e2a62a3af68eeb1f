import { SYSTEM_ACTOR } from '../domain/common.js';
import type { EntitlementKind } from '../domain/entitlement.js';
import type { Panel } from '../domain/panel.js';
import type { Plan } from '../domain/plan.js';
import type { Target } from '../domain/target.js';
import { CapacityExhaustedError } from '../errors.js';
import type { StorageRepositories } from '../ports/storage.js';
import type { PlacedTarget } from '../ports/storage-order-placement.js';

/** A target this full (in percent of its capacity) is audited once as `target.nearly_full` when a reservation reaches it. */
export const NEARLY_FULL_PERCENT = 90;

/**
 * Whether taking `taken` slots of a target, which then holds `allocatedAfter`, crossed {@link NEARLY_FULL_PERCENT} of
 * its capacity (storage-postgres's placement carrying the COMMIT holds it back on the same rule).
 */
export function crossesNearlyFull(allocatedAfter: number, taken: number, capacity: number | null): boolean {
  if (capacity === null || capacity === 0) return false;
  const threshold = Math.ceil((capacity * NEARLY_FULL_PERCENT) / 100);
  return allocatedAfter >= threshold && allocatedAfter - taken < threshold;
}

/**
 * Whether a checkout may go on after a placement taking `slots` (per target id and per plan id) of the targets and
 * plans as `read`: a target taken across 90% (audited after it), a target found full (placed again without it) or a
 * plan found full (refused). From what was read, without a read: a counter moved since is for the placement itself to
 * find.
 */
export function mayGoOnAfterPlacing(
  slots: { readonly targets: ReadonlyMap<string, number>; readonly plans: ReadonlyMap<string, number> },
  read: { readonly targets: readonly Target[]; readonly plans: ReadonlyMap<string, Plan> },
): boolean {
  for (const [id, taken] of slots.targets) {
    const target = read.targets.find((t) => t.id === id);
    if (target === undefined) return true;
    const after = target.allocated + taken;
    if (crossesNearlyFull(after, taken, target.capacity) || (target.capacity !== null && after > target.capacity)) return true;
  }
  for (const [id, taken] of slots.plans) {
    const plan = read.plans.get(id);
    if (plan === undefined || (plan.maxClients !== null && plan.allocated + taken > plan.maxClients)) return true;
  }
  return false;
}

/**
 * Audits `target.nearly_full` when this reservation took the target to 90% of its capacity. The
 * reservation holds the target's row, so of concurrent checkouts exactly one sees the crossing.
 */
async function auditNearlyFull(tx: StorageRepositories, reserved: Target): Promise<void> {
  const target = await tx.targets.get(reserved.id);
  if (target === null || !crossesNearlyFull(target.allocated, 1, target.capacity)) return;
  await tx.audit.append({
    actor: SYSTEM_ACTOR,
    action: 'target.nearly_full',
    subjectType: 'target',
    subjectId: target.id,
    data: { panelId: target.panelId, name: target.name, allocated: target.allocated, capacity: target.capacity },
  });
}

/** Whether a target is in the plan's locations and has its required tags (whatever its state). */
export function withinPlacement(target: Target, panel: Panel, plan: Pick<Plan, 'placement'>): boolean {
  const { allowedLocations, requiredTargetTags } = plan.placement;
  if (allowedLocations.length > 0 && !panel.locationTags.some((tag) => allowedLocations.includes(tag))) return false;
  return requiredTargetTags.every((tag) => target.tags.includes(tag));
}

/**
 * Whether a target hands out `kind`: it is among the kinds it serves, and a part of another kind than `xray` goes
 * only to a target that serves that kind alone. A client on a target gets everything the target serves (a PasarGuard
 * group reaching an Xray inbound and a WireGuard core gives its users both), so a cheap Telegram or WireGuard part
 * must not land where it would also get Xray; Xray parts keep going to mixed targets, as before kinds.
 */
export function servesKind(target: Pick<Target, 'kinds'>, kind: EntitlementKind): boolean {
  if (!target.kinds.includes(kind)) return false;
  return kind === 'xray' || target.kinds.length === 1;
}

/** Whether a target may take a new `kind` client of `plan` (ignoring how full it is). */
function eligible(target: Target, panel: Panel | undefined, plan: Plan, kind: EntitlementKind): boolean {
  if (panel === undefined || !panel.enabled || panel.health.status === 'unhealthy') return false;
  if (!target.provisioningEnabled || !servesKind(target, kind)) return false;
  return withinPlacement(target, panel, plan);
}

function utilisation(target: Target): number {
  return target.capacity === null
    ? target.allocated / Number.MAX_SAFE_INTEGER
    : target.capacity === 0
      ? 1
      : target.allocated / target.capacity;
}

/**
 * The order targets are tried in: the plan's preferred targets in order, then the default
 * targets, then the rest from least to most utilised. Only enabled targets on enabled, not
 * unhealthy panels, serving `kind` (`servesKind`), in the plan's locations and with its required tags, qualify.
 */
export function placementOrder(plan: Plan, targets: readonly Target[], panels: readonly Panel[], kind: EntitlementKind): Target[] {
  const panelById = new Map(panels.map((p) => [p.id, p]));
  const candidates = targets.filter((t) => eligible(t, panelById.get(t.panelId), plan, kind));
  const byId = new Map(candidates.map((t) => [t.id, t]));
  const order: Target[] = [];
  const seen = new Set<string>();
  const push = (t: Target | undefined) => {
    if (t !== undefined && !seen.has(t.id)) {
      seen.add(t.id);
      order.push(t);
    }
  };
  for (const id of plan.placement.preferredTargetIds) push(byId.get(id));
  for (const t of candidates) if (t.isDefault) push(t);
  const rest = candidates.filter((t) => !seen.has(t.id)).sort((a, b) => utilisation(a) - utilisation(b) || a.id.localeCompare(b.id));
  for (const t of rest) push(t);
  return order;
}

/**
 * Reserves one slot of `plan` for a `kind` client on the first target in placement order that has room, inside the
 * caller's transaction, among the targets `allowed` admits (default all). `CapacityExhaustedError`
 * when the plan is full or no target has room.
 */
export async function reserveSlot(
  tx: StorageRepositories,
  plan: Plan,
  kind: EntitlementKind,
  allowed: (target: Target) => boolean = () => true,
): Promise<Target> {
  const [all, panels] = await Promise.all([tx.targets.list(), tx.panels.list()]);
  const targets = all.filter(allowed);
  // Read the counters fresh: earlier reservations in this transaction moved them.
  for (const target of placementOrder(plan, targets, panels, kind)) {
    const result = await tx.capacity.reserve({ targetId: target.id, planId: plan.id, count: 1 });
    if (result.ok) {
      await auditNearlyFull(tx, target);
      return target;
    }
    if (result.reason === 'plan_full') {
      throw new CapacityExhaustedError(`plan ${plan.id} has no free slots`, { details: { planId: plan.id, reason: 'plan_full' } });
    }
  }
  throw noTarget(plan, kind);
}

/** No target serving `kind` has room for `plan`: `CapacityExhaustedError` `no_target`, with the kind when it is not `xray`. */
function noTarget(plan: Plan, kind: EntitlementKind): CapacityExhaustedError {
  const what = kind === 'xray' ? '' : ` ${kind}`;
  return new CapacityExhaustedError(`no${what} target has room for plan ${plan.id}`, {
    details: { planId: plan.id, reason: 'no_target', ...(kind === 'xray' ? {} : { kind }) },
  });
}

/**
 * Chooses a target for each of `count` new `kind` subscriptions of `plan`, as `reserveSlot` would one after
 * another, from counters read once: `planned` holds the slots this checkout already chose per target (it
 * is added to), and targets in `full` (found full by `orders.place`) are skipped. Nothing is reserved
 * here: `orders.place` takes the slots last and refuses a target that filled meanwhile.
 * `CapacityExhaustedError` (`no_target`) when a unit finds no target with room.
 */
export function chooseTargets(
  plan: Plan,
  count: number,
  targets: readonly Target[],
  panels: readonly Panel[],
  planned: Map<string, number>,
  full: ReadonlySet<string>,
  kind: EntitlementKind,
): Target[] {
  const chosen: Target[] = [];
  for (let n = 0; n < count; n++) {
    const counted = targets
      .filter((t) => !full.has(t.id))
      .map((t) => ({ ...t, allocated: t.allocated + (planned.get(t.id) ?? 0) }))
      .filter((t) => t.capacity === null || t.allocated < t.capacity);
    const target = placementOrder(plan, counted, panels, kind)[0];
    if (target === undefined) throw noTarget(plan, kind);
    planned.set(target.id, (planned.get(target.id) ?? 0) + 1);
    chosen.push(targets.find((t) => t.id === target.id)!);
  }
  return chosen;
}

/**
 * Audits `target.nearly_full` for each target whose counter this checkout took across 90% of its
 * capacity (`placed`: the counters after, `taken`: the slots taken per target). The counters were read
 * under the slots' locks, so of concurrent checkouts exactly one sees a crossing.
 */
export async function auditPlacedNearlyFull(
  tx: StorageRepositories,
  placed: readonly PlacedTarget[],
  taken: ReadonlyMap<string, number>,
  targets: readonly Target[],
): Promise<void> {
  for (const { targetId, allocated, capacity } of placed) {
    if (!crossesNearlyFull(allocated, taken.get(targetId) ?? 0, capacity)) continue;
    const target = targets.find((t) => t.id === targetId);
    await tx.audit.append({
      actor: SYSTEM_ACTOR,
      action: 'target.nearly_full',
      subjectType: 'target',
      subjectId: targetId,
      data: { panelId: target?.panelId ?? null, name: target?.name ?? null, allocated, capacity },
    });
  }
}
