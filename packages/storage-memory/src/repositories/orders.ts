import { NewOrderSchema, OrderPatchSchema, OrderStatusSchema, createId, parseInput } from '@panelkit/sdk';
import type { Customer, NewOrder, Order, OrderPatch, OrderStatus, Page, PageRequest } from '@panelkit/sdk';
import { copy, definedFields } from '../internal/copy.js';
import { compareTimeKeys, timeKey, timeKeyCodec } from '../internal/keys.js';
import type { TimeKey } from '../internal/keys.js';
import type { Op } from '../internal/op.js';
import { collectPage, descending, pageWindow } from '../internal/paging.js';
import { ALL, SortedIndex } from '../internal/sorted-index.js';
import { Table } from '../internal/table.js';
import { UniqueIndex, compositeKey } from '../internal/unique-index.js';
import { asKey, asRecord } from '../internal/validate.js';

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

function parseFilter(filter: { customerId?: string; status?: OrderStatus }): { customerId?: string; status?: OrderStatus } {
  const input = asRecord(filter ?? {}, 'order filter');
  return {
    customerId: input['customerId'] === undefined ? undefined : asKey(input['customerId'], 'order filter customerId'),
    status: input['status'] === undefined ? undefined : parseInput(OrderStatusSchema, input['status'], 'order filter status'),
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
      const order = orders.get(asKey(id, 'order id'));
      return order === undefined ? null : copy(order);
    },

    getByIdempotencyKey(_op: Op, customerId: string, key: string): Order | null {
      const id = byIdempotencyKey.lookup(compositeKey(asKey(customerId, 'customer id'), asKey(key, 'idempotency key')));
      return id === undefined ? null : copy(orders.load(id));
    },

    /** Served by the narrowest index the filter allows; the other filter is checked per row. */
    list(_op: Op, filter: { customerId?: string; status?: OrderStatus }, page: PageRequest): Page<Order> {
      const { customerId, status } = parseFilter(filter);
      const window = pageWindow(page, timeKeyCodec);
      const tree =
        customerId !== undefined
          ? tables.byCustomer.tree(customerId)
          : status !== undefined
            ? tables.byStatus.tree(status)
            : tables.byCreated.tree(ALL);
      return collectPage(descending(tree, window.after), window, timeKeyCodec, ([, id]) => {
        const order = orders.load(id);
        return status === undefined || order.status === status ? order : undefined;
      });
    },

    update(op: Op, id: string, patch: OrderPatch): Order {
      const changes = definedFields(copy(parseInput(OrderPatchSchema, patch, 'order patch')));
      const before = orders.require(asKey(id, 'order id'));
      const after: Order = { ...before, ...changes, updatedAt: op.now };
      orders.replace(op.undo, after);
      return copy(after);
    },
  };
}
