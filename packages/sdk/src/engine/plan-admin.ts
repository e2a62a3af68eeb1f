import type { Actor } from '../domain/common.js';
import { NewPlanSchema, PlanPatchSchema } from '../domain/plan.js';
import type { NewPlan, Plan, PlanPatch } from '../domain/plan.js';
import { parseInput } from '../domain/validate.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { StorageRepositories } from '../ports/storage.js';
import { ADMIN_ACTOR } from './admin-actor.js';
import { refuseKindCombination } from './plan-kinds.js';
import type { EngineContext } from './context.js';

/** A `ValidationError` when the placement prefers a target that is not stored. */
async function checkPreferredTargets(tx: StorageRepositories, ids: readonly string[] | undefined): Promise<void> {
  for (const [index, id] of (ids ?? []).entries()) {
    if ((await tx.targets.get(id)) === null) {
      const issue = { path: `placement.preferredTargetIds.${index}`, message: `no target ${id}` };
      throw new ValidationError(`invalid plan: ${issue.path}: ${issue.message}`, [issue]);
    }
  }
}

/**
 * Stores a new plan, audited as `plan.created`. Bad input, or a preferred target that does not exist,
 * is a `ValidationError` and stores nothing.
 */
export async function createPlan(ctx: EngineContext, input: NewPlan, actor: Actor = ADMIN_ACTOR): Promise<Plan> {
  const valid = parseInput(NewPlanSchema, input, 'plan');
  return ctx.storage.transaction(async (tx) => {
    await checkPreferredTargets(tx, valid.placement.preferredTargetIds);
    refuseKindCombination(valid);
    const plan = await tx.plans.create(valid);
    await tx.audit.append({ actor, action: 'plan.created', subjectType: 'plan', subjectId: plan.id, data: auditData(plan) });
    return plan;
  });
}

/**
 * Changes a plan, audited as `plan.updated`. Bad input, or a preferred target that does not exist, is a
 * `ValidationError`, an unknown plan a `NotFoundError`; either changes nothing.
 */
export async function updatePlan(ctx: EngineContext, planId: string, patch: PlanPatch, actor: Actor = ADMIN_ACTOR): Promise<Plan> {
  const valid = parseInput(PlanPatchSchema, patch, 'plan patch');
  return ctx.storage.transaction(async (tx) => {
    const stored = await tx.plans.get(planId);
    if (stored === null) throw new NotFoundError('plan', planId);
    await checkPreferredTargets(tx, valid.placement?.preferredTargetIds);
    refuseKindCombination({ ...stored, ...valid });
    const plan = await tx.plans.update(planId, valid);
    await tx.audit.append({ actor, action: 'plan.updated', subjectType: 'plan', subjectId: plan.id, data: auditData(plan) });
    return plan;
  });
}

function auditData(plan: Plan): { name: string; price: number; onSale: boolean } {
  return { name: plan.name, price: plan.price.amount, onSale: plan.onSale };
}
