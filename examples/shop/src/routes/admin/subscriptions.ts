import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { actorNames } from '../../db/actor-names.js';
import { ctxOf } from '../../http/context.js';
import { optionalText } from '../../app/input/form-fields.js';
import {
  actOnSubscription,
  REASON_MAX,
  SUBSCRIPTION_OPERATIONS,
  type SubscriptionOperation,
} from '../../app/subscriptions/admin-actions.js';
import { parseForm } from '../../app/input/forms.js';
import { ShopError } from '../../app/shop-error.js';
import { noticeFrom } from '../../http/notice.js';
import { actionsFor, jobsOf, namesOf } from '../../app/ops/subscription-facts.js';
import { retryDeadJob } from '../../app/ops/retry-job.js';
import type { Shop } from '../../app/shop.js';
import { adminPage } from '../../views/admin-layout.js';
import { subscriptionBody } from '../../views/admin/subscription-page.js';
import { adminActor, backTo } from './shared.js';
import { idParam } from '../../app/input/ids.js';

const ActionFormSchema = z.object({ reason: optionalText(REASON_MAX), back: z.string().max(300).optional() });

export function subscriptionRoutes(shop: Shop): Router {
  const router = Router();
  const { storage } = shop;

  router.get('/admin/subscriptions/:id', async (req, res) => {
    const ctx = ctxOf(res);
    const sub = await storage.subscriptions.get(idParam(req));
    if (sub === null) throw new ShopError('not_found', 'errors.notFound');
    const [customer, names, jobs, audit, pendingReason] = await Promise.all([
      storage.customers.get(sub.customerId),
      namesOf(shop),
      jobsOf(shop, sub.id),
      storage.audit.list({ subjectType: 'subscription', subjectId: sub.id }, { limit: 100 }),
      shop.kit.pendingReason(sub),
    ]);
    res.send(
      adminPage(ctx, {
        title: ctx.t('adminOps.subscriptions.title'),
        notice: noticeFrom(req),
        body: subscriptionBody(ctx, shop.config.timeZone, {
          sub,
          customer,
          names,
          jobs,
          actions: actionsFor(sub, jobs),
          audit: audit.items,
          auditNames: await actorNames(shop, audit.items),
          pendingReason,
        }),
      }).value,
    );
  });

  /** Every action is the one use case the bot's buttons call too (`actOnSubscription`): checked by the engine, audited. */
  async function act(operation: SubscriptionOperation, req: Request, res: Response): Promise<void> {
    const id = idParam(req);
    const parsed = parseForm(ActionFormSchema, req.body, ctxOf(res).t);
    if (!parsed.ok) throw new ShopError('invalid_input', 'errors.invalidInput', {}, parsed.fields);
    await actOnSubscription(shop, { operation, subscriptionId: id, actor: adminActor(res), reason: parsed.data.reason });
    res.redirect(303, `${backTo(parsed.data.back, `/admin/subscriptions/${id}`)}?done=adminOps.subscription_${operation}`);
  }

  for (const operation of SUBSCRIPTION_OPERATIONS) {
    router.post(`/admin/subscriptions/:id/${operation}`, (req, res) => act(operation, req, res));
  }

  /** Puts a dead job back in the queue with a fresh attempt budget (a conflict when it is not dead; see `retryDeadJob`). */
  router.post('/admin/jobs/:id/retry', async (req, res) => {
    const parsed = parseForm(ActionFormSchema, req.body, ctxOf(res).t);
    if (!parsed.ok) throw new ShopError('invalid_input', 'errors.invalidInput', {}, parsed.fields);
    await retryDeadJob(shop, idParam(req), adminActor(res));
    res.redirect(303, `${backTo(parsed.data.back, '/admin/orders')}?done=adminOps.job_retried`);
  });

  return router;
}
