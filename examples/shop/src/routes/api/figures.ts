import type { ChurnFigures, OwnerFiguresOverview } from '@panelkit/sdk/figures';
import { Router } from 'express';
import { z } from 'zod';
import { parseOrThrow } from '../../app/input/forms.js';
import { ShopError } from '../../app/shop-error.js';
import type { Shop } from '../../app/shop.js';
import { figuresCalendarOf, monthRangeOf } from '../../app/stats/figure-months.js';
import { readChurn, readOwnerFigures } from '../../app/stats/owner-figures.js';
import { ctxOf, viewerOf } from '../../http/context.js';
import { requireAccount } from '../../http/viewer.js';

/**
 * `GET /api/v1/figures/overview`' query: months of the figures' calendar (`2026-03`, or `1404/12` in a Jalali shop;
 * the last twelve by default) and a scope (`*`, `sf:<storefrontId>`, `src:<kind>`; a reseller's own by default).
 */
export const FiguresQuery = z.strictObject({
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  scope: z.string().max(140).optional(),
});

/** `GET /api/v1/figures/churn`' query: the overview's, and what to split lapsed units by. */
export const ChurnQuery = FiguresQuery.extend({
  dimension: z.enum(['plan', 'location', 'storefront', 'source'], { message: 'forms.invalid' }),
});

const iso = (at: Date | null) => at?.toISOString() ?? null;

/** The overview as JSON: months as `yyyymm` numbers of the figures' calendar, money in minor units. */
function overviewJson(overview: OwnerFiguresOverview) {
  return { ...overview, foldedAt: iso(overview.foldedAt) };
}

/** Churn as JSON. */
function churnJson(churn: ChurnFigures) {
  return { ...churn, foldedAt: iso(churn.foldedAt) };
}

/**
 * The owner figures on the JSON API (a Bearer token or the session): `GET /api/v1/figures/overview` (cohorts,
 * revenue per cohort, monthly counters, LTV by source, cash by gateway) and `GET /api/v1/figures/churn?dimension=`,
 * from the SDK's rollups, "as of" `foldedAt`. The owner reads any scope; a reseller its own storefront's (scope
 * `sf:<its id>`; churn by plan or location); anyone else gets 403, as the use case decides.
 */
export function figuresApiRoutes(shop: Shop): Router {
  const router = Router();
  const cal = figuresCalendarOf(shop.config);
  const rangeOf = (query: { from?: string | undefined; to?: string | undefined }) => {
    const chosen = monthRangeOf(query, shop.clock.now(), cal);
    if (!chosen.ok) throw new ShopError('invalid_input', `figures.errors.${chosen.problem}`);
    return chosen.range;
  };

  router.get('/api/v1/figures/overview', requireAccount, async (req, res) => {
    const query = parseOrThrow(FiguresQuery, req.query, ctxOf(res).t);
    const read = await readOwnerFigures(shop, viewerOf(res), { scope: query.scope, range: rangeOf(query) });
    res.json({ timeZone: cal.timeZone, calendar: cal.calendar, ...overviewJson(read.overview) });
  });

  router.get('/api/v1/figures/churn', requireAccount, async (req, res) => {
    const query = parseOrThrow(ChurnQuery, req.query, ctxOf(res).t);
    const churn = await readChurn(shop, viewerOf(res), { scope: query.scope, dimension: query.dimension, range: rangeOf(query) });
    res.json({ timeZone: cal.timeZone, calendar: cal.calendar, ...churnJson(churn) });
  });
  return router;
}
