import type { Plan } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import type { Locale } from '../../i18n/translate.js';
import { localizedPlans, type PlanTextDb } from '../../db/plan-texts.js';
import { brandPlanName, type BrandPlanNames } from '../storefront-bots/brand-texts.js';

/**
 * The plans `ids` name, to be shown (a name, a currency), never charged: those on sale from `plans.list({ onSale: true })`,
 * which the shop's storage answers outside a transaction from the process's copy (`withPlansOnSaleCache`: a few seconds
 * old at most), the others read one by one. A plan that is gone is left out.
 */
export async function plansToShow(storage: StoragePort, ids: readonly string[]): Promise<Map<string, Plan>> {
  const shown = new Map<string, Plan>();
  if (ids.length === 0) return shown;
  for (const plan of await storage.plans.list({ onSale: true })) if (ids.includes(plan.id)) shown.set(plan.id, plan);
  const others = ids.filter((id) => !shown.has(id));
  for (const plan of await Promise.all(others.map((id) => storage.plans.get(id)))) if (plan !== null) shown.set(plan.id, plan);
  return shown;
}

/**
 * The names of the plans these rows name, in the reader's language where the plan has one (each plan read once); for a
 * storefront's buyer (`brand`: its brand's plan names) the storefront's own name where it set one (`brandPlanName`).
 */
export async function planNames(
  shop: PlanTextDb & { readonly storage: StoragePort },
  rows: ReadonlyArray<{ planId: string }>,
  locale: Locale,
  brand?: BrandPlanNames | null,
): Promise<Map<string, string>> {
  const ids = [...new Set(rows.map((r) => r.planId))];
  const plans = [...(await plansToShow(shop.storage, ids)).values()];
  const names = new Map(ids.map((id) => [id, id]));
  for (const plan of await localizedPlans(shop, plans, locale)) names.set(plan.id, brandPlanName(brand, plan.id, locale, plan.name));
  return names;
}

/** One plan's name as `planNames` gives it, or the plan id when the plan is gone. */
export async function planName(
  shop: PlanTextDb & { readonly storage: StoragePort },
  planId: string,
  locale: Locale,
  brand?: BrandPlanNames | null,
): Promise<string> {
  return (await planNames(shop, [{ planId }], locale, brand)).get(planId) ?? planId;
}
