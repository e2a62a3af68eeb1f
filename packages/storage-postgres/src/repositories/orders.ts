import { NotFoundError, createId } from '@panelkit/sdk';
import { NewOrderSchema, OrderPatchSchema } from '@panelkit/sdk/schemas';
import { MAX_ROWS_PER_CALL, definedFields, inputKey, inputKeys, parseInput, parseOrderFilter, timeKey } from '@panelkit/sdk/storage';
import type { NewOrder, Order, OrderPatch, OrderStatus, PageRequest } from '@panelkit/sdk';
import type { OrderRepository, OrderSettlement } from '@panelkit/sdk/storage';
import { rowTable } from '../internal/row-table.js';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import { orderPlacement } from './order-placement.js';
import { orderCheckoutContext } from './order-checkout-context.js';
import { ORDER_COLUMNS, orderFromRow } from './order-rows.js';

/** Orders in `{schema}.orders`, and `place`: a checkout's rows and capacity slots in one statement (`order-placement.ts`). */
export function orderRepository(context: RepositoryContext): OrderRepository {
  const { runner, schema } = context;
  const table = `${schema}.orders`;
  const orders = rowTable(table, 'order', ORDER_COLUMNS, orderFromRow);
  const read = { read: true } as const;
  return {
    ...orderPlacement(context),
    checkoutContext: orderCheckoutContext(context),

    create: (input: NewOrder) =>
      runner.run('orders.create', async ({ db, now }) => {
        const parsed = parseInput(NewOrderSchema, input, 'order');
        const order: Order = { ...parsed, id: parsed.id ?? createId('ord'), createdAt: now, updatedAt: now };
        return orders.insert(db, order);
      }),

    get: (id: string) => runner.run('orders.get', ({ db }) => orders.findOne(db, 'id = $1', [inputKey(id, 'order id')]), read),

    getByIdempotencyKey: (customerId: string, key: string) =>
      runner.run(
        'orders.getByIdempotencyKey',
        ({ db }) =>
          orders.findOne(db, 'customer_id = $1 AND idempotency_key = $2', [
            inputKey(customerId, 'customer id'),
            inputKey(key, 'idempotency key'),
          ]),
        read,
      ),

    /** Newest first; each filter combination has an index in `(created_at, id)` order. */
    list: (filter: { customerId?: string; status?: OrderStatus }, page: PageRequest) =>
      runner.run(
        'orders.list',
        async ({ db }) => {
          const { customerId, status } = parseOrderFilter(filter);
          return orders.newestFirst(db, page, {
            where: '($1::text IS NULL OR customer_id = $1) AND ($2::text IS NULL OR status = $2)',
            params: [customerId ?? null, status ?? null],
            key: (o) => timeKey(o.createdAt, o.id),
          });
        },
        read,
      ),

    update: (id: string, patch: OrderPatch) =>
      runner.run(
        'orders.update',
        async ({ db, now }) => {
          const changes = definedFields(parseInput(OrderPatchSchema, patch, 'order patch'));
          const key = inputKey(id, 'order id');
          // Nothing to change: the lock is the point (settling an order takes it).
          if (Object.keys(changes).length === 0) return orders.lock(db, key);
          // One statement, locking the row as `orders.lock` does (no key column changes) and writing what the patch names.
          const { rows } = await db.query(
            `UPDATE ${table}
                SET status = coalesce($2::text, status),
                    ledger_entry_id = CASE WHEN $3::boolean THEN $4::text ELSE ledger_entry_id END,
                    updated_at = $5::timestamptz
              WHERE id = $1 RETURNING *`,
            [key, changes.status ?? null, 'ledgerEntryId' in changes, changes.ledgerEntryId ?? null, enc.time(now)],
          );
          if (rows[0] === undefined) throw new NotFoundError('order', key);
          return orderFromRow(rows[0]);
        },
        // One statement: no BEGIN/COMMIT alone (a lock outside a transaction holds nothing anyway). It fails past its
        // checks only on text the database cannot store: no savepoint in a transaction.
        { autocommit: true, optimistic: true },
      ),

    /** One call of `settle_orders` (migration 16): the orders locked, then their subscriptions counted and the changed ones written. */
    settle: (ids: readonly string[]) =>
      runner.run(
        'orders.settle',
        async ({ db, now }): Promise<OrderSettlement[]> => {
          const keys = inputKeys(ids, 'order ids', MAX_ROWS_PER_CALL);
          if (keys.length === 0) return [];
          const { rows } = await db.query(
            `SELECT (s.settled).*, s.previous_status, s.referral_pending FROM ${schema}.settle_orders($1::text[], $2::timestamptz) AS s`,
            [keys, enc.time(now)],
          );
          return rows.map((r) => ({
            order: orderFromRow(r),
            from: dec.text(r['previous_status']) as OrderStatus,
            referralPending: r['referral_pending'] === true,
          }));
        },
        // One statement, as `update`: it fails only where the database fails it (a deadlock of a caller that broke the lock order).
        { autocommit: true, optimistic: true },
      ),
  };
}
