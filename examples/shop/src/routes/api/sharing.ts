import { Router } from 'express';
import { z } from 'zod';
import { requireAccount } from '../../http/viewer.js';
import { ctxOf, viewerOf } from '../../http/context.js';
import { parseOrThrow } from '../../app/input/forms.js';
import type { Shop } from '../../app/shop.js';
import { ownedSubscription } from '../../app/subscriptions/owned.js';
import { nameSubscriptionFor } from '../../app/subscriptions/name-subscription.js';
import { ownLinkOf, rotateOwnLink } from '../../app/subscriptions/own-link.js';

/** `POST /api/v1/subscriptions/:id/label`'s body: the buyer's name for it (1–64 characters), or `null` for none. */
export const LabelBody = z.strictObject({
  label: z
    .string({ message: 'forms.invalid' })
    .trim()
    .min(1, { message: 'forms.required' })
    .max(64, { message: 'forms.invalid' })
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
    .regex(/^[^\u0000-\u001f\u007f]+$/, { message: 'forms.invalid' })
    .nullable(),
});

/**
 * The JSON API of several subscriptions per buyer (the same auth as `/api/v1`): naming one's own subscription and
 * its own link (read, or rotated so the old one stops working). Another buyer's subscription is a 404.
 */
export function sharingApiRoutes(shop: Shop): Router {
  const router = Router();

  router.post('/api/v1/subscriptions/:id/label', requireAccount, async (req, res) => {
    const viewer = viewerOf(res);
    const sub = await ownedSubscription(shop, viewer, req.params.id);
    const { label } = parseOrThrow(LabelBody, req.body, ctxOf(res).t);
    const named = await nameSubscriptionFor(shop, viewer.customer.id, sub.id, label);
    res.json({ subscriptionId: named.id, label: named.label });
  });

  router.get('/api/v1/subscriptions/:id/link', requireAccount, async (req, res) => {
    const viewer = viewerOf(res);
    const sub = await ownedSubscription(shop, viewer, req.params.id);
    res.json({ subscriptionId: sub.id, link: await ownLinkOf(shop, viewer.customer.id, sub.id) });
  });

  router.post('/api/v1/subscriptions/:id/link/rotate', requireAccount, async (req, res) => {
    const viewer = viewerOf(res);
    const sub = await ownedSubscription(shop, viewer, req.params.id);
    res.json({ subscriptionId: sub.id, link: await rotateOwnLink(shop, viewer.customer.id, sub.id) });
  });
  return router;
}
