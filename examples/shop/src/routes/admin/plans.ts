import type { Plan } from '@panelkit/sdk';
import { Router, type Request, type Response } from 'express';
import { ctxOf } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { ShopError } from '../../app/shop-error.js';
import { noticeFrom } from '../../http/notice.js';
import { echoPlanValues, NEW_PLAN_VALUES, planFormValues, planInputFrom, type PlanFormValues } from '../../app/plans/plan-form.js';
import { echoPlanTextValues, planTextsFrom, planTextValues } from '../../app/plans/plan-text-form.js';
import { planTextsOf } from '../../db/plan-texts.js';
import { routingPresetOf } from '../../db/plan-routing.js';
import { echoRoutingValue, planRoutingFrom } from '../../app/plans/plan-routing-form.js';
import { savePlan } from '../../app/plans/save-plan.js';
import { planRefusalFields } from '../../app/plans/plan-refusal.js';
import type { PlanTextValues } from '../../app/plans/plan-text-form.js';
import type { Shop } from '../../app/shop.js';
import { adminPage } from '../../views/admin-layout.js';
import { planFormBody, plansListBody } from '../../views/admin/plan-views.js';
import { planListedPrice, type ListedPrice } from '../../i18n/plan-text.js';
import { adminActor } from './shared.js';
import { idParam } from '../../app/input/ids.js';

export function planRoutes(shop: Shop): Router {
  const router = Router();
  const { storage } = shop;

  async function renderForm(
    res: Response,
    status: number,
    planId: string | null,
    values: PlanFormValues,
    texts: PlanTextValues,
    routing: string,
    errors?: FieldErrors,
    preview?: ListedPrice,
  ): Promise<void> {
    const ctx = ctxOf(res);
    const [targets, panels] = await Promise.all([storage.targets.list(), storage.panels.list()]);
    const title = planId === null ? ctx.t('adminOps.plans.add') : ctx.t('adminOps.plans.editTitle');
    const plan = planId === null ? null : await storage.plans.get(planId);
    const olderTerms = plan === null ? 0 : await shop.kit.subscribersOnOlderTerms(plan.id);
    const listed = preview ?? (plan === null ? null : planListedPrice(plan));
    const form = { planId, values, texts, routing, errors, currency: shop.config.currency, targets, panels, olderTerms };
    res
      .status(status)
      .send(adminPage(ctx, { title, body: planFormBody(ctx, { ...form, listed, previewed: preview !== undefined }) }).value);
  }

  async function planOr404(req: Request): Promise<Plan> {
    const plan = await storage.plans.get(idParam(req));
    if (plan === null) throw new ShopError('not_found', 'errors.notFound');
    return plan;
  }

  async function submit(req: Request, res: Response, existing: Plan | null): Promise<void> {
    const { t } = ctxOf(res);
    const known = new Set((await storage.targets.list()).map((x) => x.id));
    // A plan keeps its currency; a new one is sold in the shop's.
    const currency = existing?.price.currency ?? shop.config.currency;
    const result = planInputFrom(req.body, t, currency, known, existing);
    const texts = planTextsFrom(req.body, t);
    const routing = planRoutingFrom(req.body, t);
    const echoed = () => [echoPlanValues(req.body), echoPlanTextValues(req.body), echoRoutingValue(req.body)] as const;
    if (!result.ok || !texts.ok || !routing.ok) {
      const fields = { ...(result.ok ? {} : result.fields), ...(texts.ok ? {} : texts.fields), ...(routing.ok ? {} : routing.fields) };
      return renderForm(res, 400, existing?.id ?? null, ...echoed(), fields);
    }
    // The price buyers would see, as typed, saving nothing.
    if (req.body?.intent === 'preview') return renderForm(res, 200, existing?.id ?? null, ...echoed(), {}, result.listed);
    try {
      await savePlan(shop, existing, result.input, texts.texts, adminActor(res), routing.preset);
    } catch (error) {
      // The SDK's refusal (e.g. a bundle of kinds with seats) on its field; the plan is not saved.
      const refused = planRefusalFields(error, t);
      if (refused === null) throw error;
      return renderForm(res, 400, existing?.id ?? null, ...echoed(), refused);
    }
    res.redirect(303, `/admin/plans?done=${existing === null ? 'adminOps.plan_created' : 'adminOps.plan_saved'}`);
  }

  router.get('/admin/plans', async (req, res) => {
    const ctx = ctxOf(res);
    const plans = await storage.plans.list();
    res.send(adminPage(ctx, { title: ctx.t('adminOps.plans.title'), notice: noticeFrom(req), body: plansListBody(ctx, plans) }).value);
  });
  router.get('/admin/plans/new', (_req, res) => renderForm(res, 200, null, NEW_PLAN_VALUES, planTextValues({}), ''));
  router.post('/admin/plans', (req, res) => submit(req, res, null));
  router.get('/admin/plans/:id/edit', async (req, res) => {
    const plan = await planOr404(req);
    const [texts, routing] = await Promise.all([planTextsOf(shop, plan.id), routingPresetOf(shop, plan.id)]);
    await renderForm(res, 200, plan.id, planFormValues(plan), planTextValues(texts), routing ?? '');
  });
  router.post('/admin/plans/:id/edit', async (req, res) => submit(req, res, await planOr404(req)));
  /** Moves the plan's subscribers from the terms they bought to its current ones: the engine audits each move. */
  router.post('/admin/plans/:id/apply-terms', async (req, res) => {
    const plan = await planOr404(req);
    const { moved } = await shop.kit.applyCurrentTerms({ planId: plan.id, actor: adminActor(res) });
    shop.logger.info({ planId: plan.id, moved: moved.length }, 'subscribers moved to current terms');
    res.redirect(303, '/admin/plans?done=adminOps.terms_applied');
  });
  return router;
}
