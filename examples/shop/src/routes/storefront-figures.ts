import { Router } from 'express';
import { ctxOf, viewerOf } from '../http/context.js';
import { requireAccount } from '../http/viewer.js';
import type { Shop } from '../app/shop.js';
import { page } from '../views/layout.js';
import { html } from '../views/html.js';
import { ownerFiguresSection } from '../views/admin/owner-figures.js';
import { figuresForPage, sendFiguresCsv } from './figures-request.js';

/**
 * A reseller's owner figures (`/account/storefront/figures`): the owner's overview sections for its own storefront's
 * buyers only (scope `sf:<its storefront>`, set by the use case from the signed-in customer), with the same CSV
 * exports (`/account/storefront/figures.csv?section=…`). A customer who runs no storefront is refused.
 */
export function storefrontFiguresRoutes(shop: Shop): Router {
  const router = Router();
  router.get('/account/storefront/figures', requireAccount, async (req, res) => {
    const ctx = ctxOf(res);
    const { read, problem, typed } = await figuresForPage(shop, viewerOf(res), req.query);
    const body = ownerFiguresSection(ctx, {
      read,
      problem,
      typed,
      action: '/account/storefront/figures',
      csvPath: '/account/storefront/figures.csv',
      keep: {},
      timeZone: shop.config.timeZone,
    });
    const title =
      read.reader.kind === 'reseller' ? ctx.t('figures.titleStorefront', { name: read.reader.storefrontName }) : ctx.t('figures.title');
    res.status(problem === null ? 200 : 400).send(
      page(ctx, {
        title,
        wide: true,
        body: html`<p><a href="/account/storefront">${ctx.t('figures.backToOffice')}</a></p>${body}`,
      }).value,
    );
  });
  router.get('/account/storefront/figures.csv', requireAccount, (req, res) =>
    sendFiguresCsv(shop, viewerOf(res), req.query, res, ctxOf(res).t),
  );
  return router;
}
