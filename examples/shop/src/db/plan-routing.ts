import type { SqlQueryable } from '@panelkit/storage-postgres';
import { isRoutingPreset, type RoutingPreset } from '@panelkit/subscription-feed';

/** Where the profiles live: the shop's database and the quoted schema of its tables. */
export interface PlanRoutingDb {
  readonly db: SqlQueryable;
  readonly shopSchema: string;
}

/** The presets of these plans, by plan id (a plan without one is absent). One query for any number of plans. */
export async function routingPresetsOf(shop: PlanRoutingDb, planIds: readonly string[]): Promise<Map<string, RoutingPreset>> {
  if (planIds.length === 0) return new Map();
  const { rows } = await shop.db.query<{ plan_id: string; preset: string }>(
    `SELECT plan_id, preset FROM ${shop.shopSchema}.plan_routing WHERE plan_id = ANY($1::text[])`,
    [[...new Set(planIds)]],
  );
  // A preset this build does not know (written by a newer release) is ignored: the plan routes as without one.
  return new Map(rows.flatMap((r) => (isRoutingPreset(r.preset) ? [[r.plan_id, r.preset] as const] : [])));
}

/**
 * The mark a plan's row keeps once the owner removes its preset: its buyers' apps were sent a routing profile, and an
 * app that keeps the last one it got (Happ) must be told to turn routing off. A plan never given a preset has no row.
 * Not a preset: every reader of presets ignores it, as it ignores a preset this build does not know.
 */
const TURNED_OFF = 'off';

/** Every plan's routing: the presets by plan id, and the plans whose preset the owner removed. */
export interface PlanRoutings {
  presets: Map<string, RoutingPreset>;
  turnedOff: Set<string>;
}

/** Every plan's routing (one row a plan that has or had a preset: a small table). */
export async function allPlanRoutings(shop: PlanRoutingDb): Promise<PlanRoutings> {
  const { rows } = await shop.db.query<{ plan_id: string; preset: string }>(`SELECT plan_id, preset FROM ${shop.shopSchema}.plan_routing`);
  return {
    presets: new Map(rows.flatMap((r) => (isRoutingPreset(r.preset) ? [[r.plan_id, r.preset] as const] : []))),
    turnedOff: new Set(rows.filter((r) => r.preset === TURNED_OFF).map((r) => r.plan_id)),
  };
}

/** One plan's preset, or `null`. */
export async function routingPresetOf(shop: PlanRoutingDb, planId: string): Promise<RoutingPreset | null> {
  return (await routingPresetsOf(shop, [planId])).get(planId) ?? null;
}

/**
 * Sets a plan's preset; `null` removes it (everything through the proxy): a plan that had one keeps the turned-off
 * mark (its buyers' Happ is told to turn routing off), a plan that never had one stays without a row.
 */
export async function savePlanRouting(shop: PlanRoutingDb, planId: string, preset: RoutingPreset | null): Promise<void> {
  if (preset === null) {
    await shop.db.query(`UPDATE ${shop.shopSchema}.plan_routing SET preset = $2 WHERE plan_id = $1`, [planId, TURNED_OFF]);
    return;
  }
  await shop.db.query(
    `INSERT INTO ${shop.shopSchema}.plan_routing (plan_id, preset) VALUES ($1, $2)
     ON CONFLICT (plan_id) DO UPDATE SET preset = EXCLUDED.preset`,
    [planId, preset],
  );
}
