import { termsOf, type Plan } from '@panelkit/sdk';
import type { Shop } from '../stack/shop.js';

/**
 * How many live subscriptions of `plan` were sold on terms other than the plan's current ones (an
 * edit since they bought): what "move them to the current terms" would change. Subscriptions without
 * terms follow the plan already and are not counted.
 */
export async function subscribersOnOlderTerms(shop: Pick<Shop, 'db' | 'config'>, plan: Plan): Promise<number> {
  const { rows } = await shop.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "${shop.config.schema}".subscriptions
      WHERE plan_id = $1 AND status <> 'terminated' AND terms IS NOT NULL AND terms <> $2::jsonb`,
    [plan.id, JSON.stringify(termsOf(plan))],
  );
  return rows[0]?.n ?? 0;
}
