import type { Request, Response } from 'express';
import { joinCampaign } from '../app/growth/campaigns.js';
import type { Shop } from '../app/shop.js';
import { CAMPAIGN_PARAM } from '../config/public-addresses.js';
import { cookieName } from './viewer.js';

/** The cookie a campaign's web link leaves in the browser: the campaign's slug, until the buyer signs up. */
export const ARRIVAL_CAMPAIGN_COOKIE = 'pk_campaign';

/** How long a campaign link's visit counts: a buyer who signs up within a month came through it. */
const ARRIVAL_MS = 30 * 24 * 3600_000;

/** The campaign slug a sign-up link or form carries (`c`), as typed and bounded; '' when none. The use case judges it. */
export function campaignParam(source: unknown): string {
  const value = (source as Record<string, unknown> | undefined)?.[CAMPAIGN_PARAM];
  return typeof value === 'string' && /^[A-Za-z0-9_-]{1,60}$/.test(value) ? value : '';
}

/**
 * Keeps the campaign whose web link brought this browser (`/signup?c=<slug>`), so whichever way the buyer then
 * signs up (a password, a code by e-mail, an identity provider) joins it. The first link visited is kept: a later
 * one does not replace it, as the first campaign wins in the engine too.
 */
export function rememberArrivalCampaign(req: Request, res: Response, slug: string, secure: boolean): void {
  if (slug === '' || arrivalCampaignOf(req, secure) !== '') return;
  res.cookie(cookieName(ARRIVAL_CAMPAIGN_COOKIE, secure), slug, { httpOnly: true, sameSite: 'lax', secure, maxAge: ARRIVAL_MS, path: '/' });
}

/** The campaign this browser arrived through ({@link rememberArrivalCampaign}), or '' when none. */
export function arrivalCampaignOf(req: Request, secure: boolean): string {
  return campaignParam({ [CAMPAIGN_PARAM]: req.cookies?.[cookieName(ARRIVAL_CAMPAIGN_COOKIE, secure)] as unknown });
}

/** Drops the arrival cookie once an account was made with it. */
export function forgetArrivalCampaign(res: Response, secure: boolean): void {
  res.clearCookie(cookieName(ARRIVAL_CAMPAIGN_COOKIE, secure), { httpOnly: true, sameSite: 'lax', secure, path: '/' });
}

/**
 * An account a way in has just made (an e-mail code's, an identity provider's) joins the campaign this browser
 * arrived through, if any (`joinCampaign`: first contact only, the first campaign wins, a bonus once).
 */
export async function joinArrivalCampaign(shop: Shop, req: Request, res: Response, customerId: string): Promise<void> {
  const campaign = arrivalCampaignOf(req, shop.config.secureCookies);
  if (campaign === '') return;
  await joinCampaign(shop, customerId, campaign);
  forgetArrivalCampaign(res, shop.config.secureCookies);
}
