import { Router, type Request, type Response } from 'express';
import { ctxOf, viewerOf } from '../../http/context.js';
import { noticeFrom } from '../../http/notice.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { listLocationCatalog, nameLocation, type LocationNameInput } from '../../app/locations/location-catalog.js';
import { ShopError } from '../../app/shop-error.js';
import type { Shop } from '../../app/shop.js';
import { adminPage } from '../../views/admin-layout.js';
import { locationCatalogBody } from '../../views/admin/locations-page.js';
import { adminActor } from './shared.js';

const text = (body: Record<string, unknown>, key: string, max: number) => {
  const value = body[key];
  return typeof value === 'string' ? value.slice(0, max) : '';
};

/** `/admin/locations`: the owner names each location tag with a country and the name buyers read. */
export function locationRoutes(shop: Shop): Router {
  const router = Router();
  async function render(req: Request, res: Response, status: number, form: LocationNameInput | null, errors?: FieldErrors) {
    const ctx = ctxOf(res);
    const rows = await listLocationCatalog(shop, viewerOf(res).account.role);
    const picked = typeof req.query['location'] === 'string' ? req.query['location'] : null;
    const entry = rows.find((r) => r.location === picked)?.entry ?? null;
    const shown = form ?? { location: picked ?? '', country: entry?.country ?? '', name: entry?.name ?? '' };
    const body = locationCatalogBody(ctx, rows, shown, errors);
    res.status(status).send(adminPage(ctx, { title: ctx.t('locations.admin.title'), notice: noticeFrom(req), body }).value);
  }
  router.get('/admin/locations', (req, res) => render(req, res, 200, null));
  router.post('/admin/locations', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const form = { location: text(body, 'location', 64), country: text(body, 'country', 8), name: text(body, 'name', 200) };
    try {
      await nameLocation(shop, viewerOf(res).account.role, form, adminActor(res));
    } catch (error) {
      if (!(error instanceof ShopError) || error.code !== 'invalid_input') throw error;
      const t = ctxOf(res).t;
      const errors = Object.fromEntries(Object.entries(error.fields).map(([f, key]) => [f, t(key)]));
      return render(req, res, 400, form, errors);
    }
    res.redirect(303, '/admin/locations?done=locations.saved');
  });
  return router;
}
