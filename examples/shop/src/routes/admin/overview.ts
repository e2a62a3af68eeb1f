import type { JobState } from '@panelkit/sdk';
import type { Viewer } from '../../app/viewer.js';
import { Router } from 'express';
import { seesSalesFigures } from '../../app/auth/staff-roles.js';
import { ctxOf } from '../../http/context.js';
import { noticeFrom } from '../../http/notice.js';
import type { Shop } from '../../app/shop.js';
import { salesFigures } from '../../app/stats/figures.js';
import { periodOf } from '../../app/stats/period.js';
import { adminPage } from '../../views/admin-layout.js';
import { overviewBody } from '../../views/admin/overview-page.js';
import type { SalesView } from '../../views/admin/sales-figures.js';
import { paymentsOf } from '../../app/payments/records.js';
import type { OwnerFiguresView } from '../../views/admin/owner-figures.js';
import { figuresForPage } from '../figures-request.js';

/** Jobs are counted up to this many per state (the storage lists, it does not count). */
const JOB_COUNT_CAP = 1000;

const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 40) : '');

export function overviewRoutes(shop: Shop): Router {
  const router = Router();
  const jobs = async (state: JobState) => {
    const page = await shop.storage.jobs.list({ state }, { limit: JOB_COUNT_CAP });
    return { count: page.items.length, more: page.nextCursor !== null };
  };

  /** The owner's sales section: the period from the query (`from`, `to`: days in the shop's zone), or the last 30 days. */
  const sales = async (query: Record<string, unknown>): Promise<SalesView> => {
    const now = shop.clock.now();
    const typed = { from: text(query['from']), to: text(query['to']) };
    const chosen = periodOf(typed, now, shop.config.timeZone);
    const figures = await salesFigures(shop.kit, chosen.period, shop.config.timeZone);
    return { period: chosen.period, problem: chosen.ok ? null : chosen.problem, typed, figures, timeZone: shop.config.timeZone, now };
  };

  /** The owner figures under the sales section: the months from the query (`fromMonth`, `toMonth`), or the last twelve. */
  const figures = async (query: Record<string, unknown>, viewer: Viewer): Promise<OwnerFiguresView> => {
    const keep = Object.fromEntries((['from', 'to'] as const).map((k) => [k, text(query[k])]).filter(([, v]) => v !== ''));
    const read = await figuresForPage(shop, viewer, query);
    return { ...read, action: '/admin', csvPath: '/admin/figures.csv', keep, timeZone: shop.config.timeZone };
  };

  router.get('/admin', async (req, res) => {
    const ctx = ctxOf(res);
    const owner = ctx.viewer !== null && seesSalesFigures(ctx.viewer.account.role);
    const [byStatus, panels, jobsQueued, jobsDead, receipts, salesView, figuresView] = await Promise.all([
      shop.storage.subscriptions.countByStatus(),
      shop.storage.panels.list(),
      jobs('queued'),
      jobs('dead'),
      paymentsOf(shop).countPending(1000),
      owner ? sales(req.query) : Promise.resolve(null),
      owner && ctx.viewer !== null ? figures(req.query, ctx.viewer) : Promise.resolve(null),
    ]);
    const pendingReceipts = receipts;
    const body = overviewBody(ctx, shop.config.timeZone, {
      byStatus,
      panels,
      jobsQueued,
      jobsDead,
      pendingReceipts,
      sales: salesView,
      figures: figuresView,
    });
    res
      .status(salesView?.problem || figuresView?.problem ? 400 : 200)
      .send(adminPage(ctx, { title: ctx.t('adminOps.overview.title'), notice: noticeFrom(req), body }).value);
  });
  return router;
}
