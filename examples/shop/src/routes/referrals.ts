import { Router, type Response } from 'express';
import { z } from 'zod';
import { requireAccount } from '../http/viewer.js';
import { ctxOf, viewerOf } from '../http/context.js';
import { checkbox } from '../app/input/form-fields.js';
import { parseForm, type FieldErrors } from '../app/input/forms.js';
import { noticeFrom } from '../http/notice.js';
import { parseMajorAmount } from '../i18n/format.js';
import { asciiDigits } from '../app/input/digits.js';
import type { Shop } from '../app/shop.js';
import { referralUrl } from '../config/public-addresses.js';
import { referralPage, referralSettingsPage, type ReferralSettingsValues } from '../views/referral-pages.js';
import { adminActor } from './admin/shared.js';

/** What the referral page needs of the bot: a buyer's referral link in Telegram. */
export interface ReferralLinks {
  referralLink(customerId: string): Promise<string>;
}

/** The sign-up link a buyer shares: `/signup?ref=<customer id>` on the shown public address. */
export function referralLink(shop: Shop, customerId: string): string {
  return referralUrl(shop.config, customerId);
}

const SettingsSchema = z.object({
  enabled: checkbox,
  type: z.enum(['fixed', 'share'], { message: 'forms.invalid' }),
  amount: z.string().trim().max(40).optional(),
  percent: z.string().trim().max(3).optional(),
  cap: z.string().trim().max(40).optional(),
  refundWindowDays: z.string().trim().max(8).optional(),
});

/** The longest refund window the engine accepts (`ReferralProgramSchema`). */
const MAX_REFUND_WINDOW_DAYS = 3650;

/** Whole days typed in either digit set, `null` when not a whole number in 0…3650; empty keeps the default (30). */
function refundWindowDays(raw: string | undefined): number | null {
  const digits = asciiDigits(raw ?? '');
  if (digits === '') return 30;
  if (!/^\d{1,4}$/.test(digits)) return null;
  const days = Number(digits);
  return days <= MAX_REFUND_WINDOW_DAYS ? days : null;
}

/** The buyer's referral page: the link, the reward, how many signed up and what it earned. */
export function referralRoutes(shop: Shop, telegram: ReferralLinks | null = null): Router {
  const router = Router();
  router.get('/referrals', requireAccount, async (_req, res) => {
    const viewer = viewerOf(res);
    const [program, stats] = await Promise.all([shop.kit.referralProgram(), shop.kit.referralStats(viewer.customer.id)]);
    const telegramLink = telegram === null ? null : await telegram.referralLink(viewer.customer.id).catch(() => null);
    res.send(referralPage(ctxOf(res), { program, stats, link: referralLink(shop, viewer.customer.id), telegramLink }).value);
  });

  router.get('/api/v1/referrals', requireAccount, async (_req, res) => {
    const customerId = viewerOf(res).customer.id;
    const [program, stats] = await Promise.all([shop.kit.referralProgram(), shop.kit.referralStats(customerId)]);
    res.json({ program: program?.enabled === true ? program : null, stats, link: referralLink(shop, customerId) });
  });
  return router;
}

/** The owner's referral settings (mounted under the back office's guard, see `adminRoutes`). */
export function referralSettingsRoutes(shop: Shop): Router {
  const router = Router();
  const currency = shop.config.currency;

  const renderSettings = async (
    res: Response,
    status: number,
    extra: { notice?: string | null; errors?: FieldErrors; values?: ReferralSettingsValues } = {},
  ) => {
    const program = await shop.kit.referralProgram();
    res.status(status).send(referralSettingsPage(ctxOf(res), { program, currency, ...extra }).value);
  };

  router.get('/admin/referrals', async (req, res) => renderSettings(res, 200, { notice: noticeFrom(req) }));

  router.post('/admin/referrals', async (req, res) => {
    const ctx = ctxOf(res);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).slice(0, 40) : '');
    const values: ReferralSettingsValues = {
      enabled: body['enabled'] !== undefined,
      type: body['type'] === 'share' ? 'share' : 'fixed',
      amount: text('amount'),
      percent: text('percent'),
      cap: text('cap'),
      refundWindowDays: text('refundWindowDays'),
    };
    const form = parseForm(SettingsSchema, body, ctx.t);
    if (!form.ok) return renderSettings(res, 400, { errors: form.fields, values });
    const windowDays = refundWindowDays(form.data.refundWindowDays);
    if (windowDays === null)
      return renderSettings(res, 400, { errors: { refundWindowDays: ctx.t('referrals.admin.refundWindowInvalid') }, values });
    const money = (raw: string | undefined) => (raw === undefined || raw === '' ? null : parseMajorAmount(asciiDigits(raw), currency));
    let reward;
    if (form.data.type === 'fixed') {
      const amount = money(form.data.amount);
      if (amount === null || amount <= 0) return renderSettings(res, 400, { errors: { amount: ctx.t('forms.amount') }, values });
      reward = { type: 'fixed' as const, amount: { amount, currency } };
    } else {
      const percent = /^\d{1,3}$/.test(asciiDigits(form.data.percent ?? '')) ? Number(asciiDigits(form.data.percent ?? '')) : NaN;
      if (!(percent >= 1 && percent <= 100))
        return renderSettings(res, 400, { errors: { percent: ctx.t('discounts.admin.valueHint') }, values });
      const cap = form.data.cap === undefined || form.data.cap === '' ? null : money(form.data.cap);
      if (form.data.cap !== undefined && form.data.cap !== '' && (cap === null || cap <= 0))
        return renderSettings(res, 400, { errors: { cap: ctx.t('forms.amount') }, values });
      reward = { type: 'share' as const, percent, maxAmount: cap === null ? null : { amount: cap, currency } };
    }
    await shop.kit.setReferralProgram({ enabled: form.data.enabled, reward, refundWindowDays: windowDays }, adminActor(res));
    res.redirect(303, '/admin/referrals?done=referrals.saved');
  });
  return router;
}
