import { IdempotencyConflictError, ValidationError, createId } from '@panelkit/sdk';
import type { Customer, Money, Order, Page, PageRequest, Plan, Subscription } from '@panelkit/sdk';
import { NewMenuItemSchema, NewStorefrontSaleSchema, NewStorefrontSchema, StorefrontPatchSchema } from '@panelkit/sdk/storefronts';
import type {
  MenuItem,
  NewMenuItem,
  NewStorefront,
  NewStorefrontSale,
  Storefront,
  StorefrontPatch,
  StorefrontSale,
  StorefrontStatus,
  StorefrontUsage,
} from '@panelkit/sdk/storefronts';
import { definedFields, inputKey, parseInput } from '@panelkit/sdk/storage';
import type { StorefrontPeriodTotals, StorefrontSaleResult } from '@panelkit/sdk/storage';
import { copy } from '../internal/copy.js';
import { compareStrings } from '../internal/keys.js';
import type { Op } from '../internal/op.js';
import { Table } from '../internal/table.js';
import { UniqueIndex } from '../internal/unique-index.js';
import { newestFirst } from './newest-first.js';

type MenuRow = MenuItem & { id: string };

/** Storefronts (one per reseller), their menus and their sales' splits. */
export interface StorefrontTables {
  readonly storefronts: Table<Storefront>;
  readonly menu: Table<MenuRow>;
  readonly sales: Table<StorefrontSale>;
  readonly salesByKey: UniqueIndex<StorefrontSale>;
}

const menuId = (storefrontId: string, planId: string) => `${storefrontId}\u0000${planId}`;

/** Empty storefront tables for a new memory storage. */
export function createStorefrontTables(): StorefrontTables {
  const byReseller = new UniqueIndex<Storefront>('a storefront of this reseller', (s) => s.resellerId);
  const salesByKey = new UniqueIndex<StorefrontSale>('a storefront sale with this idempotency key', (s) => s.idempotencyKey);
  return {
    storefronts: new Table<Storefront>('storefront', [byReseller]),
    menu: new Table<MenuRow>('menu item', []),
    sales: new Table<StorefrontSale>('storefront sale', [salesByKey]),
    salesByKey,
  };
}

/** Statuses whose subscriptions count against a storefront's quotas. */
const LIVE = new Set(['pending', 'active', 'on_hold', 'limited', 'suspended']);

function sumBy(rows: readonly Money[]): Money[] {
  const m = new Map<string, number>();
  for (const r of rows) m.set(r.currency, (m.get(r.currency) ?? 0) + r.amount);
  return [...m.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([currency, amount]) => ({ currency, amount }));
}

