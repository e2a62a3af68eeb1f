import { MAX_PAGE_LIMIT } from '../domain/common.js';
import type { StoragePort } from '../ports/storage.js';
import { MAX_FIGURE_BUYERS_PER_CALL } from '../ports/storage-figures.js';
import { buyerContribution, sumContributions } from '../rules/figures/buyer.js';
import type { FiguresCalendar } from '../rules/figures/calendar.js';
import type { FigureCell } from '../rules/figures/cells.js';

/**
 * The owner figures recomputed from scratch, the brute-force answer tests compare the folded rollups with: every
 * customer (paged through `customers.list`), each page's rows read by `figures.sources` (so the rows are exactly what
 * the fold reads, but none of the fold's state, inbox or rollups is used), each customer's `buyerContribution` under
 * `calendar`, summed by `sumContributions`. Returns the non-zero cells by `figureCellKey`; compare them with the
 * rollups' `cells` of every table. Reads outside a transaction: call it when no write is running. Throws what
 * `buyerContribution` throws for a bad calendar (`ValidationError`).
 */
export async function figuresFromRows(storage: StoragePort, calendar: FiguresCalendar): Promise<Map<string, FigureCell>> {
  const limit = Math.min(MAX_PAGE_LIMIT, MAX_FIGURE_BUYERS_PER_CALL);
  const contributions = [];
  let cursor: string | null = null;
  do {
    const page = await storage.customers.list({ limit, cursor });
    const ids = page.items.map((c) => c.id);
    if (ids.length > 0) for (const rows of await storage.figures.sources(ids)) contributions.push(buyerContribution(rows, calendar));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return sumContributions(contributions);
}
