import { Router, type Request, type Response } from 'express';
import { campaignReport, createCampaign, saveCampaign, type CampaignInput, type CampaignProblem } from '../../app/growth/campaigns.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { asciiDigits } from '../../app/input/digits.js';
import { ShopError } from '../../app/shop-error.js';
import type { Shop } from '../../app/shop.js';
import { dayField, periodOf } from '../../app/stats/period.js';
import { campaignUrls } from '../../config/public-addresses.js';
import { ctxOf } from '../../http/context.js';
import { noticeFrom } from '../../http/notice.js';
import { parseMajorAmount } from '../../i18n/format.js';
import { adminPage } from '../../views/admin-layout.js';
import { campaignsBody, type CampaignFormValues } from '../../views/admin/campaigns-page.js';
import { adminActor } from './shared.js';

/** What the campaigns page needs of the bot: its username, for the campaigns' `t.me` links. */
export interface CampaignBot {
  username(): Promise<string>;
}

/** The form as posted, every field a string cut to a bound the checks then refuse past. */
function posted(body: Record<string, unknown>, slug?: string): CampaignFormValues {
  const text = (name: string, max: number) => (typeof body[name] === 'string' ? (body[name] as string).trim().slice(0, max + 1) : '');
  return { slug: slug ?? text('slug', 40), name: text('name', 100), bonus: text('bonus', 20), welcomeCode: text('welcomeCode', 40) };
}

/** The form as a campaign (a bonus that is no amount stays NaN for the checks to refuse). */
function inputOf(values: CampaignFormValues, currency: string): CampaignInput {
  const bonus = values.bonus === '' ? 0 : (parseMajorAmount(asciiDigits(values.bonus), currency) ?? Number.NaN);
  return { slug: values.slug, name: values.name, bonusAmount: bonus, welcomeCode: values.welcomeCode };
}

const FIELD_OF: Record<CampaignProblem['field'], keyof CampaignFormValues> = {
  slug: 'slug',
  name: 'name',
  bonusAmount: 'bonus',
  welcomeCode: 'welcomeCode',
};

/** `/admin/campaigns`: the owner's campaigns with their links and figures over a period; create one, change its welcome. */
export function campaignAdminRoutes(shop: Shop, bot: CampaignBot | null): Router {
  const router = Router();
  async function render(req: Request, res: Response, status: number, values?: CampaignFormValues, errors?: FieldErrors) {
    const ctx = ctxOf(res);
    const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 20) : undefined);
    const { period } = periodOf({ from: text(req.query['from']), to: text(req.query['to']) }, shop.clock.now(), shop.config.timeZone);
    const iso = (d: { year: number; month: number; day: number }) =>
      `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
    const [report, username] = await Promise.all([
      campaignReport(shop, { from: iso(period.from), to: iso(period.to) }),
      bot === null ? null : bot.username().catch(() => null),
    ]);
    const rows = report.map((row) => ({ ...row, links: campaignUrls(shop.config, username, row.campaign.slug) }));
    const body = campaignsBody(ctx, {
      rows,
      currency: shop.config.currency,
      from: dayField(period.from, ctx.locale),
      to: dayField(period.to, ctx.locale),
      ...(values === undefined ? {} : { values }),
      ...(errors === undefined ? {} : { errors }),
    });
    res.status(status).send(adminPage(ctx, { title: ctx.t('campaigns.admin.title'), notice: noticeFrom(req), body }).value);
  }
  const errorsOf = (res: Response, problems: readonly CampaignProblem[]): FieldErrors =>
    Object.fromEntries(problems.map((p) => [FIELD_OF[p.field], ctxOf(res).t(p.message)]));

  router.get('/admin/campaigns', (req, res) => render(req, res, 200));
  router.post('/admin/campaigns', async (req, res) => {
    const values = posted(req.body as Record<string, unknown>);
    const created = await createCampaign(shop, inputOf(values, shop.config.currency), adminActor(res));
    if (!created.ok) return render(req, res, 400, values, errorsOf(res, created.problems));
    res.redirect(303, '/admin/campaigns?done=campaigns.created');
  });
  router.post('/admin/campaigns/:slug', async (req, res) => {
    const values = posted(req.body as Record<string, unknown>, String(req.params['slug'] ?? ''));
    const saved = await saveCampaign(shop, inputOf(values, shop.config.currency), adminActor(res));
    if (!saved.ok && 'missing' in saved) throw new ShopError('not_found', 'errors.notFound');
    if (!saved.ok) return render(req, res, 400, undefined, errorsOf(res, saved.problems));
    res.redirect(303, '/admin/campaigns?done=campaigns.saved');
  });
  return router;
}
