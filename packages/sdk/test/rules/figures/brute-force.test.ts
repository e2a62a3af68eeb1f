import { describe, expect, it } from 'vitest';
import {
  addFigureMonths,
  type BuyerRows,
  buyerContribution,
  FIGURE_BUCKET_MS,
  type FigureCell,
  type FigureLedgerEntry,
  type FiguresCalendar,
  type FigureSubscription,
  figureMonthStart,
  MAX_COHORT_AGE,
  sumContributions,
} from '../../../src/rules/index.js';
import { REVENUE_LEDGER_KINDS } from '../../../src/domain/sales.js';
import { seeded } from '../../seeded.js';
import { entry, order, payment, plusDays, rowsOf, sub } from './rows.js';

/** The seeded source's draws as integers and picks, so a failing shop can be replayed by its seed. */
function random(seed: number) {
  const next = seeded(seed);
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! };
}

const FROM = Date.UTC(2023, 0, 1);
const SPAN = 3 * 365 * 86_400_000;

/** A random shop: customers with paid and trial subscriptions, bundles, renewals, refunds, top-ups and reversals. */
function shop(seed: number, customers: number): BuyerRows[] {
  const r = random(seed);
  const when = () => new Date(FROM + r.int(SPAN));
  return Array.from({ length: customers }, (_, i) => {
    const id = `c${seed}-${i}`;
    const rows = rowsOf(id, {
      customer: { id, storefrontId: r.next() < 0.2 ? r.pick(['sf1', 'sf2']) : null },
      attribution: r.next() < 0.3 ? { campaign: r.pick(['spring', 'ads']), attributedAt: when() } : null,
      referral: r.next() < 0.1 ? { referredId: id } : null,
      planFamilies: { pt: 'basic' },
    });
    const ledger: FigureLedgerEntry[] = [];
    const subs: FigureSubscription[] = [];
    for (let k = r.int(4); k > 0; k--) {
      const t = when();
      const trial = r.next() < 0.25;
      const total = trial ? 0 : r.pick([0, 500, 1200]);
      const o = order(id, total, t);
      rows.orders = [...rows.orders, o];
      if (total > 0) ledger.push(entry(id, 'purchase', -total, t, { orderId: o.id }));
      const parts = trial || r.next() < 0.7 ? 1 : 2;
      const bundleId = parts > 1 ? `b-${o.id}` : null;
      let end = plusDays(t, r.pick([3, 30, 90]));
      for (let n = r.int(3); n > 0 && !trial; n--) {
        const renewedAt = end;
        end = plusDays(end, 30);
        for (let p = 0; p < parts; p++)
          ledger.push(
            entry(id, 'extension', -300, renewedAt, { subscriptionId: `${o.id}-${p}`, actor: { type: r.pick(['scheduler', 'customer']) } }),
          );
      }
      const refunded = total > 0 && r.next() < 0.15 ? plusDays(t, r.int(20) + 1) : null;
      if (refunded) ledger.push(entry(id, 'refund', total, refunded, { orderId: o.id }));
      const status = refunded ? 'terminated' : r.pick(['active', 'expired', 'expired', 'suspended', 'failed', 'terminated'] as const);
      for (let p = 0; p < parts; p++) {
        subs.push(
          sub(id, t, {
            id: `${o.id}-${p}`,
            orderId: o.id,
            bundleId,
            trial,
            planId: trial ? 'pt' : r.pick(['p1', 'p2']),
            panelId: p === 0 ? 'n1' : 'n2',
            status,
            expiresAt: r.next() < 0.1 && status === 'active' ? null : end,
            statusChangedAt: refunded ?? (status === 'expired' ? end : plusDays(t, r.int(60))),
            activatedAt: r.next() < 0.9 ? t : null,
          }),
        );
      }
    }
    if (r.next() < 0.4) {
      const topUp = entry(id, 'top_up', 2000, when());
      ledger.push(topUp);
      const reversal = r.next() < 0.3 ? entry(id, 'payment_reversal', -2000, plusDays(topUp.createdAt, 3)) : null;
      if (reversal) ledger.push(reversal);
      rows.payments = [payment(id, r.pick(['card', 'crypto']), { ledgerEntryId: topUp.id, reversalEntryId: reversal?.id ?? null })];
    }
    if (r.next() < 0.2) ledger.push(entry(id, 'plan_change', 150, when()));
    if (r.next() < 0.2) rows.trialRefusals = [when()];
    rows.ledger = ledger;
    rows.subscriptions = subs;
    return rows;
  });
}

/** The month of an instant found by searching month starts: independent of `figureMonthOf`. */
function monthFinder(cal: FiguresCalendar, first: number) {
  const starts: { month: number; at: number }[] = [];
  for (let m = first, i = 0; i < 60; m = addFigureMonths(m, 1), i++) starts.push({ month: m, at: figureMonthStart(m, cal).getTime() });
  return {
    of: (d: Date) => [...starts].reverse().find((s) => s.at <= d.getTime())!.month,
    range: (m: number) => ({ from: figureMonthStart(m, cal).getTime(), to: figureMonthStart(addFigureMonths(m, 1), cal).getTime() }),
  };
}

const REVENUE = new Set<string>(REVENUE_LEDGER_KINDS);

