import { Router, type Request, type Response } from 'express';
import { ctxOf } from '../../http/context.js';
import { noticeFrom } from '../../http/notice.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { readLinkNotice, saveLinkNotice, type LinkNotice } from '../../app/subscriptions/link-notice.js';
import type { Shop } from '../../app/shop.js';
import { LOCALES } from '../../i18n/translate.js';
import { adminPage } from '../../views/admin-layout.js';
import { html } from '../../views/html.js';
import { linkNoticeBody, type LinkNoticeValues } from '../../views/admin/link-notice-page.js';
import { appManagementForm, type AppManagementValues } from '../../views/admin/app-management-form.js';
import { APP_MANAGEMENT_SWITCHES, type AppManagement } from '@panelkit/subscription-feed';
import { readAppManagement, saveAppManagement } from '../../app/subscriptions/app-management.js';
import { adminActor } from './shared.js';

/** The form as posted, every field a string (cut to a length the checks then refuse past). */
function posted(body: Record<string, unknown>): LinkNoticeValues {
  const text = (name: string, max: number) => (typeof body[name] === 'string' ? (body[name] as string).trim().slice(0, max + 1) : '');
  return {
    banner: Object.fromEntries(LOCALES.map((l) => [l, text(`banner_${l}`, 200)])) as LinkNoticeValues['banner'],
    supportUrl: text('supportUrl', 300),
  };
}

/** The management form as posted: the provider id as typed, each switch on when its box was ticked. */
function postedManagement(body: Record<string, unknown>): AppManagementValues {
  const id = typeof body['happProviderId'] === 'string' ? body['happProviderId'].trim().slice(0, 65) : '';
  const switches = Object.fromEntries(APP_MANAGEMENT_SWITCHES.map((name) => [name, body[name] === 'on']));
  return { happProviderId: id, ...switches } as AppManagementValues;
}

/** What the page shows in either form: the values typed, or the ones stored. */
interface Shown {
  notice?: LinkNoticeValues;
  noticeErrors?: FieldErrors;
  management?: AppManagementValues;
  managementErrors?: FieldErrors;
}

/**
 * `/admin/settings/link`: the owner's banner (per language) and support address that client apps show, and
 * (`/admin/settings/link/apps`) what the link tells the apps that document management headers.
 */
export function linkNoticeRoutes(shop: Shop): Router {
  const router = Router();
  async function render(req: Request, res: Response, status: number, shown: Shown = {}) {
    const ctx = ctxOf(res);
    const [stored, management] = await Promise.all([readLinkNotice(shop), readAppManagement(shop)]);
    const notice = shown.notice ?? { banner: stored.banner, supportUrl: stored.supportUrl ?? '' };
    const choices = shown.management ?? { ...management, happProviderId: management.happProviderId ?? '' };
    const body = html`${linkNoticeBody(ctx, notice, shown.noticeErrors)}${appManagementForm(ctx, choices, shown.managementErrors)}`;
    res.status(status).send(adminPage(ctx, { title: ctx.t('linkPage.admin.title'), notice: noticeFrom(req), body }).value);
  }
  router.get('/admin/settings/link', (req, res) => render(req, res, 200));
  router.post('/admin/settings/link/apps', async (req, res) => {
    const values = postedManagement(req.body as Record<string, unknown>);
    const choices: AppManagement = { ...values, happProviderId: values.happProviderId === '' ? null : values.happProviderId };
    const saved = await saveAppManagement(shop, choices, adminActor(res));
    if (!saved.ok) {
      const t = ctxOf(res).t;
      const errors = Object.fromEntries(saved.problems.map((p) => [p.field, t(p.message)]));
      return render(req, res, 400, { management: values, managementErrors: errors });
    }
    res.redirect(303, '/admin/settings/link?done=linkPage.management_saved');
  });
  router.post('/admin/settings/link', async (req, res) => {
    const values = posted(req.body as Record<string, unknown>);
    const notice: LinkNotice = { banner: values.banner, supportUrl: values.supportUrl === '' ? null : values.supportUrl };
    const saved = await saveLinkNotice(shop, notice, adminActor(res));
    if (!saved.ok) {
      const t = ctxOf(res).t;
      return render(req, res, 400, {
        notice: values,
        noticeErrors: Object.fromEntries(saved.problems.map((p) => [p.field, t(p.message)])),
      });
    }
    res.redirect(303, '/admin/settings/link?done=linkPage.saved');
  });
  return router;
}
