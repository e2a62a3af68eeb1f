import type { FigureLedgerEntry, FigureOrder, FigureSubscription } from './rows.js';
import { isSalesDebit } from './sales.js';

const DAY_MS = 86_400_000;

/** A span of time `[start, end)`. */
export interface Interval {
  start: Date;
  end: Date;
}

/**
 * When a subscription started being paid for, or `null` when it is not a paid subscription. A paid subscription is
 * not a trial and was paid for: its order had `total > 0`, or a sales debit names it (`subscriptionId`). Its paid
 * start is the earlier of that order's time and its first sales debit; so a gifted subscription (its order is free)
 * starts counting only once its holder pays for it (an extension, say).
 */
export function paidStartOf(
  sub: FigureSubscription,
  orders: readonly FigureOrder[],
  ledger: readonly Pick<FigureLedgerEntry, 'kind' | 'amount' | 'subscriptionId' | 'createdAt'>[],
): Date | null {
  if (sub.trial) return null;
  let start: Date | null = null;
  const order = sub.orderId === null ? undefined : orders.find((o) => o.id === sub.orderId);
  if (order !== undefined && order.total.amount > 0) start = order.createdAt;
  for (const e of ledger)
    if (e.subscriptionId === sub.id && isSalesDebit(e) && (start === null || e.createdAt < start)) start = e.createdAt;
  return start;
}

/**
 * A paid subscription's coverage, from its paid start to its end, or `null` when empty. The end is `expiresAt`; for
 * one not started yet (start on first use, `expiresAt` null) the paid start plus `durationDays`; for a terminated one
 * the earlier of `expiresAt` and `statusChangedAt` (a full refund terminates at once). A `failed` one has none.
 * Only the current row is read: a subscription that expired and was revived later is covered through its gap.
 */
export function coverageOf(sub: FigureSubscription, paidStart: Date): Interval | null {
  if (sub.status === 'failed') return null;
  let end: number;
  if (sub.status === 'terminated') end = Math.min(sub.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY, sub.statusChangedAt.getTime());
  else end = sub.expiresAt?.getTime() ?? paidStart.getTime() + sub.durationDays * DAY_MS;
  return end > paidStart.getTime() ? { start: paidStart, end: new Date(end) } : null;
}

/** The union of intervals as disjoint intervals, oldest first (touching ones merged). */
export function unionOfIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start.getTime() - b.start.getTime());
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && i.start.getTime() <= last.end.getTime()) {
      if (i.end > last.end) last.end = i.end;
    } else out.push({ start: i.start, end: i.end });
  }
  return out;
}

/**
 * What renews or lapses: a paid subscription sold alone, or a bundle (the paid subscriptions sharing a `bundleId`),
 * counted once.
 */
export interface PaidUnit {
  /** The bundle's id, or the lone subscription's. */
  id: string;
  /** Its paid subscriptions (failed ones included), oldest first. */
  parts: FigureSubscription[];
  /** The union of its parts' coverage. */
  coverage: Interval[];
}

/** A customer's paid units, with their coverage: see {@link PaidUnit}, {@link paidStartOf}, {@link coverageOf}. */
export function paidUnitsOf(
  subscriptions: readonly FigureSubscription[],
  orders: readonly FigureOrder[],
  ledger: readonly FigureLedgerEntry[],
): PaidUnit[] {
  const units = new Map<string, { parts: FigureSubscription[]; spans: Interval[] }>();
  const sorted = [...subscriptions].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
  for (const sub of sorted) {
    const start = paidStartOf(sub, orders, ledger);
    if (start === null) continue;
    const id = sub.bundleId ?? sub.id;
    const unit = units.get(id) ?? { parts: [], spans: [] };
    unit.parts.push(sub);
    const span = coverageOf(sub, start);
    if (span !== null) unit.spans.push(span);
    units.set(id, unit);
  }
  return [...units].map(([id, u]) => ({ id, parts: u.parts, coverage: unionOfIntervals(u.spans) }));
}

/** How a unit ended, when it has: `lapsed` (churn) or `refunded`, at the end of its coverage. */
export interface UnitEnding {
  outcome: 'lapsed' | 'refunded';
  at: Date;
}

/** Whether everything paid for an order went back: its refunds reach its purchase debits (which are more than 0). */
function refundedInFull(orderId: string, ledger: readonly FigureLedgerEntry[]): boolean {
  let paid = 0;
  let refunded = 0;
  for (const e of ledger) {
    if (e.orderId !== orderId) continue;
    if (e.kind === 'purchase') paid -= e.amount;
    else if (e.kind === 'refund') refunded += e.amount;
  }
  return paid > 0 && refunded >= paid;
}

/**
 * How a paid unit ended, or `null` while it has not (a part is live, suspended or pending) or it never had coverage.
 * It ended when every part that had coverage is `expired` or `terminated`, at the end of its coverage. It was
 * `refunded` when every such part is terminated and its order was refunded in full; otherwise it `lapsed`. An expired
 * unit still within its grace counts as lapsed, and stops counting when it is revived.
 */
export function unitEnding(unit: PaidUnit, ledger: readonly FigureLedgerEntry[]): UnitEnding | null {
  const last = unit.coverage[unit.coverage.length - 1];
  if (last === undefined) return null;
  const parts = unit.parts.filter((p) => p.status !== 'failed');
  if (!parts.every((p) => p.status === 'expired' || p.status === 'terminated')) return null;
  const orderId = parts[0]?.orderId ?? null;
  const refunded =
    orderId !== null && parts.every((p) => p.status === 'terminated' && p.orderId === orderId) && refundedInFull(orderId, ledger);
  return { outcome: refunded ? 'refunded' : 'lapsed', at: last.end };
}
