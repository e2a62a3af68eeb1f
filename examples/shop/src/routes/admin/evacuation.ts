import { Router } from 'express';
import { ctxOf } from '../../http/context.js';
import { idParam } from '../../app/input/ids.js';
import { noticeFrom } from '../../http/notice.js';
import { evacuationView, startEvacuation } from '../../app/ops/evacuation.js';
import type { Shop } from '../../app/shop.js';
import { adminPage } from '../../views/admin-layout.js';
import { evacuationBody } from '../../views/admin/evacuation-page.js';
import { adminActor } from './shared.js';

/** A panel's evacuation: the dry run and progress (GET), and the action that starts it (POST). */
export function evacuationRoutes(shop: Shop): Router {
  const router = Router();

  router.get('/admin/panels/:id/evacuate', async (req, res) => {
    const ctx = ctxOf(res);
    const view = await evacuationView(shop, idParam(req));
    res.send(
      adminPage(ctx, {
        title: ctx.t('evacuation.title', { panel: view.panel.name }),
        notice: noticeFrom(req),
        body: evacuationBody(ctx, view),
      }).value,
    );
  });

  router.post('/admin/panels/:id/evacuate', async (req, res) => {
    const panelId = idParam(req);
    await startEvacuation(shop, panelId, adminActor(res));
    res.redirect(303, `/admin/panels/${panelId}/evacuate?done=evacuation.started`);
  });

  return router;
}
