import { MAX_SALES_DAYS, SalesFiguresQuerySchema, totalsOf } from '../domain/sales.js';
import type { SalesDayBounds, SalesFigures, SalesFiguresQuery } from '../domain/sales.js';
import { parseInput } from '../domain/validate.js';
import { ValidationError } from '../errors.js';
import type { StorageRepositories } from '../ports/storage.js';
import { isCalendarDay, isTimeZone, zonedDays } from '../rules/zoned-days.js';

/**
 * The owner's sales figures for the days `from`..`to` (both included) on the wall clock of `timeZone`:
 * one `SalesDay` a day and the totals, counted by the storage (`sales.figures`) under the one definition
 * of revenue (`REVENUE_LEDGER_KINDS`). A day that is not a real date, an unknown time zone, `to` before
 * `from` or more than `MAX_SALES_DAYS` days: `ValidationError`. Reads only.
 */
export async function salesFigures(repos: StorageRepositories, query: SalesFiguresQuery): Promise<SalesFigures> {
  const days = await repos.sales.figures({ days: salesDaysOf(query) });
  return { days, totals: totalsOf(days) };
}

/** The days of a sales figures query as instants, or the `ValidationError` that says what is wrong with it. */
export function salesDaysOf(query: SalesFiguresQuery): SalesDayBounds[] {
  const q = parseInput(SalesFiguresQuerySchema, query, 'sales figures query');
  const bad = (path: string, message: string) =>
    new ValidationError(`invalid sales figures query: ${path}: ${message}`, [{ path, message }]);
  if (!isCalendarDay(q.from)) throw bad('from', 'not a calendar day');
  if (!isCalendarDay(q.to)) throw bad('to', 'not a calendar day');
  if (!isTimeZone(q.timeZone)) throw bad('timeZone', 'not a known IANA time zone');
  if (q.to < q.from) throw bad('to', 'is before from');
  const count = (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 + 1;
  if (count > MAX_SALES_DAYS) throw bad('to', `more than ${MAX_SALES_DAYS} days`);
  return zonedDays(q.from, q.to, q.timeZone);
}
