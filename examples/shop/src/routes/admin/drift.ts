import type { ReconciliationReport } from '@panelkit/sdk';
import { Router, type Response } from 'express';
import { ctxOf } from '../../http/context.js';
import type { Shop } from '../../app/shop.js';
import { adminPage } from '../../views/admin-layout.js';
import { driftBody, dryRunBody } from '../../views/admin/drift-views.js';

export function driftRoutes(shop: Shop): Router {
  const router = Router();

  async function render(res: Response, report: ReconciliationReport, repaired: boolean): Promise<void> {
    const ctx = ctxOf(res);
    const names = new Map((await shop.storage.panels.list()).map((p) => [p.id, p.name]));
    res.send(
      adminPage(ctx, { title: ctx.t('adminOps.drift.title'), body: driftBody(ctx, shop.config.timeZone, report, names, repaired) }).value,
    );
  }

  /** Read-only: compares each panel with storage and writes nothing. */
  router.get('/admin/drift', async (_req, res) => render(res, await shop.kit.reconcile(), false));

  /**
   * Queues the repairs (recreate missing clients, push drifted ones, remove this shop's orphans).
   * Jobs are deduplicated by key, so a second click queues nothing new.
   */
  router.post('/admin/drift/repair', async (_req, res) => render(res, await shop.kit.reconcile({ repair: true }), true));

  router.get('/admin/dry-run', async (_req, res) => {
    const ctx = ctxOf(res);
    const items = await shop.kit.dryRun();
    res.send(
      adminPage(ctx, { title: ctx.t('adminOps.dryRun.title'), body: dryRunBody(ctx, shop.config.timeZone, items, shop.clock.now()) }).value,
    );
  });

  return router;
}
