import { Router, type Response } from 'express';
import { z } from 'zod';
import { addSupportStaff, demoteSupportStaff, resetStaffSecondFactor } from '../../app/auth/staff.js';
import { requireRecentAuth } from '../../http/staff-security.js';
import { ctxOf } from '../../http/context.js';
import { parseForm, type FieldErrors } from '../../app/input/forms.js';
import { idParam } from '../../app/input/ids.js';
import { noticeFrom } from '../../http/notice.js';
import type { Shop } from '../../app/shop.js';
import { staffPage } from '../../views/admin/staff-page.js';
import { adminActor } from './shared.js';

const addSchema = z.object({
  email: z.email({ message: 'forms.email' }).max(320),
  // Empty: promote the existing account with this email; else: invite a new account with this first password.
  password: z.union([z.literal(''), z.string().min(10, { message: 'forms.passwordTooShort' }).max(200)]).default(''),
});

/** The owner's staff page: support staff invited (new account) or promoted (existing buyer), and demoted back to buyers. */
export function staffRoutes(shop: Shop): Router {
  const router = Router();
  // Who may use the back office is as sensitive as a panel's credentials: a password or code from the last few minutes.
  const recentAuth = requireRecentAuth(shop.clock);

  const render = async (res: Response, status: number, extra: { notice?: string | null; errors?: FieldErrors; email?: string } = {}) => {
    const staff = await shop.accounts.listStaff();
    res.status(status).send(staffPage(ctxOf(res), { staff, timeZone: shop.config.timeZone, ...extra }).value);
  };

  router.get('/admin/staff', async (req, res) => render(res, 200, { notice: noticeFrom(req) }));

  router.post('/admin/staff', recentAuth, async (req, res) => {
    const ctx = ctxOf(res);
    const email = typeof req.body?.email === 'string' ? req.body.email.slice(0, 320) : '';
    const form = parseForm(addSchema, req.body, ctx.t);
    if (!form.ok) return render(res, 400, { errors: form.fields, email });
    const added = await addSupportStaff(shop, { ...form.data, locale: ctx.locale }, adminActor(res));
    if (!added.ok) {
      const { field, message } = added.refusal;
      const status = message === 'staff.errors.passwordForNew' ? 400 : 409;
      return render(res, status, { errors: { [field]: ctx.t(message) }, email });
    }
    res.redirect(303, '/admin/staff?done=staff.added');
  });

  router.post('/admin/staff/:id/demote', recentAuth, async (req, res) => {
    await demoteSupportStaff(shop, idParam(req), adminActor(res));
    res.redirect(303, '/admin/staff?done=staff.removed');
  });

  /**
   * A support member's second factor reset (a lost phone): their sessions end and their next sign-in enrols
   * a new one. Only support staff here; an owner who lost theirs uses a recovery code.
   */
  router.post('/admin/staff/:id/reset-2fa', recentAuth, async (req, res) => {
    await resetStaffSecondFactor(shop, idParam(req), adminActor(res));
    res.redirect(303, '/admin/staff?done=staff.totp_reset');
  });

  return router;
}
