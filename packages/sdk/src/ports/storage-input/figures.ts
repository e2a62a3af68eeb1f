import { MAX_COHORT_AGE } from '../../rules/figures/buyer.js';
import { FIGURE_CALENDARS, isFigureMonth } from '../../rules/figures/calendar.js';
import { FIGURE_MONTH_METRICS, type FigureBucketMetric, type FigureCashFlow, type FigureCell } from '../../rules/figures/cells.js';
import { isCalendarDay, isTimeZone } from '../../rules/zoned-days.js';
import {
  type FigureBucketSpan,
  type FigureCellQuery,
  type FigureMeta,
  type FoldedBuyer,
  MAX_FIGURE_BUCKET_SPANS,
  MAX_FIGURE_BUYERS_PER_CALL,
} from '../storage-figures.js';
import { byCodePoint, inputArray, inputInteger, inputRecord, inputString, invalidInput } from './checks.js';

const CELL = 'figure cell';
const QUERY = 'figure cell query';
const CURRENCY = /^[A-Z]{3}$/;
const FLOWS: readonly FigureCashFlow[] = ['credited', 'reversed', 'refunded'];
const BUCKET_METRICS: readonly FigureBucketMetric[] = [
  'net_sales',
  'sales_entries',
  'paid_orders',
  'new_subscriptions',
  'in_service_delta',
];
/** Buckets are 15-minute numbers since the epoch: 0 up to year 9999's. */
const MAX_BUCKET = 253_402_300_799_999 / 900_000;

function month(value: unknown, what: string, path: string): number {
  if (typeof value !== 'number' || !isFigureMonth(value)) invalidInput(what, path, 'must be yyyymm, mm 01–12');
  return value;
}

function bucket(value: unknown, what: string, path: string): number {
  return inputInteger(value, what, path, { min: 0, max: Math.floor(MAX_BUCKET) });
}

