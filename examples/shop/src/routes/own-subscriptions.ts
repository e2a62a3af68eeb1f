import type { Subscription } from '@panelkit/sdk';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { requireAccount } from '../http/viewer.js';
import { ctxOf, viewerOf } from '../http/context.js';
import { noticeFrom } from '../http/notice.js';
import type { RateLimits } from '../http/rate-limits.js';
import { httpStatusOf } from '../http/status.js';
import { parseForm, parseOrThrow } from '../app/input/forms.js';
import type { Shop } from '../app/shop.js';
import { IdempotencyKeySchema, newIdempotencyKey } from '../app/subscriptions/idempotency.js';
import { LabelForm } from '../app/subscriptions/label-input.js';
import { moveSubscriptionFor } from '../app/subscriptions/move-subscription.js';
import { nameSubscriptionFor } from '../app/subscriptions/name-subscription.js';
import { ownedSubscription } from '../app/subscriptions/owned.js';
import { LinkRotation } from '../app/subscriptions/link-rotation.js';
import { ownLinkOf, ownLinkVersionOf, rotateOwnLink } from '../app/subscriptions/own-link.js';
import { planName } from '../app/subscriptions/plan-names.js';
import { locationsOfPlan } from '../app/selling/plan-locations.js';
import { LocationField } from '../app/selling/location-input.js';
import type { FieldErrors } from '../app/input/forms.js';
import { movePage } from '../views/move-page.js';
import { ownLinkPage } from '../views/own-link-page.js';
import { qrDataUrl } from '../views/qr-code.js';
import { subscriptionTitle } from '../views/subscription-name.js';

const RenameForm = LabelForm.extend({ back: z.enum(['dashboard', 'subscription']).optional() });

const MoveForm = z.object({ location: LocationField, idempotencyKey: IdempotencyKeySchema });

/**
 * The buyer's pages for one of their several subscriptions: naming it, its own link (shown, rotated) and moving it
 * to another location its plan offers (the link unchanged). The same use cases as the JSON API
 * (`routes/api/sharing.ts`, `routes/api/plan-builder.ts`); another buyer's subscription is a 404.
 */
export function ownSubscriptionRoutes(shop: Shop, limits: RateLimits): Router {
  const router = Router();

  const titleOf = async (res: Response, sub: Subscription) =>
    subscriptionTitle(sub, await planName(shop, sub.planId, ctxOf(res).locale, ctxOf(res).storefront?.planNames));

  router.post('/subscriptions/:id/label', requireAccount, async (req, res) => {
    const viewer = viewerOf(res);
    const sub = await ownedSubscription(shop, viewer, req.params.id);
    const { label, back } = parseOrThrow(RenameForm, req.body, ctxOf(res).t);
    await nameSubscriptionFor(shop, viewer.customer.id, sub.id, label);
    res.redirect(303, `${back === 'dashboard' ? '/dashboard' : `/subscriptions/${sub.id}`}?done=ownSubscriptions.renamed`);
  });

  router.get('/subscriptions/:id/link', requireAccount, async (req, res) => {
    const viewer = viewerOf(res);
    const sub = await ownedSubscription(shop, viewer, req.params.id);
    const url = await ownLinkOf(shop, viewer.customer.id, sub.id);
    res.send(
      ownLinkPage(ctxOf(res), {
        subscriptionId: sub.id,
        title: await titleOf(res, sub),
        url,
        version: await ownLinkVersionOf(shop, viewer.customer.id, sub.id),
        qr: await qrDataUrl(url),
        notice: noticeFrom(req),
      }).value,
    );
  });

  router.post('/subscriptions/:id/link/rotate', requireAccount, async (req, res) => {
    const viewer = viewerOf(res);
    const sub = await ownedSubscription(shop, viewer, req.params.id);
    const { from } = parseOrThrow(LinkRotation, req.body, ctxOf(res).t);
    await rotateOwnLink(shop, viewer.customer.id, sub.id, from);
    res.redirect(303, `/subscriptions/${sub.id}/link?done=ownSubscriptions.link_rotated`);
  });

  const renderMove = async (res: Response, status: number, sub: Subscription, picked: string, key: string, errors?: FieldErrors) => {
    const panel = await shop.storage.panels.get(sub.panelId);
    res.status(status).send(
      movePage(ctxOf(res), {
        subscriptionId: sub.id,
        title: await titleOf(res, sub),
        current: panel?.locationTags ?? [],
        locations: (await locationsOfPlan(shop, sub.planId)) ?? [],
        picked,
        idempotencyKey: key,
        errors,
      }).value,
    );
  };

  router.get('/subscriptions/:id/move', requireAccount, async (req, res) => {
    const sub = await ownedSubscription(shop, viewerOf(res), req.params.id);
    await renderMove(res, 200, sub, '', newIdempotencyKey());
  });

  router.post('/subscriptions/:id/move', requireAccount, limits.checkout, async (req, res) => {
    const ctx = ctxOf(res);
    const viewer = viewerOf(res);
    const sub = await ownedSubscription(shop, viewer, req.params.id);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const picked = typeof body['location'] === 'string' ? body['location'].slice(0, 64) : '';
    const form = parseForm(MoveForm, req.body, ctx.t);
    if (!form.ok) {
      const { idempotencyKey: badKey, ...fields } = form.fields;
      const errors = badKey === undefined ? fields : { ...fields, _form: ctx.t('checkout.formExpired') };
      return renderMove(res, 400, sub, picked, newIdempotencyKey(), errors);
    }
    const moved = await moveSubscriptionFor(shop, viewer.customer.id, sub.id, form.data);
    if (!moved.ok) {
      // Nothing was written: a fresh key lets the buyer pick again.
      const { refusal } = moved;
      return renderMove(res, httpStatusOf(refusal.code), sub, picked, newIdempotencyKey(), {
        [refusal.field === 'location' ? 'location' : '_form']: ctx.t(refusal.key),
      });
    }
    res.redirect(303, `/subscriptions/${sub.id}?done=ownSubscriptions.moving`);
  });
  return router;
}
