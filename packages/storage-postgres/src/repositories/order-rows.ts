import type { Order, OrderStatus } from '@panelkit/sdk';
import type { Column } from '../internal/columns.js';
import { dec, enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';

/** How an order is stored, one column per field. */
export const ORDER_COLUMNS: readonly Column<Order>[] = [
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

/** An order read back from its row. */
export function orderFromRow(r: Row): Order {
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
