import type { Money } from '../../domain/money.js';
import { totalsOf, type SalesDay, type SalesDayBounds, type SalesFigures, type SalesFiguresQuery } from '../../domain/sales.js';
import type { FigureCell } from '../../rules/figures/cells.js';
import { FIGURE_BUCKET_MS } from '../../rules/figures/cells.js';
import { figureDaysOfSpans } from '../../rules/figures/daily-days.js';
import type { EngineContext } from '../context.js';
import { salesDaysOf, salesFigures } from '../sales-figures.js';
import { foldBatch, metaMatches } from './fold.js';
import type { ResolvedFigures } from './settings.js';

/**
 * The most fold batches a sales figures read runs first to see its own writes; an inbox holding more than these take
 * (a rush, a rebuild's pages) sends the read to `sales.figures` instead, so the wait stays bounded.
 */
export const SALES_READ_FOLD_BATCHES = 4;

/** A day as whole 15-minute buckets `[first, end)`, or `null` when its bounds are not on bucket edges (or before 1970). */
function bucketsOf(day: SalesDayBounds): { first: number; end: number } | null {
  const start = day.start.getTime();
  const end = day.end.getTime();
  if (start < 0 || start % FIGURE_BUCKET_MS !== 0 || end % FIGURE_BUCKET_MS !== 0) return null;
  return { first: start / FIGURE_BUCKET_MS, end: end / FIGURE_BUCKET_MS };
}

/**
 * Folds what the inbox holds now, at most {@link SALES_READ_FOLD_BATCHES} batches, and says whether the rollups are
 * whole for a read: the meta is this kit's, no rebuild runs, and every row pending at the start was taken.
 */
async function foldForRead(ctx: EngineContext, settings: ResolvedFigures): Promise<boolean> {
  const meta = await ctx.storage.figures.meta();
  if (!metaMatches(meta, settings.calendar) || meta.rebuildCursor !== null) return false;
  const pending = await ctx.storage.figures.pending();
  if (pending > SALES_READ_FOLD_BATCHES * settings.foldBatchSize) return false;
  for (let batch = 0; batch < Math.ceil(pending / settings.foldBatchSize); batch++) {
    const folded = await foldBatch(ctx, settings);
    if (folded === null) return false;
    if (folded === 0) break;
  }
  return true;
}

/**
 * The days' sums from the `days` rollup (`keys` from `figureDaysOfSpans`, one a span), as `bucketSums` gives them:
 * cells of each day's first bucket. One row a day, metric and currency, where `bucketSums` adds a day's 96 buckets.
 */
async function daySums(ctx: EngineContext, keys: readonly number[], spans: readonly { first: number }[]): Promise<FigureCell[]> {
  const firstOf = new Map(keys.map((key, i) => [key, spans[i]!.first]));
  const cells = await ctx.storage.figures.cells({ table: 'days', fromDay: keys[0]!, toDay: keys[keys.length - 1]! });
  return cells.flatMap((c): FigureCell[] => {
    const bucket = c.table === 'days' ? firstOf.get(c.day) : undefined;
    return c.table !== 'days' || bucket === undefined
      ? []
      : [{ table: 'buckets', bucket, currency: c.currency, metric: c.metric, value: c.value }];
  });
}

/** The days' figures from each day's bucket sums (cells of the day's first bucket) and the sums of every bucket before them. */
function daysFromSums(
  days: readonly SalesDayBounds[],
  spans: readonly { first: number; end: number }[],
  sums: readonly FigureCell[],
  before: readonly FigureCell[],
): SalesDay[] {
  const dayOf = new Map(spans.map((s, i) => [s.first, i]));
  const zeros = () => new Array<number>(days.length).fill(0);
  const revenue = new Map<string, number[]>();
  const seen = new Set<string>();
  const orders = zeros();
  const created = zeros();
  const change = zeros();
  let live = 0;
  for (const c of before) if (c.table === 'buckets' && c.metric === 'in_service_delta') live += c.value;
  for (const c of sums) {
    const i = c.table === 'buckets' ? dayOf.get(c.bucket) : undefined;
    if (c.table !== 'buckets' || i === undefined) continue;
    if (c.metric === 'net_sales') {
      const values = revenue.get(c.currency) ?? zeros();
      values[i]! += c.value;
      revenue.set(c.currency, values);
    } else if (c.metric === 'sales_entries') seen.add(c.currency);
    else if (c.metric === 'paid_orders') orders[i]! += c.value;
    else if (c.metric === 'new_subscriptions') created[i]! += c.value;
    else change[i]! += c.value;
  }
  const currencies = [...seen].sort();
  const inService = change.map((d) => (live += d));
  return days.map((d, i) => ({
    day: d.day,
    revenue: currencies.map((currency): Money => ({ currency, amount: revenue.get(currency)?.[i] ?? 0 })),
    orders: orders[i]!,
    newSubscriptions: created[i]!,
    inService: inService[i]!,
  }));
}

/**
 * `kit.salesFigures` when the kit keeps the figures: the same days, numbers and order as `sales.figures`, read from
 * the rollups (design §3.2, §3.6). Asked in the figures' own zone, it reads each day's row of the `days` rollup (the
 * sums of its buckets, kept by the fold); in another zone, or where a day's buckets do not all start in that day there
 * (`figureDaysOfSpans`), it sums each day's 15-minute buckets in one aggregate (`figures.bucketSums`). Plus one sum of
 * the buckets before them (the in-service count's start, `figures.bucketTotals`), so no history is scanned. It first
 * folds what is pending (at most {@link SALES_READ_FOLD_BATCHES} batches), so a caller reads its own writes. It answers
 * from `sales.figures` instead, never from partial rollups, when the inbox holds more than those batches take, when a
 * rebuild runs or the stored figures are not this kit's (before or during the rebuild), or when a day is not whole
 * buckets (a zone's historical offset that 15 minutes does not divide). A fold another process has in flight is not
 * waited for: its rows show on the next read. The query is checked as `salesFigures` checks it (`ValidationError`).
 */
export async function salesFiguresFromBuckets(
  ctx: EngineContext,
  settings: ResolvedFigures,
  query: SalesFiguresQuery,
): Promise<SalesFigures> {
  const days = salesDaysOf(query);
  const spans = days.map(bucketsOf);
  if (spans.some((s) => s === null) || !(await foldForRead(ctx, settings))) return salesFigures(ctx.storage, query);
  const whole = spans as { first: number; end: number }[];
  const first = whole[0]!.first;
  const keys = query.timeZone === settings.calendar.timeZone ? figureDaysOfSpans(days, whole, query.timeZone) : null;
  const [sums, before] = await Promise.all([
    keys === null ? ctx.storage.figures.bucketSums(whole) : daySums(ctx, keys, whole),
    ctx.storage.figures.bucketTotals(first),
  ]);
  // A rebuild that began while the cells were read may have cleared them: answer from the rows instead.
  const meta = await ctx.storage.figures.meta();
  if (!metaMatches(meta, settings.calendar) || meta.rebuildCursor !== null) return salesFigures(ctx.storage, query);
  const out = daysFromSums(days, whole, sums, before);
  return { days: out, totals: totalsOf(out) };
}
