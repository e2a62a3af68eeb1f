import { createId } from '@panelkit/sdk';
import { NewOrderSchema, OrderPatchSchema } from '@panelkit/sdk/schemas';
import { definedFields, inputKey, parseInput, parseOrderFilter, parsePageWindow, timeCursorCodec, timeKey } from '@panelkit/sdk/storage';
import type { Customer, NewOrder, Order, OrderPatch, OrderStatus, Page, PageRequest } from '@panelkit/sdk';
import type { TimeKey } from '@panelkit/sdk/storage';
import { copy } from '../internal/copy.js';
import { compareTimeKeys } from '../internal/keys.js';
import type { Op } from '../internal/op.js';
import { collectPage, descending } from '../internal/paging.js';
import { ALL, SortedIndex } from '../internal/sorted-index.js';
import { Table } from '../internal/table.js';
import { UniqueIndex, compositeKey } from '../internal/unique-index.js';

export interface OrderTables {
  readonly orders: Table<Order>;
  readonly byIdempotencyKey: UniqueIndex<Order>;
  /** Newest-first listing: everything, per customer, per status. */
  readonly byCreated: SortedIndex<Order, TimeKey>;
  readonly byCustomer: SortedIndex<Order, TimeKey>;
  readonly byStatus: SortedIndex<Order, TimeKey>;
}

function createdIndex(partition: (order: Order) => string): SortedIndex<Order, TimeKey> {
  return new SortedIndex<Order, TimeKey>({ partition, key: (o) => timeKey(o.createdAt, o.id), compare: compareTimeKeys });
}

export function createOrderTables(): OrderTables {
  const byIdempotencyKey = new UniqueIndex<Order>('an order with this customer and idempotency key', (o) =>
    compositeKey(o.customerId, o.idempotencyKey),
  );
  const byCreated = createdIndex(() => ALL);
  const byCustomer = createdIndex((o) => o.customerId);
  const byStatus = createdIndex((o) => o.status);
  return {
    orders: new Table<Order>('order', [byIdempotencyKey], [byCreated, byCustomer, byStatus]),
    byIdempotencyKey,
    byCreated,
    byCustomer,
    byStatus,
  };
}

export function orderOperations(tables: OrderTables, customers: Table<Customer>) {
  const { orders, byIdempotencyKey } = tables;

  return {
    create(op: Op, input: NewOrder): Order {
      const parsed = copy(parseInput(NewOrderSchema, input, 'order'));
      customers.require(parsed.customerId);
      const order: Order = { ...parsed, id: parsed.id ?? createId('ord'), createdAt: op.now, updatedAt: op.now };
      orders.insert(op.undo, order);
      return copy(order);
    },

    get(_op: Op, id: string): Order | null {
      const order = orders.get(inputKey(id, 'order id'));
      return order === undefined ? null : copy(order);
    },

    getByIdempotencyKey(_op: Op, customerId: string, key: string): Order | null {
      const id = byIdempotencyKey.lookup(compositeKey(inputKey(customerId, 'customer id'), inputKey(key, 'idempotency key')));
      return id === undefined ? null : copy(orders.load(id));
    },

    /** Served by the narrowest index the filter allows; the other filter is checked per row. */
    list(_op: Op, filter: { customerId?: string; status?: OrderStatus }, page: PageRequest): Page<Order> {
      const { customerId, status } = parseOrderFilter(filter);
      const window = parsePageWindow(page, timeCursorCodec);
      const tree =
        customerId !== undefined
          ? tables.byCustomer.tree(customerId)
          : status !== undefined
            ? tables.byStatus.tree(status)
            : tables.byCreated.tree(ALL);
      return collectPage(descending(tree, window.after), window, timeCursorCodec, ([, id]) => {
        const order = orders.load(id);
        return status === undefined || order.status === status ? order : undefined;
      });
    },

    update(op: Op, id: string, patch: OrderPatch): Order {
      const changes = definedFields(copy(parseInput(OrderPatchSchema, patch, 'order patch')));
      const before = orders.require(inputKey(id, 'order id'));
      if (Object.keys(changes).length === 0) return copy(before);
      const after: Order = { ...before, ...changes, updatedAt: op.now };
      orders.replace(op.undo, after);
      return copy(after);
    },
  };
}
