import { Router, type Response } from 'express';
import { ctxOf } from '../../http/context.js';
import { idParam } from '../../app/input/ids.js';
import { parseForm, type FieldErrors } from '../../app/input/forms.js';
import { noticeFrom } from '../../http/notice.js';
import { importRun, listImportRuns, StartImportSchema, startOldBotImport } from '../../app/import/import-runs.js';
import type { Shop } from '../../app/shop.js';
import { adminPage } from '../../views/admin-layout.js';
import { html } from '../../views/html.js';
import { anyUnderWay, importBody, importRunBody, type ImportFormValues } from '../../views/admin/import-page.js';
import { adminActor } from './shared.js';

/** Seconds between refreshes of a page that shows an import under way. */
const REFRESH_SECONDS = 5;
const refresh = html`<meta http-equiv="refresh" content="${REFRESH_SECONDS}">`;

/**
 * The owner's import of an old bot's database: the form and the latest runs (GET), the action that queues one on
 * the worker (POST), and one run's progress and report.
 */
export function importRoutes(shop: Shop): Router {
  const router = Router();

  async function render(res: Response, status: number, form: { values: ImportFormValues; errors?: FieldErrors }, notice: string | null) {
    const ctx = ctxOf(res);
    const runs = await listImportRuns(shop);
    res.status(status).send(
      adminPage(ctx, {
        title: ctx.t('import.title'),
        notice,
        ...(anyUnderWay(runs) ? { head: refresh } : {}),
        body: importBody(ctx, shop.config.timeZone, runs, form),
      }).value,
    );
  }

  router.get('/admin/import', async (req, res) => {
    await render(res, 200, { values: { kind: 'mirza', amountFactor: '1', dryRun: false } }, noticeFrom(req));
  });

  router.post('/admin/import', async (req, res) => {
    const ctx = ctxOf(res);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values: ImportFormValues = {
      kind: typeof body['kind'] === 'string' ? body['kind'].slice(0, 20) : 'mirza',
      amountFactor: typeof body['amountFactor'] === 'string' ? body['amountFactor'].slice(0, 20) : '1',
      dryRun: body['dryRun'] === 'on',
    };
    const form = parseForm(StartImportSchema, body, ctx.t);
    if (!form.ok) return render(res, 400, { values, errors: form.fields }, null);
    const id = await startOldBotImport(shop, adminActor(res), form.data);
    res.redirect(303, `/admin/import/${id}?done=import.started`);
  });

  router.get('/admin/import/:id', async (req, res) => {
    const ctx = ctxOf(res);
    const run = await importRun(shop, idParam(req));
    res.send(
      adminPage(ctx, {
        title: ctx.t('import.runTitle', { id: run.id }),
        notice: noticeFrom(req),
        ...(anyUnderWay([run]) ? { head: refresh } : {}),
        body: importRunBody(ctx, shop.config.timeZone, run),
      }).value,
    );
  });

  return router;
}