/** Storefronts over the memory tables; a sale's lock is the storage's one lock. */
export function storefrontOperations(
  tables: StorefrontTables,
  parents: { customers: Table<Customer>; plans: Table<Plan>; orders: Table<Order>; subscriptions: Table<Subscription> },
) {
  const { storefronts, menu, sales, salesByKey } = tables;
  const resellerOf = (customerId: string) => [...storefronts.values()].find((s) => s.resellerId === customerId);
  return {
    create(op: Op, input: NewStorefront): Storefront {
      const parsed = parseInput(NewStorefrontSchema, input, 'storefront');
      const reseller = parents.customers.require(parsed.resellerId);
      if (reseller.storefrontId !== null)
        throw new ValidationError('a storefront buyer cannot run a storefront', [
          { path: 'resellerId', message: 'is a buyer of a storefront' },
        ]);
      const row: Storefront = copy({ ...parsed, id: parsed.id ?? createId('sfr'), createdAt: op.now, updatedAt: op.now });
      storefronts.insert(op.undo, row);
      return copy(row);
    },
    get(_op: Op, id: string): Storefront | null {
      const row = storefronts.get(inputKey(id, 'storefront id'));
      return row === undefined ? null : copy(row);
    },
    getByReseller(_op: Op, resellerId: string): Storefront | null {
      const row = resellerOf(inputKey(resellerId, 'reseller id'));
      return row === undefined ? null : copy(row);
    },
    list(_op: Op, filter: { status?: StorefrontStatus } = {}): Storefront[] {
      return [...storefronts.values()]
        .filter((s) => filter.status === undefined || s.status === filter.status)
        .sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.id, b.id))
        .map(copy);
    },
    update(op: Op, id: string, patch: StorefrontPatch): Storefront {
      const parsed = definedFields(parseInput(StorefrontPatchSchema, patch, 'storefront patch'));
      const before = storefronts.require(inputKey(id, 'storefront id'));
      const after: Storefront = copy({ ...before, ...parsed, updatedAt: op.now });
      storefronts.replace(op.undo, after);
      return copy(after);
    },
    lockForSale(_op: Op, id: string): Storefront | null {
      const row = storefronts.get(inputKey(id, 'storefront id'));
      return row === undefined ? null : copy(row);
    },
    setMenuItem(op: Op, input: NewMenuItem): MenuItem {
      const line = parseInput(NewMenuItemSchema, input, 'menu item');
      storefronts.require(line.storefrontId);
      parents.plans.require(line.planId);
      const row: MenuRow = copy({ ...line, id: menuId(line.storefrontId, line.planId), updatedAt: op.now });
      if (menu.get(row.id) === undefined) menu.insert(op.undo, row);
      else menu.replace(op.undo, row);
      const { id: _id, ...item } = row;
      return copy(item);
    },
    removeMenuItem(op: Op, storefrontId: string, planId: string): boolean {
      return menu.delete(op.undo, menuId(inputKey(storefrontId, 'storefront id'), inputKey(planId, 'plan id'))) !== undefined;
    },
    getMenuItem(_op: Op, storefrontId: string, planId: string): MenuItem | null {
      const row = menu.get(menuId(inputKey(storefrontId, 'storefront id'), inputKey(planId, 'plan id')));
      if (row === undefined) return null;
      const { id: _id, ...item } = row;
      return copy(item);
    },
    menu(_op: Op, storefrontId: string): MenuItem[] {
      const key = inputKey(storefrontId, 'storefront id');
      return [...menu.values()]
        .filter((m) => m.storefrontId === key)
        .sort((a, b) => compareStrings(a.planId, b.planId))
        .map(({ id: _id, ...item }) => copy(item));
    },
    assignBuyer(op: Op, customerId: string, storefrontId: string | null): Customer {
      const before = parents.customers.require(inputKey(customerId, 'customer id'));
      if (storefrontId !== null) storefronts.require(inputKey(storefrontId, 'storefront id'));
      if (storefrontId !== null && resellerOf(before.id) !== undefined)
        throw new ValidationError('a reseller cannot be a storefront buyer', [{ path: 'customerId', message: 'runs a storefront' }]);
      const after: Customer = { ...before, storefrontId, updatedAt: op.now };
      parents.customers.replace(op.undo, after);
      return copy(after);
    },
    listBuyers(_op: Op, storefrontId: string, page: PageRequest): Page<Customer> {
      const key = inputKey(storefrontId, 'storefront id');
      return newestFirst(
        [...parents.customers.values()].filter((c) => c.storefrontId === key),
        (c) => c.createdAt,
        page,
        copy,
      );
    },
    countBuyers(_op: Op, storefrontId: string): number {
      const key = inputKey(storefrontId, 'storefront id');
      let n = 0;
      for (const c of parents.customers.values()) if (c.storefrontId === key) n++;
      return n;
    },
    usage(_op: Op, storefrontId: string): StorefrontUsage {
      const key = inputKey(storefrontId, 'storefront id');
      const usage = { activeSubscriptions: 0, trafficBytes: 0 };
      for (const s of parents.subscriptions.values()) {
        if (!LIVE.has(s.status) || parents.customers.get(s.customerId)?.storefrontId !== key) continue;
        usage.activeSubscriptions++;
        usage.trafficBytes += s.trafficLimitBytes ?? 0;
      }
      return usage;
    },
    recordSale(op: Op, input: NewStorefrontSale): StorefrontSaleResult {
      const parsed = parseInput(NewStorefrontSaleSchema, input, 'storefront sale');
      const existingId = salesByKey.lookup(parsed.idempotencyKey);
      if (existingId !== undefined) {
        const existing = sales.load(existingId);
        if (
          existing.orderId !== parsed.orderId ||
          existing.chargeKey !== parsed.chargeKey ||
          existing.kind !== parsed.kind ||
          existing.retail.amount !== parsed.retail.amount
        )
          throw new IdempotencyConflictError(parsed.idempotencyKey);
        return { sale: copy(existing), created: false };
      }
      storefronts.require(parsed.storefrontId);
      parents.customers.require(parsed.buyerId);
      parents.customers.require(parsed.resellerId);
      if (parsed.orderId !== null) parents.orders.require(parsed.orderId);
      if (parsed.subscriptionId !== null) parents.subscriptions.require(parsed.subscriptionId);
      const row: StorefrontSale = copy({ ...parsed, id: parsed.id ?? createId('sfs'), createdAt: op.now });
      sales.insert(op.undo, row);
      return { sale: copy(row), created: true };
    },
    salesOfOrder(_op: Op, orderId: string): StorefrontSale[] {
      const key = inputKey(orderId, 'order id');
      return [...sales.values()]
        .filter((s) => s.orderId === key)
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || compareStrings(a.id, b.id))
        .map(copy);
    },
    salesOfCharge(_op: Op, chargeKey: string): StorefrontSale[] {
      const key = inputKey(chargeKey, 'charge key');
      return [...sales.values()]
        .filter((s) => s.chargeKey === key)
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || compareStrings(a.id, b.id))
        .map(copy);
    },
    countSales(_op: Op, storefrontId: string, since: Date): number {
      const key = inputKey(storefrontId, 'storefront id');
      let n = 0;
      for (const s of sales.values()) if (s.storefrontId === key && s.kind === 'sale' && s.createdAt.getTime() >= since.getTime()) n++;
      return n;
    },
    figures(_op: Op, query: { from: Date; to: Date; storefrontId?: string }): StorefrontPeriodTotals[] {
      const byStorefront = new Map<string, StorefrontSale[]>();
      for (const s of sales.values()) {
        if (query.storefrontId !== undefined && s.storefrontId !== query.storefrontId) continue;
        const at = s.createdAt.getTime();
        if (at < query.from.getTime() || at >= query.to.getTime()) continue;
        byStorefront.set(s.storefrontId, [...(byStorefront.get(s.storefrontId) ?? []), s]);
      }
      return [...byStorefront.entries()]
        .sort(([a], [b]) => compareStrings(a, b))
        .map(([storefrontId, rows]) => ({
          storefrontId,
          sales: rows.filter((r) => r.kind === 'sale').length,
          refunds: rows.filter((r) => r.kind === 'refund').length,
          retail: sumBy(rows.map((r) => r.retail)),
          wholesale: sumBy(rows.map((r) => r.wholesale)),
          margin: sumBy(rows.map((r) => r.margin)),
          bonus: sumBy(rows.map((r) => r.bonus)),
        }));
    },
  };
}
