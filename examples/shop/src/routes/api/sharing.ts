import { Router } from 'express';
import { z } from 'zod';
import { requireAccount } from '../../http/viewer.js';
import { ctxOf, viewerOf } from '../../http/context.js';
import { parseOrThrow } from '../../app/input/forms.js';
import type { Shop } from '../../app/shop.js';
import { ownedSubscription } from '../../app/subscriptions/owned.js';
import { nameSubscriptionFor, SubscriptionLabelField } from '../../app/subscriptions/name-subscription.js';
import { LinkRotation } from '../../app/subscriptions/link-rotation.js';
import { ownLinkOf, ownLinkVersionOf, rotateOwnLink } from '../../app/subscriptions/own-link.js';
import { inviteMemberFor } from '../../app/subscriptions/invite-member.js';
import { acceptInviteFor } from '../../app/subscriptions/accept-invite.js';
import { removeMemberFor } from '../../app/subscriptions/remove-member.js';
import { membersOf } from '../../app/subscriptions/list-members.js';
import type { SharingMember } from '@panelkit/sdk/sharing';

/** `POST /api/v1/subscriptions/:id/label`'s body: the buyer's name for it (1–64 characters), or `null` for none. */
export const LabelBody = z.strictObject({ label: SubscriptionLabelField.nullable() });

/**
 * The body of `POST /api/v1/subscriptions/:id/link/rotate` and `POST /api/v1/subscription-link/rotate`: `from`, the
 * link's `version` as read (so a request sent twice replaces the link once, and both answers give the one new link);
 * without it the current link is replaced.
 */
export const RotateLinkBody = LinkRotation.strict();

/** `POST /api/v1/family/accept`'s body: the invite token the payer sent. */
export const AcceptBody = z.strictObject({
  token: z.string({ message: 'forms.invalid' }).trim().min(1, { message: 'forms.required' }).max(200, { message: 'forms.invalid' }),
});

const memberJson = (m: SharingMember) => ({
  groupId: m.groupId,
  subscriptionId: m.subscriptionId,
  joinedAt: m.joinedAt.toISOString(),
  removedAt: m.removedAt === null ? null : m.removedAt.toISOString(),
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
    const [link, version] = [await ownLinkOf(shop, viewer.customer.id, sub.id), await ownLinkVersionOf(shop, viewer.customer.id, sub.id)];
    res.json({ subscriptionId: sub.id, link, version });
  });

  router.post('/api/v1/subscriptions/:id/link/rotate', requireAccount, async (req, res) => {
    const viewer = viewerOf(res);
    const sub = await ownedSubscription(shop, viewer, req.params.id);
    const { from } = parseOrThrow(RotateLinkBody, req.body ?? {}, ctxOf(res).t);
    const link = await rotateOwnLink(shop, viewer.customer.id, sub.id, from);
    res.json({ subscriptionId: sub.id, link, version: await ownLinkVersionOf(shop, viewer.customer.id, sub.id) });
  });
  router.get('/api/v1/subscriptions/:id/members', requireAccount, async (req, res) => {
    const viewer = viewerOf(res);
    const sub = await ownedSubscription(shop, viewer, req.params.id);
    res.json({ items: (await membersOf(shop, viewer.customer.id, sub.id)).map(memberJson) });
  });

  router.post('/api/v1/subscriptions/:id/invites', requireAccount, async (req, res) => {
    const viewer = viewerOf(res);
    const sub = await ownedSubscription(shop, viewer, req.params.id);
    const invite = await inviteMemberFor(shop, viewer.customer.id, sub.id);
    res.status(201).json({ token: invite.token, expiresAt: invite.expiresAt.toISOString() });
  });

  router.post('/api/v1/family/accept', requireAccount, async (req, res) => {
    const viewer = viewerOf(res);
    const { token } = parseOrThrow(AcceptBody, req.body, ctxOf(res).t);
    const accepted = await acceptInviteFor(shop, viewer.customer.id, token);
    res.status(201).json({ member: memberJson(accepted.member), orderId: accepted.order.id, subscriptionId: accepted.subscription.id });
  });

  router.post('/api/v1/subscriptions/:id/members/:memberSubscriptionId/remove', requireAccount, async (req, res) => {
    const viewer = viewerOf(res);
    const group = await ownedSubscription(shop, viewer, req.params.id);
    res.json(memberJson(await removeMemberFor(shop, viewer.customer.id, group.id, req.params.memberSubscriptionId)));
  });
  return router;
}
