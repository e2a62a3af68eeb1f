import type { AuditEvent } from '@panelkit/sdk';
import type { SqlClient } from '@panelkit/storage-postgres';

/**
 * The email of each admin and customer actor in these events, keyed by the actor's id (an admin
 * acts as their account id, a customer as their customer id); ids with no account are left out.
 */
export async function actorNames(shop: { db: SqlClient; shopSchema: string }, events: readonly AuditEvent[]): Promise<Map<string, string>> {
  const ids = [
    ...new Set(
      events
        .filter((e) => e.actor.type === 'admin' || e.actor.type === 'customer')
        .map((e) => e.actor.id)
        .filter((id) => id !== null),
    ),
  ];
  const names = new Map<string, string>();
  if (ids.length === 0) return names;
  const { rows } = await shop.db.query<{ id: string; customer_id: string | null; email: string }>(
    `SELECT id, customer_id, email FROM ${shop.shopSchema}.accounts WHERE id = ANY($1::text[]) OR customer_id = ANY($1::text[])`,
    [ids],
  );
  for (const row of rows) {
    names.set(row.id, row.email);
    if (row.customer_id !== null) names.set(row.customer_id, row.email);
  }
  return names;
}
