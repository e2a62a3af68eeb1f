import type { SqlQueryable } from '@panelkit/storage-postgres';
import type { AccountRole } from './accounts.js';

export interface CustomerListItem {
  customerId: string;
  email: string;
  role: AccountRole;
  createdAt: Date;
}

/** `%` and `_` typed by the admin are searched for, not used as wildcards. */
function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The shop's customers (accounts) whose email contains `query`, newest first, a page at a time.
 * Offset paging: an admin list, small pages, read rarely.
 */
export async function searchCustomers(
  db: SqlQueryable,
  schema: string,
  options: { query: string; limit: number; offset: number },
): Promise<{ items: CustomerListItem[]; hasMore: boolean }> {
  const { rows } = await db.query<{ customer_id: string; email: string; role: AccountRole; created_at: Date | string }>(
    `SELECT customer_id, email, role, created_at FROM ${schema}.accounts
     WHERE ($1 = '' OR email LIKE $2 ESCAPE '\\') ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4`,
    [options.query, likePattern(options.query), options.limit + 1, options.offset],
  );
  const items = rows
    .slice(0, options.limit)
    .map((r) => ({ customerId: r.customer_id, email: r.email, role: r.role, createdAt: new Date(r.created_at) }));
  return { items, hasMore: rows.length > options.limit };
}
