import { Router, type Request, type Response } from 'express';
import { ctxOf } from '../../http/context.js';
import { noticeFrom } from '../../http/notice.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { readLinkNotice, saveLinkNotice, type LinkNotice } from '../../app/subscriptions/link-notice.js';
import type { Shop } from '../../app/shop.js';
import { LOCALES } from '../../i18n/translate.js';
import { adminPage } from '../../views/admin-layout.js';
import { linkNoticeBody, type LinkNoticeValues } from '../../views/admin/link-notice-page.js';
import { adminActor } from './shared.js';

/** The form as posted, every field a string (cut to a length the checks then refuse past). */
function posted(body: Record<string, unknown>): LinkNoticeValues {
  const text = (name: string, max: number) => (typeof body[name] === 'string' ? (body[name] as string).trim().slice(0, max + 1) : '');
  return {
    banner: Object.fromEntries(LOCALES.map((l) => [l, text(`banner_${l}`, 200)])) as LinkNoticeValues['banner'],
    supportUrl: text('supportUrl', 300),
  };
}

/** `/admin/settings/link`: the owner's banner (per language) and support address that client apps show. */
export function linkNoticeRoutes(shop: Shop): Router {
  const router = Router();
  async function render(req: Request, res: Response, status: number, values?: LinkNoticeValues, errors?: FieldErrors) {
    const ctx = ctxOf(res);
    const stored = await readLinkNotice(shop);
    const shown = values ?? { banner: stored.banner, supportUrl: stored.supportUrl ?? '' };
    res
      .status(status)
      .send(
        adminPage(ctx, { title: ctx.t('linkPage.admin.title'), notice: noticeFrom(req), body: linkNoticeBody(ctx, shown, errors) }).value,
      );
  }
  router.get('/admin/settings/link', (req, res) => render(req, res, 200));
  router.post('/admin/settings/link', async (req, res) => {
    const values = posted(req.body as Record<string, unknown>);
    const notice: LinkNotice = { banner: values.banner, supportUrl: values.supportUrl === '' ? null : values.supportUrl };
    const saved = await saveLinkNotice(shop, notice, adminActor(res));
    if (!saved.ok) {
      const t = ctxOf(res).t;
      return render(req, res, 400, values, Object.fromEntries(saved.problems.map((p) => [p.field, t(p.message)])));
    }
    res.redirect(303, '/admin/settings/link?done=linkPage.saved');
  });
  return router;
}
