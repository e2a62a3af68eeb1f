import { Router, type Request } from 'express';
import { z } from 'zod';
import { joinCampaign, type CampaignJoin, type CampaignRefusal } from '../app/growth/campaigns.js';
import { parseOrThrow } from '../app/input/forms.js';
import { ShopError } from '../app/shop-error.js';
import type { Shop } from '../app/shop.js';
import { ctxOf, viewerOf } from '../http/context.js';
import { requireAccount } from '../http/viewer.js';

/** `POST /api/v1/campaigns/join`'s body: the campaign's slug as in its link. */
export const JoinCampaignBody = z.strictObject({ campaign: z.string({ message: 'forms.required' }).trim().min(1).max(60) });

/** A campaign's join as its use case answered it, or the refusal as a {@link ShopError}. */
function joinedOrThrow(outcome: CampaignJoin | CampaignRefusal): CampaignJoin {
  if (outcome.ok) return outcome;
  throw outcome.reason === 'unknown_campaign'
    ? new ShopError('not_found', 'campaigns.refused.unknown_campaign')
    : new ShopError('conflict', 'campaigns.refused.not_new');
}

/** The campaign a form or query names (`campaign`, or the link's `c`), or ''. */
function named(req: Request): string {
  const body = req.body as Record<string, unknown> | undefined;
  const value = body?.['campaign'] ?? body?.['c'];
  return typeof value === 'string' ? value.trim().slice(0, 60) : '';
}

/**
 * A new buyer joins the campaign whose link brought them (`joinCampaign`): on the web (`POST /campaigns/join`, which
 * the sign-up also does for `/signup?c=<slug>`) and in the JSON API (`POST /api/v1/campaigns/join`).
 */
export function campaignRoutes(shop: Shop): Router {
  const router = Router();
  router.post('/campaigns/join', requireAccount, async (req, res) => {
    const joined = joinedOrThrow(await joinCampaign(shop, viewerOf(res).customer.id, named(req)));
    res.redirect(303, `/dashboard?done=${joined.joined ? 'campaigns.joined' : 'campaigns.already_joined'}`);
  });
  router.post('/api/v1/campaigns/join', requireAccount, async (req, res) => {
    const body = parseOrThrow(JoinCampaignBody, req.body, ctxOf(res).t);
    const { campaign, joined, bonus, welcomeCode } = joinedOrThrow(await joinCampaign(shop, viewerOf(res).customer.id, body.campaign));
    res.json({ campaign, joined, bonus: { amount: bonus, currency: shop.config.currency }, welcomeCode });
  });
  return router;
}