/** A paid subscription's coverage, written again from the design's words. */
function coverage(s: FigureSubscription, rows: BuyerRows): [number, number] | null {
  if (s.trial || s.status === 'failed') return null;
  const starts: number[] = [];
  const o = rows.orders.find((x) => x.id === s.orderId);
  if (o && o.total.amount > 0) starts.push(o.createdAt.getTime());
  for (const e of rows.ledger) if (e.subscriptionId === s.id && REVENUE.has(e.kind) && e.amount < 0) starts.push(e.createdAt.getTime());
  if (starts.length === 0) return null;
  const start = Math.min(...starts);
  const end =
    s.status === 'terminated'
      ? Math.min(s.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY, s.statusChangedAt.getTime())
      : (s.expiresAt?.getTime() ?? start + s.durationDays * 86_400_000);
  return end > start ? [start, end] : null;
}

describe.each([
  [{ timeZone: 'UTC', calendar: 'gregorian' } as const, 202212],
  [{ timeZone: 'Asia/Tehran', calendar: 'jalali' } as const, 140110],
])('the buyers’ contributions add up to a brute-force count over the same rows (%o)', (cal, firstMonth) => {
  it.each([1, 2, 3, 4, 5])('shop %i', (seed) => {
    const rows = shop(seed, 40);
    const sum = sumContributions(rows.map((r) => buyerContribution(r, cal)));
    const months = monthFinder(cal, firstMonth);
    const got = (table: FigureCell['table'], scope: string | null, pick: (c: FigureCell) => string | null) => {
      const out: Record<string, number> = {};
      for (const c of sum.values()) {
        if (c.table !== table || ('scope' in c ? c.scope : null) !== scope) continue;
        const k = pick(c);
        if (k !== null) out[k] = (out[k] ?? 0) + c.value;
      }
      return out;
    };
    const add = (o: Record<string, number>, k: string, v: number) => {
      o[k] = (o[k] ?? 0) + v;
      if (o[k] === 0) delete o[k];
    };

    const netSales: Record<string, number> = {};
    const cohorts: Record<string, number> = {};
    const cash: Record<string, number> = {};
    for (const r of rows) {
      for (const e of r.ledger) if (REVENUE.has(e.kind)) add(netSales, `${months.of(e.createdAt)} ${e.currency}`, -e.amount);
      const debits = r.ledger.filter((e) => REVENUE.has(e.kind) && e.amount < 0).map((e) => e.createdAt.getTime());
      for (const p of r.payments) {
        const credited = r.ledger.find((e) => e.id === p.ledgerEntryId)!;
        add(cash, `${months.of(credited.createdAt)} ${p.providerId} credited`, credited.amount);
        const reversed = r.ledger.find((e) => e.id === p.reversalEntryId);
        if (reversed) add(cash, `${months.of(reversed.createdAt)} ${p.providerId} reversed`, -reversed.amount);
      }
      if (debits.length === 0) continue;
      const cohort = months.of(new Date(Math.min(...debits)));
      const spans = r.subscriptions.map((s) => coverage(s, r)).filter((x) => x !== null);
      for (let age = 0; age <= MAX_COHORT_AGE; age++) {
        const { from, to } = months.range(addFigureMonths(cohort, age));
        if (age === 0 || spans.some(([s, e]) => s < to && e > from)) add(cohorts, `${cohort} ${age}`, 1);
      }
    }

    expect(got('months', '*', (c) => (c.table === 'months' && c.metric === 'net_sales' ? `${c.month} ${c.currency}` : null))).toEqual(
      netSales,
    );
    expect(got('cohorts', '*', (c) => (c.table === 'cohorts' ? `${c.cohort} ${c.age}` : null))).toEqual(cohorts);
    expect(got('cash', null, (c) => (c.table === 'cash' ? `${c.month} ${c.providerId} ${c.flow}` : null))).toEqual(cash);

    // Every buyer has exactly one source: the src:<kind> scopes partition the shop.
    const bySource: Record<string, number> = {};
    for (const c of sum.values()) if (c.table === 'cohorts' && c.scope.startsWith('src:')) add(bySource, `${c.cohort} ${c.age}`, c.value);
    expect(bySource).toEqual(cohorts);
  });

  it('in service at a day’s end is the running sum of the buckets (sales.figures’ definition)', () => {
    const rows = shop(7, 40);
    const sum = sumContributions(rows.map((r) => buyerContribution(r, cal)));
    for (const end of [Date.UTC(2023, 5, 1), Date.UTC(2024, 2, 15, 20, 30), Date.UTC(2025, 11, 31)]) {
      let expected = 0;
      for (const r of rows) {
        for (const s of r.subscriptions) {
          if (s.activatedAt === null || s.activatedAt.getTime() >= end) continue;
          const left =
            s.status === 'expired'
              ? s.statusChangedAt.getTime()
              : s.status === 'terminated'
                ? Math.min(s.statusChangedAt.getTime(), (s.expiresAt ?? s.statusChangedAt).getTime())
                : null;
          if (left === null || left >= end) expected++;
        }
      }
      let running = 0;
      for (const c of sum.values())
        if (c.table === 'buckets' && c.metric === 'in_service_delta' && c.bucket < end / FIGURE_BUCKET_MS) running += c.value;
      expect(running).toBe(expected);
    }
  });
});
