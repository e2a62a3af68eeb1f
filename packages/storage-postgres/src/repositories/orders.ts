import { NewOrderSchema, NotFoundError, OrderPatchSchema, createId } from '@panelkit/sdk';
import {
  definedFields,
  inputKey,
  parseInput,
  parseOrderFilter,
  parsePageWindow,
  timeCursorCodec,
  timeKey,
} from '@panelkit/sdk/storage-kit';
import type { NewOrder, Order, OrderPatch, OrderRepository, OrderStatus, PageRequest } from '@panelkit/sdk';
import { insertSql, paramsOf, updateSql } from '../internal/columns.js';
import type { Column } from '../internal/columns.js';
import { timeBound, toPage } from '../internal/paging.js';
import { rowLock } from '../internal/locks.js';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';

const COLUMNS: readonly Column<Order>[] = [
  ['id', 'text', (o) => o.id],
  ['customer_id', 'text', (o) => o.customerId],
  ['status', 'text', (o) => o.status],
  ['items', 'jsonb', (o) => enc.json(o.items)],
  ['total_amount', 'bigint', (o) => o.total.amount],
  ['total_currency', 'text', (o) => o.total.currency],
  ['idempotency_key', 'text', (o) => o.idempotencyKey],
  ['request_hash', 'text', (o) => o.requestHash],
  ['ledger_entry_id', 'text', (o) => o.ledgerEntryId],
  ['created_at', 'timestamptz', (o) => enc.time(o.createdAt)],
  ['updated_at', 'timestamptz', (o) => enc.time(o.updatedAt)],
];

function orderFromRow(r: Row): Order {
  return {
    id: dec.text(r['id']),
    customerId: dec.text(r['customer_id']),
    status: dec.text(r['status']) as OrderStatus,
    items: dec.json(r['items']),
    total: { amount: dec.int(r['total_amount']), currency: dec.text(r['total_currency']) },
    idempotencyKey: dec.text(r['idempotency_key']),
    requestHash: dec.text(r['request_hash']),
    ledgerEntryId: dec.textOrNull(r['ledger_entry_id']),
    createdAt: dec.time(r['created_at']),
    updatedAt: dec.time(r['updated_at']),
  };
}

export function orderRepository({ runner, schema }: RepositoryContext): OrderRepository {
  const table = `${schema}.orders`;
  const read = { read: true } as const;
  return {
    create: (input: NewOrder) =>
      runner.run('orders.create', async ({ db, now }) => {
        const parsed = parseInput(NewOrderSchema, input, 'order');
        const order: Order = { ...parsed, id: parsed.id ?? createId('ord'), createdAt: now, updatedAt: now };
        return orderFromRow((await db.query(insertSql(table, COLUMNS), paramsOf(COLUMNS, order))).rows[0]!);
      }),

    get: (id: string) =>
      runner.run(
        'orders.get',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT * FROM ${table} WHERE id = $1`, [inputKey(id, 'order id')]);
          return rows[0] === undefined ? null : orderFromRow(rows[0]);
        },
        read,
      ),

    getByIdempotencyKey: (customerId: string, key: string) =>
      runner.run(
        'orders.getByIdempotencyKey',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT * FROM ${table} WHERE customer_id = $1 AND idempotency_key = $2`, [
            inputKey(customerId, 'customer id'),
            inputKey(key, 'idempotency key'),
          ]);
          return rows[0] === undefined ? null : orderFromRow(rows[0]);
        },
        read,
      ),

    /** Newest first; each filter combination has an index in `(created_at, id)` order. */
    list: (filter: { customerId?: string; status?: OrderStatus }, page: PageRequest) =>
      runner.run(
        'orders.list',
        async ({ db }) => {
          const { customerId, status } = parseOrderFilter(filter);
          const window = parsePageWindow(page, timeCursorCodec);
          const { rows } = await db.query(
            `SELECT * FROM ${table}
             WHERE ($1::text IS NULL OR customer_id = $1) AND ($2::text IS NULL OR status = $2)
               AND (created_at, id) < ($3::timestamptz, $4::text)
             ORDER BY created_at DESC, id DESC LIMIT $5`,
            [customerId ?? null, status ?? null, ...timeBound(window.after, 'desc'), window.limit + 1],
          );
          return toPage(rows.map(orderFromRow), window, timeCursorCodec, (o) => timeKey(o.createdAt, o.id));
        },
        read,
      ),

    update: (id: string, patch: OrderPatch) =>
      runner.run('orders.update', async ({ db, now }) => {
        const changes = definedFields(parseInput(OrderPatchSchema, patch, 'order patch'));
        const key = inputKey(id, 'order id');
        const { rows } = await db.query(`SELECT * FROM ${table} WHERE id = $1 ${rowLock()}`, [key]);
        if (rows[0] === undefined) throw new NotFoundError('order', key);
        // Nothing to change: the lock taken above was the point (settling an order takes it).
        if (Object.keys(changes).length === 0) return orderFromRow(rows[0]);
        const after: Order = { ...orderFromRow(rows[0]), ...changes, updatedAt: now };
        return orderFromRow((await db.query(updateSql(table, COLUMNS), paramsOf(COLUMNS, after))).rows[0]!);
      }),
  };
}
