import type { Actor, NewPlan, Plan } from '@panelkit/sdk';
import type { RoutingPreset } from '@panelkit/subscription-feed';
import { savePlanRouting } from '../../db/plan-routing.js';
import { savePlanTexts, type PlanTexts } from '../../db/plan-texts.js';
import { forgetRoutingPresets } from './routing-preset-reads.js';
import type { Shop } from '../shop.js';

/**
 * Saves a plan from the owner's form: the plan through the kit (validated, audited), then its names and
 * descriptions per language and its routing preset (`null`: none; absent: left as it is) in the shop's tables; this
 * replica's links route by a saved preset at once, every other replica's within `LINK_NOTICE_TTL_MS`.
 * Those are outside the engine's transaction: a failure there leaves the plan saved with its previous translations
 * and routing, and the owner sees the error and saves again.
 */
export async function savePlan(
  shop: Shop,
  existing: Plan | null,
  input: NewPlan,
  texts: PlanTexts,
  actor: Actor,
  routing?: RoutingPreset | null,
): Promise<Plan> {
  const saved = existing === null ? await shop.kit.plans.create(input, actor) : await shop.kit.plans.update(existing.id, input, actor);
  await savePlanTexts(shop, saved.id, texts);
  if (routing !== undefined) {
    await savePlanRouting(shop, saved.id, routing);
    forgetRoutingPresets(shop);
  }
  return saved;
}
