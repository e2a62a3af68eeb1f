import { Router, type Request, type Response } from 'express';
import { ctxOf } from '../../http/context.js';
import { noticeFrom } from '../../http/notice.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { asciiDigits } from '../../app/input/digits.js';
import { readGiftSettings, saveGiftSettings } from '../../app/gifts/gift-settings.js';
import type { Shop } from '../../app/shop.js';
import { adminPage } from '../../views/admin-layout.js';
import { giftSettingsBody } from '../../views/admin/gift-settings-page.js';
import { adminActor } from './shared.js';

/** `/admin/settings/gifts`: how many days a gift waits for its recipient before it goes back to the giver's wallet. */
export function giftSettingsRoutes(shop: Shop): Router {
  const router = Router();
  async function render(req: Request, res: Response, status: number, value?: string, errors?: FieldErrors) {
    const ctx = ctxOf(res);
    const shown = value ?? String((await readGiftSettings(shop)).validDays);
    const page = adminPage(ctx, { title: ctx.t('gifts.admin.title'), notice: noticeFrom(req), body: giftSettingsBody(ctx, shown, errors) });
    res.status(status).send(page.value);
  }
  router.get('/admin/settings/gifts', (req, res) => render(req, res, 200));
  router.post('/admin/settings/gifts', async (req, res) => {
    const raw = (req.body as Record<string, unknown>)['validDays'];
    const typed = typeof raw === 'string' ? raw.trim().slice(0, 5) : '';
    const digits = asciiDigits(typed);
    const days = /^\d{1,3}$/.test(digits) ? Number(digits) : Number.NaN;
    if (!(await saveGiftSettings(shop, { validDays: days }, adminActor(res))))
      return render(req, res, 400, typed, { validDays: ctxOf(res).t('gifts.admin.daysInvalid') });
    res.redirect(303, '/admin/settings/gifts?done=gifts.saved');
  });
  return router;
}
