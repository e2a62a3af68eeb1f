import type {
  BuyerRows,
  FigureCell,
  FigureLedgerEntry,
  FigureOrder,
  FigurePayment,
  FiguresCalendar,
  FigureSubscription,
} from '../../../src/rules/index.js';
import { figureCellKey } from '../../../src/rules/index.js';

/** Gregorian months on UTC's wall clock: most scenarios need nothing else. */
export const UTC: FiguresCalendar = { timeZone: 'UTC', calendar: 'gregorian' };

/** An instant written `YYYY-MM-DDTHH:mm` (UTC) or `YYYY-MM-DD` (midnight UTC). */
export const at = (text: string): Date => new Date(text.length === 10 ? `${text}T00:00:00Z` : `${text}:00Z`);

const DAY_MS = 86_400_000;
/** `days` days after `date`. */
export const plusDays = (date: Date, days: number): Date => new Date(date.getTime() + days * DAY_MS);

let next = 0;
const id = (prefix: string) => `${prefix}${++next}`;

/** One customer's rows, empty but for what `over` sets. */
export function rowsOf(customerId: string, over: Partial<BuyerRows> = {}): BuyerRows {
  return {
    customer: { id: customerId, storefrontId: null },
    ledger: [],
    subscriptions: [],
    orders: [],
    payments: [],
    attribution: null,
    referral: null,
    giftClaims: [],
    trialRefusals: [],
    planFamilies: {},
    ...over,
  };
}

/** A ledger entry of `customerId`; `amount` signed as stored (a debit negative). */
export function entry(
  customerId: string,
  kind: FigureLedgerEntry['kind'],
  amount: number,
  createdAt: Date,
  over: Partial<FigureLedgerEntry> = {},
): FigureLedgerEntry {
  return {
    id: id('e'),
    customerId,
    kind,
    amount,
    currency: 'USD',
    orderId: null,
    subscriptionId: null,
    createdAt,
    actor: { type: 'customer' },
    ...over,
  };
}

/** An order of `customerId` for `total` minor units (USD). */
export function order(customerId: string, total: number, createdAt: Date, over: Partial<FigureOrder> = {}): FigureOrder {
  return { id: id('o'), customerId, total: { amount: total, currency: 'USD' }, createdAt, ...over };
}

/** A paid order with its purchase debit, for `total` minor units. */
export function purchase(customerId: string, total: number, createdAt: Date): { order: FigureOrder; debit: FigureLedgerEntry } {
  const o = order(customerId, total, createdAt);
  return { order: o, debit: entry(customerId, 'purchase', -total, createdAt, { orderId: o.id }) };
}

/** A subscription of `customerId`: active, 30 days from `createdAt`, plan `p1` on panel `n1`, unless `over` says. */
export function sub(customerId: string, createdAt: Date, over: Partial<FigureSubscription> = {}): FigureSubscription {
  return {
    id: id('s'),
    customerId,
    orderId: null,
    planId: 'p1',
    panelId: 'n1',
    status: 'active',
    statusChangedAt: createdAt,
    expiresAt: plusDays(createdAt, 30),
    durationDays: 30,
    activatedAt: createdAt,
    trial: false,
    bundleId: null,
    createdAt,
    ...over,
  };
}

/** A payment of `customerId` through `providerId`, credited by `ledgerEntryId`. */
export function payment(customerId: string, providerId: string, over: Partial<FigurePayment> = {}): FigurePayment {
  return { id: id('pay'), customerId, providerId, currency: 'USD', ledgerEntryId: null, reversalEntryId: null, details: {}, ...over };
}

type Without<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

/** The value of one cell in `cells` (0 when absent). */
export function cellValue(cells: readonly FigureCell[] | ReadonlyMap<string, FigureCell>, cell: Without<FigureCell, 'value'>): number {
  const key = figureCellKey({ ...cell, value: 0 } as FigureCell);
  if (!Array.isArray(cells)) return (cells as ReadonlyMap<string, FigureCell>).get(key)?.value ?? 0;
  return (cells as readonly FigureCell[]).filter((c) => figureCellKey(c) === key).reduce((n, c) => n + c.value, 0);
}

/** A `months` metric under `scope` as `{ month: value }`, for `key` and `currency` (both `''` unless given). */
export function monthly(cells: readonly FigureCell[], metric: string, scope = '*', key = '', currency = ''): Record<number, number> {
  const out: Record<number, number> = {};
  for (const c of cells) {
    if (c.table === 'months' && c.metric === metric && c.scope === scope && c.key === key && c.currency === currency)
      out[c.month] = c.value;
  }
  return out;
}

/** The ages a cohort counts a buyer at under `scope`. */
export function agesIn(cells: readonly FigureCell[], scope = '*'): number[] {
  return cells.filter((c) => c.table === 'cohorts' && c.scope === scope).map((c) => (c as { age: number }).age);
}
