import { MAX_SALES_DAYS } from '../../domain/sales.js';
import type { SalesFiguresRange } from '../../domain/sales.js';
import { ValidationError } from '../../errors.js';

/**
 * Checks a `sales.figures` range the same way in every storage: 1 to `MAX_SALES_DAYS` days, each a
 * valid `[start, end)` with `start < end`, consecutive and oldest first. Returns the days with copied dates.
 */
export function parseSalesRange(range: SalesFiguresRange): SalesFiguresRange['days'] {
  const days = Array.isArray(range?.days) ? range.days : null;
  const bad = (message: string) => new ValidationError(`invalid sales range: ${message}`, [{ path: 'days', message }]);
  if (days === null || days.length === 0) throw bad('at least one day is needed');
  if (days.length > MAX_SALES_DAYS) throw bad(`at most ${MAX_SALES_DAYS} days`);
  const out = days.map((d) => ({ day: String(d?.day), start: new Date(d?.start), end: new Date(d?.end) }));
  out.forEach((d, i) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d.day)) throw bad(`day ${i} is not written YYYY-MM-DD`);
    if (Number.isNaN(d.start.getTime()) || Number.isNaN(d.end.getTime()) || d.start >= d.end)
      throw bad(`day ${d.day} does not start before it ends`);
    const previous = out[i - 1];
    if (previous !== undefined && previous.end.getTime() !== d.start.getTime()) throw bad(`day ${d.day} does not follow the day before`);
  });
  return out;
}
