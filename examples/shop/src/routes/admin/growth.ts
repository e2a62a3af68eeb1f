import { Router, type Request, type Response } from 'express';
import { ctxOf } from '../../http/context.js';
import { noticeFrom } from '../../http/notice.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { readGrowthSettings, saveGrowthSettings, type GrowthSettingsInput } from '../../app/growth/growth-settings.js';
import type { Shop } from '../../app/shop.js';
import { adminPage } from '../../views/admin-layout.js';
import { growthBody, type GrowthValues } from '../../views/admin/growth-page.js';
import { adminActor } from './shared.js';

/** The notice shown once the settings are saved. */
const SAVED = 'growth.admin.saved';

/** The form as posted, every field a string (cut to a length the checks then refuse past). */
function posted(body: Record<string, unknown>): GrowthValues {
  const text = (name: string, max: number) => (typeof body[name] === 'string' ? (body[name] as string).trim().slice(0, max + 1) : '');
  return {
    channel: text('channel', 40),
    channelJoinUrl: text('channelJoinUrl', 120),
    neverConnectedHours: text('neverConnectedHours', 4),
    winBackDays: text('winBackDays', 4),
    winBackPercent: text('winBackPercent', 4),
    winBackValidDays: text('winBackValidDays', 4),
  };
}

/** A whole number as typed (`undefined` when left empty: the default), or NaN for the checks to refuse. */
const whole = (text: string): number | undefined => (text === '' ? undefined : /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN);

/** The values as settings: empty is none; hours that are not a whole number stay NaN for the checks to refuse. */
function settingsOf(values: GrowthValues): GrowthSettingsInput {
  const winBack = {
    winBackDays: whole(values.winBackDays),
    winBackPercent: whole(values.winBackPercent),
    winBackValidDays: whole(values.winBackValidDays),
  };
  return {
    ...Object.fromEntries(Object.entries(winBack).filter(([, v]) => v !== undefined)),
    channel: values.channel === '' ? null : values.channel,
    channelJoinUrl: values.channelJoinUrl === '' ? null : values.channelJoinUrl,
    neverConnectedHours: /^\d{1,4}$/.test(values.neverConnectedHours) ? Number(values.neverConnectedHours) : Number.NaN,
  };
}

/** `/admin/settings/growth`: the channel bot users must join, its join link, and the never-connected nudge's delay. */
export function growthRoutes(shop: Shop): Router {
  const router = Router();
  async function render(req: Request, res: Response, status: number, values?: GrowthValues, errors?: FieldErrors) {
    const ctx = ctxOf(res);
    const stored = await readGrowthSettings(shop);
    const shown = values ?? {
      channel: stored.channel ?? '',
      channelJoinUrl: stored.channelJoinUrl ?? '',
      neverConnectedHours: String(stored.neverConnectedHours),
      winBackDays: String(stored.winBackDays),
      winBackPercent: String(stored.winBackPercent),
      winBackValidDays: String(stored.winBackValidDays),
    };
    const page = adminPage(ctx, { title: ctx.t('growth.admin.title'), notice: noticeFrom(req), body: growthBody(ctx, shown, errors) });
    res.status(status).send(page.value);
  }
  router.get('/admin/settings/growth', (req, res) => render(req, res, 200));
  router.post('/admin/settings/growth', async (req, res) => {
    const values = posted(req.body as Record<string, unknown>);
    const saved = await saveGrowthSettings(shop, settingsOf(values), adminActor(res));
    if (!saved.ok) {
      const t = ctxOf(res).t;
      return render(req, res, 400, values, Object.fromEntries(saved.problems.map((p) => [p.field, t(p.message)])));
    }
    res.redirect(303, `/admin/settings/growth?done=${SAVED}`);
  });
  return router;
}
