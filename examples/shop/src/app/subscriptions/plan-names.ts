import type { StoragePort } from '@panelkit/sdk/storage';
import type { Locale } from '../../i18n/translate.js';
import { localizedPlans, type PlanTextDb } from '../../db/plan-texts.js';

/** The names of the plans these rows name, in the reader's language where the plan has one (each plan read once). */
export async function planNames(
  shop: PlanTextDb & { readonly storage: StoragePort },
  rows: ReadonlyArray<{ planId: string }>,
  locale: Locale,
): Promise<Map<string, string>> {
  const ids = [...new Set(rows.map((r) => r.planId))];
  const plans = (await Promise.all(ids.map((id) => shop.storage.plans.get(id)))).filter((p) => p !== null);
  const names = new Map(ids.map((id) => [id, id]));
  for (const plan of await localizedPlans(shop, plans, locale)) names.set(plan.id, plan.name);
  return names;
}

/** One plan's name in the reader's language, or the plan id when the plan is gone. */
export async function planName(shop: PlanTextDb & { readonly storage: StoragePort }, planId: string, locale: Locale): Promise<string> {
  return (await planNames(shop, [{ planId }], locale)).get(planId) ?? planId;
}
