import { INVITE_TOKEN_PATTERN } from '@panelkit/sdk/sharing';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { requireAccount } from '../http/viewer.js';
import { ctxOf, viewerOf } from '../http/context.js';
import { noticeFrom } from '../http/notice.js';
import { parseOrThrow } from '../app/input/forms.js';
import { ShopError } from '../app/shop-error.js';
import type { Shop } from '../app/shop.js';
import { familyInviteUrl } from '../config/public-addresses.js';
import { acceptInviteFor } from '../app/subscriptions/accept-invite.js';
import { inviteMemberFor } from '../app/subscriptions/invite-member.js';
import { membersOf } from '../app/subscriptions/list-members.js';
import { memberName } from '../i18n/member-text.js';
import { ownedSubscription } from '../app/subscriptions/owned.js';
import { familyPlaceOf } from '../app/subscriptions/family-place.js';
import { removeMemberFor } from '../app/subscriptions/remove-member.js';
import { planName } from '../app/subscriptions/plan-names.js';
import type { Subscription } from '@panelkit/sdk';
import { familyPage, joinFamilyPage, removeMemberPage } from '../views/family-pages.js';
import { subscriptionTitle } from '../views/subscription-name.js';

const InviteToken = z.string({ message: 'forms.required' }).regex(INVITE_TOKEN_PATTERN, { message: 'ownSubscriptions.join.badLink' });
const JoinForm = z.object({ token: InviteToken });
const RemoveForm = z.object({ confirm: z.literal('yes', { message: 'ownSubscriptions.family.confirmFirst' }) });

/**
 * A family plan on the web: the payer's page (members, invite by a link, remove with a confirmation) and the page an
 * invite link opens (a signed-out visitor signs in first and comes back to it). The same use cases as the JSON API
 * (`routes/api/sharing.ts`); another buyer's subscription or member is a 404, a member's subscription has no family
 * page of its own.
 */
export function familyRoutes(shop: Shop): Router {
  const router = Router();

  const groupOf = async (viewer: Parameters<typeof ownedSubscription>[1], id: unknown) => {
    const sub = await ownedSubscription(shop, viewer, id);
    const plan = await shop.storage.plans.get(sub.planId);
    if (plan?.sharing == null || (await familyPlaceOf(shop, sub)) !== 'payer') throw new ShopError('not_found', 'errors.notFound');
    return { sub, maxMembers: plan.sharing.maxMembers };
  };
  const titleOf = async (sub: Subscription, locale: Parameters<typeof planName>[2]) =>
    subscriptionTitle(sub, await planName(shop, sub.planId, locale));

  const renderFamily = async (req: Request, res: Response, status: number, invite: { url: string; expiresAt: Date } | null) => {
    const ctx = ctxOf(res);
    const viewer = viewerOf(res);
    const { sub, maxMembers } = await groupOf(viewer, req.params['id']);
    const members = await membersOf(shop, viewer.customer.id, sub.id);
    res.status(status).send(
      familyPage(ctx, {
        groupId: sub.id,
        title: await titleOf(sub, ctx.locale),
        maxMembers,
        members,
        invite,
        timeZone: shop.config.timeZone,
        notice: noticeFrom(req),
      }).value,
    );
  };

  router.get('/subscriptions/:id/family', requireAccount, (req, res) => renderFamily(req, res, 200, null));

  router.post('/subscriptions/:id/invites', requireAccount, async (req, res) => {
    const viewer = viewerOf(res);
    const { sub } = await groupOf(viewer, req.params.id);
    const invite = await inviteMemberFor(shop, viewer.customer.id, sub.id);
    // The token is shown once, on this answer: only its hash is kept.
    await renderFamily(req, res, 201, { url: familyInviteUrl(shop.config, invite.token), expiresAt: invite.expiresAt });
  });

  router.get('/subscriptions/:id/members/:memberId/remove', requireAccount, async (req, res) => {
    const viewer = viewerOf(res);
    const { sub } = await groupOf(viewer, req.params.id);
    const members = await membersOf(shop, viewer.customer.id, sub.id);
    const memberId = String(req.params.memberId);
    const index = members.findIndex((m) => m.subscriptionId === memberId);
    if (index < 0) throw new ShopError('not_found', 'errors.notFound');
    const ctx = ctxOf(res);
    const name = memberName(members[index]!, index, ctx.t, ctx.locale);
    res.send(removeMemberPage(ctx, { groupId: sub.id, memberId, title: await titleOf(sub, ctx.locale), memberName: name }).value);
  });

  router.post('/subscriptions/:id/members/:memberId/remove', requireAccount, async (req, res) => {
    const viewer = viewerOf(res);
    const { sub } = await groupOf(viewer, req.params.id);
    parseOrThrow(RemoveForm, req.body, ctxOf(res).t);
    await removeMemberFor(shop, viewer.customer.id, sub.id, String(req.params.memberId));
    res.redirect(303, `/subscriptions/${sub.id}/family?done=ownSubscriptions.member_removed`);
  });

  router.get('/family/join/:token', requireAccount, (req, res) => {
    const token = InviteToken.safeParse(req.params.token);
    if (!token.success) throw new ShopError('not_found', 'ownSubscriptions.join.badLink');
    res.send(joinFamilyPage(ctxOf(res), { token: token.data }).value);
  });

  router.post('/family/join', requireAccount, async (req, res) => {
    const viewer = viewerOf(res);
    const { token } = parseOrThrow(JoinForm, req.body, ctxOf(res).t);
    const accepted = await acceptInviteFor(shop, viewer.customer.id, token);
    res.redirect(303, `/subscriptions/${accepted.subscription.id}?done=ownSubscriptions.joined`);
  });
  return router;
}
