import type { Plan } from '@panelkit/sdk';
import type { SqlQueryable } from '@panelkit/storage-postgres';
import { LOCALES, type Locale } from '../i18n/translate.js';

/** A plan's name and description in one language. */
export interface PlanText {
  name: string;
  description: string | null;
}

/** A plan's texts by language; a language missing here shows the plan's own (default) name and description. */
export type PlanTexts = Partial<Record<Locale, PlanText>>;

/** Where the texts live: the shop's database and the quoted schema of its tables. */
export interface PlanTextDb {
  readonly db: SqlQueryable;
  readonly shopSchema: string;
}

/** Every language's texts of one plan (for the admin form). */
export async function planTextsOf(shop: PlanTextDb, planId: string): Promise<PlanTexts> {
  const { rows } = await shop.db.query<{ locale: Locale; name: string; description: string | null }>(
    `SELECT locale, name, description FROM ${shop.shopSchema}.plan_texts WHERE plan_id = $1`,
    [planId],
  );
  return Object.fromEntries(rows.map((r) => [r.locale, { name: r.name, description: r.description }]));
}

/** Replaces a plan's texts: languages given are written, the others removed (they fall back to the default). */
export async function savePlanTexts(shop: PlanTextDb, planId: string, texts: PlanTexts): Promise<void> {
  const given = LOCALES.filter((l) => texts[l] !== undefined);
  await shop.db.query(`DELETE FROM ${shop.shopSchema}.plan_texts WHERE plan_id = $1 AND NOT (locale = ANY($2::text[]))`, [planId, given]);
  for (const locale of given) {
    const text = texts[locale]!;
    await shop.db.query(
      `INSERT INTO ${shop.shopSchema}.plan_texts (plan_id, locale, name, description) VALUES ($1, $2, $3, $4)
       ON CONFLICT (plan_id, locale) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description`,
      [planId, locale, text.name, text.description],
    );
  }
}

/**
 * The plans as a buyer reading `locale` sees them: the name and description written for that language where there are
 * some, the plan's own otherwise. One query for any number of plans. Everything else about the plan is unchanged.
 */
export async function localizedPlans<P extends Pick<Plan, 'id' | 'name' | 'description'>>(
  shop: PlanTextDb,
  plans: readonly P[],
  locale: Locale,
): Promise<P[]> {
  if (plans.length === 0) return [];
  const { rows } = await shop.db.query<{ plan_id: string; name: string; description: string | null }>(
    `SELECT plan_id, name, description FROM ${shop.shopSchema}.plan_texts WHERE locale = $1 AND plan_id = ANY($2::text[])`,
    [locale, [...new Set(plans.map((p) => p.id))]],
  );
  const byPlan = new Map(rows.map((r) => [r.plan_id, r]));
  return plans.map((plan) => {
    const text = byPlan.get(plan.id);
    return text === undefined ? plan : { ...plan, name: text.name, description: text.description ?? plan.description };
  });
}

/** One plan in `locale` (see {@link localizedPlans}). */
export async function localizedPlan<P extends Pick<Plan, 'id' | 'name' | 'description'>>(
  shop: PlanTextDb,
  plan: P,
  locale: Locale,
): Promise<P> {
  return (await localizedPlans(shop, [plan], locale))[0]!;
}
