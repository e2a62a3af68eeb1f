import { REVENUE_LEDGER_KINDS } from '@panelkit/sdk';
import { parseSalesRange } from '@panelkit/sdk/storage';
import type { LedgerEntry, Order, SalesDay, SalesFiguresRange, Subscription } from '@panelkit/sdk';
import type { CampaignFigures } from '@panelkit/sdk/campaigns';
import type { AttributionRow } from './campaigns.js';
import type { Op } from '../internal/op.js';
import type { Table } from '../internal/table.js';

/** The rows the sales read model counts. */
export interface SalesSources {
  readonly ledger: Table<LedgerEntry>;
  readonly orders: Table<Order>;
  readonly subscriptions: Table<Subscription>;
  readonly attributions: Table<AttributionRow>;
}

const REVENUE = new Set<string>(REVENUE_LEDGER_KINDS);

/** When a subscription left service, or `null` while it is in service (see `SalesRepository.figures`). */
function leftAt(sub: Subscription): number | null {
  if (sub.status === 'expired') return sub.statusChangedAt.getTime();
  if (sub.status === 'terminated') return Math.min(sub.statusChangedAt.getTime(), (sub.expiresAt ?? sub.statusChangedAt).getTime());
  return null;
}

/** The sales read model over the memory tables: one pass over each table for the whole range. */
export function salesOperations(sources: SalesSources) {
  return {
    figures(_op: Op, range: SalesFiguresRange): SalesDay[] {
      const days = parseSalesRange(range);
      const starts = days.map((d) => d.start.getTime());
      const from = starts[0]!;
      const to = days[days.length - 1]!.end.getTime();
      /** The index of the day holding instant `t`, or -1 outside the range. */
      const dayOf = (t: number): number => {
        if (t < from || t >= to) return -1;
        let lo = 0;
        let hi = starts.length - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (starts[mid]! <= t) lo = mid;
          else hi = mid - 1;
        }
        return lo;
      };
      const revenue = new Map<string, number[]>();
      for (const e of sources.ledger.values()) {
        if (!REVENUE.has(e.kind)) continue;
        const i = dayOf(e.createdAt.getTime());
        if (i < 0) continue;
        const values = revenue.get(e.currency) ?? new Array<number>(days.length).fill(0);
        values[i]! -= e.amount;
        revenue.set(e.currency, values);
      }
      const orders = new Array<number>(days.length).fill(0);
      for (const o of sources.orders.values()) {
        const i = o.total.amount > 0 ? dayOf(o.createdAt.getTime()) : -1;
        if (i >= 0) orders[i]!++;
      }
      const created = new Array<number>(days.length).fill(0);
      // In service is a running sum: +1 on the day a subscription started, -1 on the day it left (the later of
      // the two); `before` holds what happened before the period.
      const change = new Array<number>(days.length).fill(0);
      let before = 0;
      const move = (t: number, d: number) => {
        if (t >= to) return;
        const i = dayOf(t);
        if (i < 0) before += d;
        else change[i]! += d;
      };
      for (const s of sources.subscriptions.values()) {
        const i = dayOf(s.createdAt.getTime());
        if (i >= 0) created[i]!++;
        if (s.activatedAt === null) continue;
        const on = s.activatedAt.getTime();
        const off = leftAt(s);
        move(on, 1);
        if (off !== null) move(Math.max(on, off), -1);
      }
      let live = before;
      const inService = change.map((d) => (live += d));
      const currencies = [...revenue.keys()].sort();
      return days.map((d, i) => ({
        day: d.day,
        revenue: currencies.map((currency) => ({ currency, amount: revenue.get(currency)![i]! })),
        orders: orders[i]!,
        newSubscriptions: created[i]!,
        inService: inService[i]!,
      }));
    },

    campaigns(_op: Op, range: SalesFiguresRange): CampaignFigures[] {
      const days = parseSalesRange(range);
      const from = days[0]!.start.getTime();
      const to = days[days.length - 1]!.end.getTime();
      const within = (at: Date) => at.getTime() >= from && at.getTime() < to;
      const rows = new Map<string, { signUps: number; firstPurchases: number; revenue: Map<string, number> }>();
      const campaignOf = new Map<string, string>();
      for (const a of sources.attributions.values()) {
        campaignOf.set(a.customerId, a.campaign);
        const row = rows.get(a.campaign) ?? { signUps: 0, firstPurchases: 0, revenue: new Map<string, number>() };
        if (within(a.attributedAt)) row.signUps++;
        rows.set(a.campaign, row);
      }
      const firstPaid = new Map<string, number>();
      for (const o of sources.orders.values()) {
        if (o.total.amount <= 0 || !campaignOf.has(o.customerId)) continue;
        const at = o.createdAt.getTime();
        if (at < (firstPaid.get(o.customerId) ?? Number.POSITIVE_INFINITY)) firstPaid.set(o.customerId, at);
      }
      for (const [customerId, at] of firstPaid) if (at >= from && at < to) rows.get(campaignOf.get(customerId)!)!.firstPurchases++;
      for (const e of sources.ledger.values()) {
        const campaign = campaignOf.get(e.customerId);
        if (campaign === undefined || !REVENUE.has(e.kind) || !within(e.createdAt)) continue;
        const revenue = rows.get(campaign)!.revenue;
        revenue.set(e.currency, (revenue.get(e.currency) ?? 0) - e.amount);
      }
      return [...rows.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([campaign, row]) => ({
          campaign,
          signUps: row.signUps,
          firstPurchases: row.firstPurchases,
          revenue: [...row.revenue.entries()]
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([currency, amount]) => ({ currency, amount })),
        }));
    },
  };
}
