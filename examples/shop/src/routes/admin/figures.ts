import { Router } from 'express';
import { ctxOf, viewerOf } from '../../http/context.js';
import type { Shop } from '../../app/shop.js';
import { sendFiguresCsv } from '../figures-request.js';

/**
 * The owner figures' CSV exports: `GET /admin/figures.csv?section=cohorts&fromMonth=2026-01&toMonth=2026-12`
 * (`scope` too: `sf:<id>`, `src:<kind>`), one file per section with the rows of its table on the overview. The
 * owner's alone (the use case checks it too).
 */
export function figuresCsvRoutes(shop: Shop): Router {
  const router = Router();
  router.get('/admin/figures.csv', (req, res) => sendFiguresCsv(shop, viewerOf(res), req.query, res, ctxOf(res).t));
  return router;
}
