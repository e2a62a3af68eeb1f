import { parseCheckoutContextRequest } from '@panelkit/sdk/storage';
import type { CheckoutContext, CheckoutContextRequest } from '@panelkit/sdk/storage';
import type { RepositoryContext } from '../internal/runner.js';
import { jsonRow, jsonRows } from '../internal/json-rows.js';
import { customerFromRow } from './customers.js';
import { orderFromRow } from './order-rows.js';
import { panelFromRow } from './panels.js';
import { planFromRow } from './plans.js';
import { entryFromRow } from './price-books.js';
import { targetFromRow } from './targets.js';

/**
 * `orders.checkoutContext`: a checkout's six reads as one statement, each a subquery giving its rows as JSON (one
 * snapshot, one round trip), each served by the index its own repository's read uses and ordered as that read orders.
 * Rows decode with the repositories' own `…FromRow` (their decoders take a timestamp as an ISO string, as JSON has it).
 */
export function orderCheckoutContext({ runner, schema, secretBox }: RepositoryContext) {
  return (request: CheckoutContextRequest) =>
    runner.run(
      'orders.checkoutContext',
      async ({ db }): Promise<CheckoutContext> => {
        const { customerId, idempotencyKey, planIds } = parseCheckoutContextRequest(request);
        const { rows: found } = await db.query(
          `SELECT
             (SELECT row_to_json(o) FROM ${schema}.orders o WHERE o.customer_id = $1 AND o.idempotency_key = $2) AS order_row,
             (SELECT row_to_json(c) FROM ${schema}.customers c WHERE c.id = $1) AS customer_row,
             (SELECT json_agg(p ORDER BY p.id) FROM ${schema}.plans p WHERE p.id = ANY($3::text[])) AS plan_rows,
             (SELECT json_agg(b ORDER BY b.plan_id) FROM ${schema}.price_book_entries b
               WHERE b.customer_id = $1 AND b.plan_id = ANY($3::text[])) AS price_book_rows,
             (SELECT json_agg(t ORDER BY t.panel_id, t.name, t.id) FROM ${schema}.targets t) AS target_rows,
             (SELECT json_agg(x ORDER BY x.name, x.id) FROM ${schema}.panels x) AS panel_rows`,
          [customerId, idempotencyKey, planIds],
        );
        const r = found[0]!;
        const order = jsonRow(r['order_row']);
        const customer = jsonRow(r['customer_row']);
        return {
          order: order === null ? null : orderFromRow(order),
          customer: customer === null ? null : customerFromRow(customer),
          plans: jsonRows(r['plan_rows']).map(planFromRow),
          priceBook: jsonRows(r['price_book_rows']).map(entryFromRow),
          targets: jsonRows(r['target_rows']).map(targetFromRow),
          panels: jsonRows(r['panel_rows']).map((row) => panelFromRow(row, secretBox)),
        };
      },
      { read: true },
    );
}
