import { Router } from 'express';
import { seesSalesFigures } from '../../app/auth/staff-roles.js';
import { requireAccount } from '../../http/viewer.js';
import { ctxOf, viewerOf } from '../../http/context.js';
import { parseOrThrow } from '../../app/input/forms.js';
import { ShopError } from '../../app/shop-error.js';
import type { Shop } from '../../app/shop.js';
import { isoDay } from '../../app/stats/figures.js';
import { periodOf } from '../../app/stats/period.js';
import { SalesQuery } from './v1.js';

/**
 * The owner's sales figures as JSON: `GET /api/v1/sales?from=2026-03-01&to=2026-03-31` (days of the shop's time
 * zone, both included; the last 30 days by default). The SDK's read model (`kit.salesFigures`), the same figures
 * the web overview and the Telegram summary show: `{ timeZone, from, to, days: [{ day, revenue, orders,
 * newSubscriptions, inService }], totals }`, money in minor units. Owners only.
 */
export function salesApiRoutes(shop: Shop): Router {
  const router = Router();
  router.get('/api/v1/sales', requireAccount, async (req, res) => {
    if (!seesSalesFigures(viewerOf(res).account.role)) throw new ShopError('forbidden', 'staff.ownersOnly');
    const timeZone = shop.config.timeZone;
    const query = parseOrThrow(SalesQuery, req.query, ctxOf(res).t);
    const chosen = periodOf({ from: query.from, to: query.to }, shop.clock.now(), timeZone);
    if (!chosen.ok) throw new ShopError('invalid_input', `adminStats.errors.${chosen.problem}`);
    const from = isoDay(chosen.period.from);
    const to = isoDay(chosen.period.to);
    const figures = await shop.kit.salesFigures({ from, to, timeZone });
    res.json({ timeZone, from, to, ...figures });
  });
  return router;
}
