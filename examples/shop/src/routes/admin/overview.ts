import type { JobState } from '@panelkit/sdk';
import { Router } from 'express';
import { ctxOf } from '../../http/context.js';
import { noticeFrom } from '../../http/notice.js';
import type { Shop } from '../../stack/shop.js';
import { adminPage } from '../../views/admin-layout.js';
import { overviewBody } from '../../views/admin/overview-page.js';

/** Jobs are counted up to this many per state (the storage lists, it does not count). */
const JOB_COUNT_CAP = 1000;

export function overviewRoutes(shop: Shop): Router {
  const router = Router();
  const jobs = async (state: JobState) => {
    const page = await shop.storage.jobs.list({ state }, { limit: JOB_COUNT_CAP });
    return { count: page.items.length, more: page.nextCursor !== null };
  };

  router.get('/admin', async (req, res) => {
    const ctx = ctxOf(res);
    const [byStatus, panels, jobsQueued, jobsDead, receipts] = await Promise.all([
      shop.storage.subscriptions.countByStatus(),
      shop.storage.panels.list(),
      jobs('queued'),
      jobs('dead'),
      shop.db.query<{ count: number }>(`SELECT count(*)::int AS count FROM ${shop.shopSchema}.payments WHERE status = 'pending'`),
    ]);
    const pendingReceipts = receipts.rows[0]?.count ?? 0;
    res.send(adminPage(ctx, { title: ctx.t('adminOps.overview.title'), notice: noticeFrom(req), body: overviewBody(ctx, shop.config.timeZone, { byStatus, panels, jobsQueued, jobsDead, pendingReceipts }) }).value);
  });
  return router;
}
