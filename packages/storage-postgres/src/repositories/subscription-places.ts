import { MAX_ROWS_PER_CALL, inputKeys } from '@panelkit/sdk/storage';
import type { SubscriptionWithPlace } from '@panelkit/sdk/storage';
import { jsonRow } from '../internal/json-rows.js';
import type { RepositoryContext } from '../internal/runner.js';
import { panelFromRow } from './panels.js';
import { subscriptionFromRow } from './subscription-rows.js';
import { targetFromRow } from './targets.js';

/**
 * `subscriptions.getManyWithPlaces` (storage port 31): the subscriptions with their targets and panels in one statement
 * (one snapshot, one round trip), the target and panel each a subquery by primary key giving its row as JSON, decoded
 * by the repositories' own `…FromRow` as `orders.checkoutContext` decodes them.
 */
export function subscriptionsWithPlaces({ runner, schema, secretBox }: RepositoryContext) {
  const sql = `SELECT s.*,
      (SELECT row_to_json(t) FROM ${schema}.targets t WHERE t.id = s.target_id) AS place_target,
      (SELECT row_to_json(p) FROM ${schema}.panels p WHERE p.id = s.panel_id) AS place_panel
    FROM ${schema}.subscriptions s WHERE s.id = ANY($1::text[])`;
  return (ids: readonly string[]) =>
    runner.run(
      'subscriptions.getManyWithPlaces',
      async ({ db }): Promise<SubscriptionWithPlace[]> => {
        const keys = inputKeys(ids, 'subscription ids', MAX_ROWS_PER_CALL);
        if (keys.length === 0) return [];
        const { rows } = await db.query(sql, [keys]);
        return rows.map((row) => {
          const target = jsonRow(row['place_target']);
          const panel = jsonRow(row['place_panel']);
          return {
            subscription: subscriptionFromRow(row, secretBox),
            target: target === null ? null : targetFromRow(target),
            panel: panel === null ? null : panelFromRow(panel, secretBox),
          };
        });
      },
      { read: true },
    );
}
