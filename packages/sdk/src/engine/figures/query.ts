import { type FigureScope, MAX_FIGURE_QUERY_MONTHS } from '../../domain/owner-figures.js';
import { ValidationError } from '../../errors.js';
import { figureMonthsBetween, isFigureMonth } from '../../rules/figures/calendar.js';
import { ACQUISITION_SOURCE_KINDS } from '../../rules/figures/source.js';

const SCOPE_ID = /^sf:[A-Za-z0-9_-]{1,100}$/;

/** Whether `scope` is `*`, `sf:<storefrontId>` or `src:<source kind>`. */
export function isFigureScope(scope: unknown): scope is FigureScope {
  if (scope === '*') return true;
  if (typeof scope !== 'string') return false;
  if (SCOPE_ID.test(scope)) return true;
  return scope.startsWith('src:') && (ACQUISITION_SOURCE_KINDS as readonly string[]).includes(scope.slice(4));
}

/**
 * Checks a figures query's scope and months: `ValidationError` naming each bad field (a scope that is not `*`,
 * `sf:<id>` or `src:<kind>`; a month that is not `yyyymm`; `to` before `from`; more than
 * {@link MAX_FIGURE_QUERY_MONTHS} months).
 */
export function checkFiguresQuery(query: { scope: unknown; from: unknown; to: unknown }): void {
  const issues: { path: string; message: string }[] = [];
  if (!isFigureScope(query?.scope)) issues.push({ path: 'scope', message: 'must be *, sf:<storefrontId> or src:<source kind>' });
  const from = query?.from;
  const to = query?.to;
  const fromOk = typeof from === 'number' && isFigureMonth(from);
  const toOk = typeof to === 'number' && isFigureMonth(to);
  if (!fromOk) issues.push({ path: 'from', message: 'must be a month yyyymm' });
  if (!toOk) issues.push({ path: 'to', message: 'must be a month yyyymm' });
  if (fromOk && toOk) {
    const span = figureMonthsBetween(from, to);
    if (span < 0) issues.push({ path: 'to', message: 'is before from' });
    else if (span + 1 > MAX_FIGURE_QUERY_MONTHS)
      issues.push({ path: 'to', message: `more than ${MAX_FIGURE_QUERY_MONTHS} months after from` });
  }
  if (issues.length > 0)
    throw new ValidationError(`invalid figures query: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
}

/** The months `from`..`to`, ascending. */
export function monthsOf(from: number, to: number): number[] {
  const months: number[] = [];
  for (let m = from; m <= to; m = m % 100 === 12 ? (Math.floor(m / 100) + 1) * 100 + 1 : m + 1) months.push(m);
  return months;
}
