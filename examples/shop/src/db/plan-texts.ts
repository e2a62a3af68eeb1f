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

/** How long a process shows plans' texts from what it read (another replica's save shows after it; a save here at once). */
const PLAN_TEXTS_TTL_MS = 5_000;

/** Texts read, by language, by plan (`null`: none written for it in that language). */
type TextsRead = { readAt: number; byLocale: Map<Locale, Map<string, PlanText | null>> };
/** By database, by schema. */
const textsRead = new WeakMap<object, Map<string, TextsRead>>();

/** This process's texts read from the shop's table within the TTL (a fresh, empty one after it). */
function textsOf(shop: PlanTextDb): TextsRead {
  const now = performance.now();
  let bySchema = textsRead.get(shop.db);
  if (bySchema === undefined) textsRead.set(shop.db, (bySchema = new Map()));
  let read = bySchema.get(shop.shopSchema);
  if (read === undefined || now - read.readAt >= PLAN_TEXTS_TTL_MS) {
    read = { readAt: now, byLocale: new Map() };
    bySchema.set(shop.shopSchema, read);
  }
  return read;
}

/** Forgets what this process read of the shop's texts. */
const forgetTexts = (shop: PlanTextDb) => void textsRead.get(shop.db)?.delete(shop.shopSchema);

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
  forgetTexts(shop);
  try {
    await writePlanTexts(shop, planId, texts);
  } finally {
    // Also forgets what a read racing the writes put in.
    forgetTexts(shop);
  }
}

async function writePlanTexts(shop: PlanTextDb, planId: string, texts: PlanTexts): Promise<void> {
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
 * some, the plan's own otherwise. One query for any number of plans, none for plans whose texts this process read in
 * the last {@link PLAN_TEXTS_TTL_MS} (a save through {@link savePlanTexts} here is seen at once, another replica's
 * within that). Everything else about the plan is unchanged.
 */
export async function localizedPlans<P extends Pick<Plan, 'id' | 'name' | 'description'>>(
  shop: PlanTextDb,
  plans: readonly P[],
  locale: Locale,
): Promise<P[]> {
  if (plans.length === 0) return [];
  const read = textsOf(shop);
  let byPlan = read.byLocale.get(locale);
  if (byPlan === undefined) read.byLocale.set(locale, (byPlan = new Map()));
  const missing = [...new Set(plans.map((p) => p.id))].filter((id) => !byPlan.has(id));
  if (missing.length > 0) {
    const { rows } = await shop.db.query<{ plan_id: string; name: string; description: string | null }>(
      `SELECT plan_id, name, description FROM ${shop.shopSchema}.plan_texts WHERE locale = $1 AND plan_id = ANY($2::text[])`,
      [locale, missing],
    );
    for (const id of missing) byPlan.set(id, null);
    for (const r of rows) byPlan.set(r.plan_id, { name: r.name, description: r.description });
  }
  return plans.map((plan) => {
    const text = byPlan.get(plan.id);
    return text === undefined || text === null ? plan : { ...plan, name: text.name, description: text.description ?? plan.description };
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
