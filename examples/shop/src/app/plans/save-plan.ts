import type { Actor, NewPlan, Plan } from '@panelkit/sdk';
import { savePlanTexts, type PlanTexts } from '../../db/plan-texts.js';
import type { Shop } from '../shop.js';

/**
 * Saves a plan from the owner's form: the plan through the kit (validated, audited), then its names and
 * descriptions per language in the shop's tables. The texts are outside the engine's transaction: a failure there
 * leaves the plan saved with its previous translations, and the owner sees the error and saves again.
 */
export async function savePlan(shop: Shop, existing: Plan | null, input: NewPlan, texts: PlanTexts, actor: Actor): Promise<Plan> {
  const saved = existing === null ? await shop.kit.plans.create(input, actor) : await shop.kit.plans.update(existing.id, input, actor);
  await savePlanTexts(shop, saved.id, texts);
  return saved;
}
