import type { Money } from '../domain/money.js';
import type { SalesFiguresQuery } from '../domain/sales.js';
import { NotFoundError } from '../errors.js';
import type { StorefrontPeriodTotals } from '../ports/storage-storefronts.js';
import type { EngineContext } from './context.js';
import { payoutPositions } from './payouts.js';
import type { PayoutPosition } from './payouts.js';
import { salesDaysOf, salesFigures } from './sales-figures.js';

/** One storefront's figures over a period. Money per currency, ordered by currency; refunds netted out. */
export interface StorefrontFigures extends StorefrontPeriodTotals {
  name: string;
  resellerId: string;
  /** Its buyers now. */
  buyers: number;
  /**
   * Collected for the reseller: the net retail their payout balance was credited with (`wholesale + margin − bonus`;
   * the retail itself unless a discount took it below wholesale). Their `margin` is what they earned of it.
   */
  collected: Money[];
  /** Withdrawals of its reseller paid in the period. */
  payoutsPaid: Money[];
  /**
   * Withdrawals of its reseller waiting now (`requested` or `approved`): what their payout positions hold
   * (`PayoutPosition.held`), from the same read (`payouts.held`).
   */
  payoutsWaiting: Money[];
}

/** The owner's sales figures split by storefront: each storefront's, and the owner's own shop's revenue. */
export interface StorefrontSplitFigures {
  /**
   * Every storefront with a sale or refund in the period, or whose reseller had a withdrawal paid in it or has one
   * waiting now (its sales then zeros), ordered by storefront id.
   */
  storefronts: StorefrontFigures[];
  /** Net revenue of the whole shop in the period (as `kit.salesFigures` counts it). */
  revenue: Money[];
  /** Of it, what the owner's own shop sold: the revenue less every storefront's net retail. */
  ownShopRevenue: Money[];
}

/** A reseller's own figures: their storefront's, and where their payouts stand. */
export interface ResellerFigures extends StorefrontFigures {
  /** Their payout balance and holds now, per currency. */
  payouts: PayoutPosition[];
}

function minus(a: readonly Money[], b: readonly Money[]): Money[] {
  const m = new Map(a.map((x) => [x.currency, x.amount]));
  for (const x of b) m.set(x.currency, (m.get(x.currency) ?? 0) - x.amount);
  return [...m.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([currency, amount]) => ({ currency, amount }));
}

function add(rows: readonly (readonly Money[])[]): Money[] {
  return minus(
    [],
    rows.flat().map((m) => ({ ...m, amount: -m.amount })),
  );
}

/** The totals of a storefront that sold nothing in a period. */
function noSales(storefrontId: string): StorefrontPeriodTotals {
  return { storefrontId, sales: 0, refunds: 0, retail: [], wholesale: [], margin: [], bonus: [] };
}

async function withNames(ctx: EngineContext, rows: StorefrontPeriodTotals[], from: Date, to: Date): Promise<StorefrontFigures[]> {
  const out: StorefrontFigures[] = [];
  for (const row of rows) {
    const storefront = await ctx.storage.storefronts.get(row.storefrontId);
    if (storefront === null) continue;
    const [buyers, paid, waiting] = await Promise.all([
      ctx.storage.storefronts.countBuyers(storefront.id),
      ctx.storage.payouts.paid({ from, to, partnerId: storefront.resellerId }),
      ctx.storage.payouts.held(storefront.resellerId),
    ]);
    out.push({
      ...row,
      collected: minus(add([row.wholesale, row.margin]), row.bonus),
      name: storefront.name,
      resellerId: storefront.resellerId,
      buyers,
      payoutsPaid: paid,
      payoutsWaiting: waiting,
    });
  }
  return out;
}

/**
 * The owner's figures for the days `from`..`to` of `timeZone`, split by storefront: each storefront's sales,
 * refunds, net retail, wholesale, margin and bonus (from the record of each sale's split), what was collected for
 * its reseller, its buyers and its reseller's payouts (paid in the period, waiting now); the shop's net revenue and the owner's own shop's part of it. The query is checked as for
 * `kit.salesFigures` (`ValidationError`). Reads only.
 */
export async function storefrontSplitFigures(ctx: EngineContext, query: SalesFiguresQuery): Promise<StorefrontSplitFigures> {
  const days = salesDaysOf(query);
  const from = days[0]!.start;
  const to = days[days.length - 1]!.end;
  const [rows, sales, all] = await Promise.all([
    ctx.storage.storefronts.figures({ from, to }),
    salesFigures(ctx.storage, query),
    ctx.storage.storefronts.list(),
  ]);
  const sold = new Set(rows.map((row) => row.storefrontId));
  // A storefront that sold nothing in the period is still listed while its reseller's payouts moved or wait.
  const quiet = (
    await withNames(
      ctx,
      all.filter((s) => !sold.has(s.id)).map((s) => noSales(s.id)),
      from,
      to,
    )
  ).filter((f) => f.payoutsPaid.length > 0 || f.payoutsWaiting.length > 0);
  const storefronts = [...(await withNames(ctx, rows, from, to)), ...quiet].sort((a, b) =>
    a.storefrontId < b.storefrontId ? -1 : a.storefrontId > b.storefrontId ? 1 : 0,
  );
  const revenue = sales.totals.revenue;
  return { storefronts, revenue, ownShopRevenue: minus(revenue, add(storefronts.map((s) => s.retail))) };
}

/**
 * One storefront's figures over the days `from`..`to` of `timeZone` (a period without sales answers zeros), with its
 * reseller's payout positions now: what a reseller's back office shows. `NotFoundError` for a missing storefront.
 */
export async function resellerFigures(ctx: EngineContext, storefrontId: string, query: SalesFiguresQuery): Promise<ResellerFigures> {
  const days = salesDaysOf(query);
  const from = days[0]!.start;
  const to = days[days.length - 1]!.end;
  const storefront = await ctx.storage.storefronts.get(storefrontId);
  if (storefront === null) throw new NotFoundError('storefront', storefrontId);
  const rows = await ctx.storage.storefronts.figures({ from, to, storefrontId: storefront.id });
  const [row] = await withNames(ctx, [rows[0] ?? noSales(storefront.id)], from, to);
  return { ...row!, payouts: await payoutPositions(ctx, storefront.resellerId) };
}
