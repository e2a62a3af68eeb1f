import type { GuardStep } from '@panelkit/sdk/guard';
import { type Request, type Response, Router } from 'express';
import { liftGuardCase, listGuardCases, OPEN_GUARD_STEPS, readGuardPolicy, saveGuardPolicy } from '../../app/guard/guard-admin.js';
import { type GuardPolicyForm, guardFormFrom, guardFormOf } from '../../app/guard/guard-form.js';
import { guardPanelSignals } from '../../app/guard/panel-signals.js';
import { ShopError } from '../../app/shop-error.js';
import type { Shop } from '../../app/shop.js';
import { listTrialRefusals } from '../../app/trials/trial-refusals.js';
import { ctxOf, viewerOf } from '../../http/context.js';
import { noticeFrom } from '../../http/notice.js';
import { adminPage } from '../../views/admin-layout.js';
import { guardPageBody } from '../../views/admin/guard-page.js';
import { guardPolicyForm } from '../../views/admin/guard-policy-form.js';
import { adminActor, cursorOf } from './shared.js';

/** How many refused trials the page shows beside the cases (the rest are on `/admin/trials`). */
const TRIALS_SHOWN = 50;

const stepOf = (req: Request): GuardStep | null => OPEN_GUARD_STEPS.find((s) => s === req.query['step']) ?? null;

/**
 * `/admin/guard`: the sharing guard's open cases by step with a lift button (staff), the owner's policy form, what
 * each panel lets the guard read, and trial abuse across accounts (the owner's). `?step=&cursor=` pages one step.
 */
export function guardRoutes(shop: Shop): Router {
  const router = Router();

  async function render(
    req: Request,
    res: Response,
    status: number,
    typed?: { form: GuardPolicyForm; version: number; errors: Record<string, string> },
  ) {
    const ctx = ctxOf(res);
    const role = viewerOf(res).account.role;
    const only = stepOf(req);
    const cursor = only === null ? null : cursorOf(req);
    const steps = only === null ? OPEN_GUARD_STEPS : [only];
    const cases = await Promise.all(
      steps.map(async (step) => ({ step, page: await listGuardCases(shop, role, step, cursor), firstPage: cursor === null })),
    );
    const policy = await readGuardPolicy(shop, role);
    const owner = role === 'admin';
    const plans = owner ? (await shop.storage.plans.list()).map((p) => ({ id: p.id, name: p.name })) : [];
    const policyForm = owner
      ? guardPolicyForm(ctx, typed?.form ?? guardFormOf(policy.policy), typed?.version ?? policy.version, plans, typed?.errors)
      : null;
    const trials = owner ? (await listTrialRefusals(shop, role, { limit: TRIALS_SHOWN, cursor: null })).items : null;
    const body = guardPageBody(ctx, {
      timeZone: shop.config.timeZone,
      cases,
      policyForm,
      signals: await guardPanelSignals(shop),
      trialRefusals: trials,
    });
    res.status(status).send(adminPage(ctx, { title: ctx.t('guard.admin.title'), notice: noticeFrom(req), body }).value);
  }

  router.get('/admin/guard', (req, res) => render(req, res, 200));

  router.post('/admin/guard/policy', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const form = guardFormFrom(body);
    const version = Number(typeof body['version'] === 'string' ? body['version'] : Number.NaN);
    if (!Number.isSafeInteger(version) || version < 0) throw new ShopError('invalid_input', 'forms.invalid');
    try {
      await saveGuardPolicy(shop, viewerOf(res).account.role, adminActor(res), form, version);
    } catch (error) {
      if (!(error instanceof ShopError) || error.code !== 'invalid_input') throw error;
      return render(req, res, 400, { form, version, errors: { ...error.fields, _form: error.messageKey } });
    }
    res.redirect(303, '/admin/guard?done=guard.policy_saved');
  });

  router.post('/admin/guard/cases/:id/lift', async (req, res) => {
    const note = (req.body as Record<string, unknown> | undefined)?.['note'];
    await liftGuardCase(
      shop,
      viewerOf(res).account.role,
      adminActor(res),
      String(req.params['id'] ?? ''),
      typeof note === 'string' ? note : '',
    );
    res.redirect(303, '/admin/guard?done=guard.lifted');
  });

  return router;
}
