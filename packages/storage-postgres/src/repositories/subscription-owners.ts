import { MAX_ROWS_PER_CALL, inputKeys } from '@panelkit/sdk/storage';
import type { SubscriptionWithCustomer } from '@panelkit/sdk/storage';
import { jsonRow } from '../internal/json-rows.js';
import type { RepositoryContext } from '../internal/runner.js';
import { customerFromRow } from './customers.js';
import { subscriptionFromRow } from './subscription-rows.js';

/**
 * `subscriptions.getManyWithCustomers` (storage port 36): the subscriptions with their customers in one statement (one
 * snapshot, one round trip), the customer a subquery by primary key giving its row as JSON, decoded by
 * `customerFromRow` as `customerWithPriceBookFromJson` decodes it.
 */
export function subscriptionsWithCustomers({ runner, schema, secretBox }: RepositoryContext) {
  const sql = `SELECT s.*, (SELECT row_to_json(c) FROM ${schema}.customers c WHERE c.id = s.customer_id) AS owner_customer
    FROM ${schema}.subscriptions s WHERE s.id = ANY($1::text[])`;
  return (ids: readonly string[]) =>
    runner.run(
      'subscriptions.getManyWithCustomers',
      async ({ db }): Promise<SubscriptionWithCustomer[]> => {
        const keys = inputKeys(ids, 'subscription ids', MAX_ROWS_PER_CALL);
        if (keys.length === 0) return [];
        const { rows } = await db.query(sql, [keys]);
        return rows.map((row) => {
          const customer = jsonRow(row['owner_customer']);
          return { subscription: subscriptionFromRow(row, secretBox), customer: customer === null ? null : customerFromRow(customer) };
        });
      },
      { read: true },
    );
}