/** A day as the `days` rollup keys it: `yyyymmdd`, a real Gregorian date from the zones' day of bucket 0 to 9999. */
function day(value: unknown, what: string, path: string): number {
  const d = inputInteger(value, what, path, { min: 19_691_231, max: 99_991_231 });
  const text = `${Math.floor(d / 10_000)}-${String(Math.floor(d / 100) % 100).padStart(2, '0')}-${String(d % 100).padStart(2, '0')}`;
  if (!isCalendarDay(text)) invalidInput(what, path, 'must be yyyymmdd, a real date');
  return d;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string, path: string): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) invalidInput(what, path, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

/** `*`, `sf:<storefrontId>` or `src:<kind>`. */
function scope(value: unknown, what: string, path: string): string {
  const s = inputString(value, what, path, { min: 1, max: 200 });
  if (s !== '*' && !/^(sf|src):./.test(s)) invalidInput(what, path, 'must be *, sf:<storefront id> or src:<kind>');
  return s;
}

function id(value: unknown, what: string, path: string): string {
  return inputString(value, what, path, { min: 1, max: 200 });
}

/** `''` for a count, else a 3-letter currency. */
function currency(value: unknown, what: string, path: string): string {
  const c = inputString(value, what, path);
  if (c !== '' && !CURRENCY.test(c)) invalidInput(what, path, "must be '' or a 3-letter currency");
  return c;
}

/** One rollup cell checked field by field; returns a copy holding only the cell's fields. */
function parseCell(value: unknown, path: string): FigureCell {
  const c = inputRecord(value, CELL);
  const at = (field: string) => `${path}.${field}`;
  const v = inputInteger(c['value'], CELL, at('value'), { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
  switch (c['table']) {
    case 'cohorts':
      return {
        table: 'cohorts',
        scope: scope(c['scope'], CELL, at('scope')),
        cohort: month(c['cohort'], CELL, at('cohort')),
        age: inputInteger(c['age'], CELL, at('age'), { min: 0, max: MAX_COHORT_AGE }),
        value: v,
      };
    case 'cohort_revenue':
      return {
        table: 'cohort_revenue',
        scope: scope(c['scope'], CELL, at('scope')),
        cohort: month(c['cohort'], CELL, at('cohort')),
        month: month(c['month'], CELL, at('month')),
        currency: currency(c['currency'], CELL, at('currency')),
        value: v,
      };
    case 'months':
      return {
        table: 'months',
        scope: scope(c['scope'], CELL, at('scope')),
        month: month(c['month'], CELL, at('month')),
        metric: oneOf(c['metric'], FIGURE_MONTH_METRICS, CELL, at('metric')),
        key: inputString(c['key'], CELL, at('key'), { max: 200 }),
        currency: currency(c['currency'], CELL, at('currency')),
        value: v,
      };
    case 'lapses':
      return {
        table: 'lapses',
        scope: scope(c['scope'], CELL, at('scope')),
        month: month(c['month'], CELL, at('month')),
        planId: id(c['planId'], CELL, at('planId')),
        panelId: id(c['panelId'], CELL, at('panelId')),
        value: v,
      };
    case 'cash':
      return {
        table: 'cash',
        month: month(c['month'], CELL, at('month')),
        providerId: id(c['providerId'], CELL, at('providerId')),
        currency: currency(c['currency'], CELL, at('currency')),
        flow: oneOf(c['flow'], FLOWS, CELL, at('flow')),
        value: v,
      };
    case 'buckets':
      return {
        table: 'buckets',
        bucket: bucket(c['bucket'], CELL, at('bucket')),
        currency: currency(c['currency'], CELL, at('currency')),
        metric: oneOf(c['metric'], BUCKET_METRICS, CELL, at('metric')),
        value: v,
      };
    case 'days':
      return {
        table: 'days',
        day: day(c['day'], CELL, at('day')),
        currency: currency(c['currency'], CELL, at('currency')),
        metric: oneOf(c['metric'], BUCKET_METRICS, CELL, at('metric')),
        value: v,
      };
    default:
      return invalidInput(CELL, at('table'), 'must be cohorts, cohort_revenue, months, lapses, cash, buckets or days');
  }
}

/** `figures.apply`'s cells checked the same way in every storage; copies holding only each cell's fields. */
export function parseFigureCells(value: unknown): FigureCell[] {
  return inputArray(value, 'figure cells', '(root)').map((cell, i) => parseCell(cell, `${i}`));
}

/**
 * Customer ids of a `figures` call (`mark`, `lockBuyers`, `sources`): at most {@link MAX_FIGURE_BUYERS_PER_CALL}
 * non-empty strings; returned distinct, in id order (code points, the lock order).
 */
export function parseFigureCustomerIds(value: unknown): string[] {
  const items = inputArray(value, 'customer ids', '(root)');
  if (items.length > MAX_FIGURE_BUYERS_PER_CALL)
    invalidInput('customer ids', '(root)', `must hold at most ${MAX_FIGURE_BUYERS_PER_CALL} items`);
  return [...new Set(items.map((item, i) => id(item, 'customer ids', `${i}`)))].sort(byCodePoint);
}

/** A `take`/`markAll` limit: an integer from 1 to {@link MAX_FIGURE_BUYERS_PER_CALL}. */
export function parseFigureLimit(value: unknown): number {
  return inputInteger(value, 'figures limit', '(root)', { min: 1, max: MAX_FIGURE_BUYERS_PER_CALL });
}

/** `bucketTotals`' bucket: a bucket number (`figureBucketOf`). */
export function parseFigureBucket(value: unknown): number {
  return bucket(value, 'figure bucket', '(root)');
}

/** `bucketSums`' spans: whole buckets, `first < end`, ascending and not overlapping, at most {@link MAX_FIGURE_BUCKET_SPANS}. */
export function parseFigureBucketSpans(value: unknown): FigureBucketSpan[] {
  const what = 'figure bucket spans';
  const list = inputArray(value, what, '(root)');
  if (list.length > MAX_FIGURE_BUCKET_SPANS) invalidInput(what, '(root)', `at most ${MAX_FIGURE_BUCKET_SPANS} spans`);
  let previousEnd = 0;
  return list.map((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) invalidInput(what, `${i}`, 'must be an object');
    const r = item as Record<string, unknown>;
    const first = bucket(r['first'], what, `${i}.first`);
    const end = bucket(r['end'], what, `${i}.end`);
    if (end <= first) invalidInput(what, `${i}.end`, 'must be after first');
    if (first < previousEnd) invalidInput(what, `${i}.first`, "must be at or after the previous span's end");
    previousEnd = end;
    return { first, end };
  });
}

/** `markAll`'s cursor: any string (`''` from the start). */
export function parseFigureCursor(value: unknown): string {
  return inputString(value, 'figures cursor', '(root)');
}

/** `putBuyers`' rows, checked with their cells; one row a customer (a repeated id is a `ValidationError`), in id order. */
export function parseFoldedBuyers(value: unknown): FoldedBuyer[] {
  const what = 'folded buyers';
  const items = inputArray(value, what, '(root)');
  if (items.length > MAX_FIGURE_BUYERS_PER_CALL) invalidInput(what, '(root)', `must hold at most ${MAX_FIGURE_BUYERS_PER_CALL} items`);
  const seen = new Set<string>();
  const buyers = items.map((item, i) => {
    const b = inputRecord(item, what);
    const customerId = id(b['customerId'], what, `${i}.customerId`);
    if (seen.has(customerId)) invalidInput(what, `${i}.customerId`, `${customerId} is given twice`);
    seen.add(customerId);
    const definitionsVersion = inputInteger(b['definitionsVersion'], what, `${i}.definitionsVersion`, { min: 0, max: 2_147_483_647 });
    const cells = inputArray(b['cells'], what, `${i}.cells`).map((cell, j) => parseCell(cell, `${i}.cells.${j}`));
    return { customerId, definitionsVersion, cells };
  });
  return buyers.sort((a, b) => byCodePoint(a.customerId, b.customerId));
}

/** A `cells` query checked the same way in every storage (ranges inclusive; `from` after `to` is allowed and finds nothing). */
export function parseFigureCellQuery(value: unknown): FigureCellQuery {
  const q = inputRecord(value, QUERY);
  switch (q['table']) {
    case 'cohorts':
    case 'cohort_revenue':
      return {
        table: q['table'],
        scope: scope(q['scope'], QUERY, 'scope'),
        fromCohort: month(q['fromCohort'], QUERY, 'fromCohort'),
        toCohort: month(q['toCohort'], QUERY, 'toCohort'),
      };
    case 'months': {
      const metrics =
        q['metrics'] === undefined
          ? undefined
          : inputArray(q['metrics'], QUERY, 'metrics').map((m, i) => oneOf(m, FIGURE_MONTH_METRICS, QUERY, `metrics.${i}`));
      return {
        table: 'months',
        scope: scope(q['scope'], QUERY, 'scope'),
        fromMonth: month(q['fromMonth'], QUERY, 'fromMonth'),
        toMonth: month(q['toMonth'], QUERY, 'toMonth'),
        ...(metrics === undefined ? {} : { metrics }),
      };
    }
    case 'lapses':
      return {
        table: 'lapses',
        scope: scope(q['scope'], QUERY, 'scope'),
        fromMonth: month(q['fromMonth'], QUERY, 'fromMonth'),
        toMonth: month(q['toMonth'], QUERY, 'toMonth'),
      };
    case 'cash':
      return { table: 'cash', fromMonth: month(q['fromMonth'], QUERY, 'fromMonth'), toMonth: month(q['toMonth'], QUERY, 'toMonth') };
    case 'buckets':
      return {
        table: 'buckets',
        fromBucket: bucket(q['fromBucket'], QUERY, 'fromBucket'),
        toBucket: bucket(q['toBucket'], QUERY, 'toBucket'),
      };
    case 'days':
      return { table: 'days', fromDay: day(q['fromDay'], QUERY, 'fromDay'), toDay: day(q['toDay'], QUERY, 'toDay') };
    default:
      return invalidInput(QUERY, 'table', 'must be cohorts, cohort_revenue, months, lapses, cash, buckets or days');
  }
}

/** `setMeta`'s row checked the same way in every storage; a copy. */
export function parseFigureMeta(value: unknown): FigureMeta {
  const what = 'figure meta';
  const m = inputRecord(value, what);
  const timeZone = inputString(m['timeZone'], what, 'timeZone', { min: 1, max: 100 });
  if (!isTimeZone(timeZone)) invalidInput(what, 'timeZone', 'must be an IANA time zone');
  const foldedAt = m['foldedAt'];
  if (foldedAt !== null && (!(foldedAt instanceof Date) || Number.isNaN(foldedAt.getTime())))
    invalidInput(what, 'foldedAt', 'must be a valid Date or null');
  const cursor = m['rebuildCursor'];
  if (cursor !== null && typeof cursor !== 'string') invalidInput(what, 'rebuildCursor', 'must be a string or null');
  return {
    timeZone,
    calendar: oneOf(m['calendar'], FIGURE_CALENDARS, what, 'calendar'),
    definitionsVersion: inputInteger(m['definitionsVersion'], what, 'definitionsVersion', { min: 0, max: 2_147_483_647 }),
    foldedAt: foldedAt === null ? null : new Date(foldedAt.getTime()),
    rebuildCursor: cursor,
  };
}

/** Whether a rollup cell lies in a checked query's table and range (and scope and metrics, where it has them). */
export function figureCellMatches(cell: FigureCell, q: FigureCellQuery): boolean {
  switch (q.table) {
    case 'cohorts':
    case 'cohort_revenue':
      return cell.table === q.table && cell.scope === q.scope && cell.cohort >= q.fromCohort && cell.cohort <= q.toCohort;
    case 'months':
      return (
        cell.table === 'months' &&
        cell.scope === q.scope &&
        cell.month >= q.fromMonth &&
        cell.month <= q.toMonth &&
        (q.metrics === undefined || q.metrics.includes(cell.metric))
      );
    case 'lapses':
      return cell.table === 'lapses' && cell.scope === q.scope && cell.month >= q.fromMonth && cell.month <= q.toMonth;
    case 'cash':
      return cell.table === 'cash' && cell.month >= q.fromMonth && cell.month <= q.toMonth;
    case 'buckets':
      return cell.table === 'buckets' && cell.bucket >= q.fromBucket && cell.bucket <= q.toBucket;
    case 'days':
      return cell.table === 'days' && cell.day >= q.fromDay && cell.day <= q.toDay;
  }
}
