import type { Response } from 'express';
import type { MonthRangeProblem } from '../app/stats/figure-months.js';
import { figuresCalendarOf, monthField, monthRangeOf } from '../app/stats/figure-months.js';
import { figureTable, isFigureSection } from '../app/stats/figure-sections.js';
import { readOwnerFigures, type OwnerFiguresRead } from '../app/stats/owner-figures.js';
import { ShopError } from '../app/shop-error.js';
import type { Shop } from '../app/shop.js';
import type { Viewer } from '../app/viewer.js';
import type { Translate } from '../i18n/translate.js';
import { figureTableCsv } from '../views/figures-csv.js';

const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 40) : '');

/** The owner figures a page asks for with `fromMonth`, `toMonth` (and `scope`): what it read, or why the months were refused. */
export interface FiguresPageRead {
  read: OwnerFiguresRead;
  problem: MonthRangeProblem | null;
  typed: { from: string; to: string };
}

/**
 * Reads the owner figures for a web page's query: the months typed (the default months, with the reason, when they
 * cannot be read) and the scope (`scope`, for the owner), through the use case's role checks.
 */
export async function figuresForPage(shop: Shop, viewer: Viewer, query: Record<string, unknown>): Promise<FiguresPageRead> {
  const typed = { from: text(query['fromMonth']), to: text(query['toMonth']) };
  const chosen = monthRangeOf(typed, shop.clock.now(), figuresCalendarOf(shop.config));
  const read = await readOwnerFigures(shop, viewer, { scope: text(query['scope']) || undefined, range: chosen.range });
  return { read, problem: chosen.ok ? null : chosen.problem, typed };
}

/**
 * Answers `GET …/figures.csv?section=…&fromMonth=…&toMonth=…`: one section's rows (the page's table) as a CSV
 * download. A section the reader does not see, months that cannot be read, or figures being rebuilt are refused.
 */
export async function sendFiguresCsv(shop: Shop, viewer: Viewer, query: Record<string, unknown>, res: Response, t: Translate) {
  const section = query['section'];
  if (!isFigureSection(section)) throw new ShopError('not_found', 'errors.notFound');
  const { read, problem } = await figuresForPage(shop, viewer, query);
  if (problem !== null) throw new ShopError('invalid_input', `figures.errors.${problem}`);
  // While the SDK rebuilds them the figures are partial: no export rather than a wrong one.
  if (read.overview.rebuilding) throw new ShopError('unavailable', 'figures.rebuilding');
  const table = figureTable(read, section);
  if (table === null) throw new ShopError('not_found', 'errors.notFound');
  const cal = read.calendar.calendar;
  const months = `${monthField(read.range.from, cal)}_${monthField(read.range.to, cal)}`.replaceAll('/', '-');
  res
    .status(200)
    .type('text/csv; charset=utf-8')
    .set('content-disposition', `attachment; filename="figures-${section}-${months}.csv"`)
    .set('cache-control', 'no-store')
    // The byte-order mark lets spreadsheets read the Farsi, Russian and Chinese headings as UTF-8.
    .send(`\uFEFF${figureTableCsv(table, t, read.calendar)}`);
}
