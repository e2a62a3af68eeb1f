import type { Money } from '@panelkit/sdk';
import type { Gift, GiftStatus } from '@panelkit/sdk/gifts';
import { giftUrl } from '../../config/public-addresses.js';
import { localizedPlans } from '../../db/plan-texts.js';
import type { Locale } from '../../i18n/translate.js';
import type { Shop } from '../shop.js';

/** A gift as its giver or its recipient sees it, in any channel. */
export interface GiftView {
  id: string;
  code: string;
  /** The link to hand over (`giftUrl`). */
  link: string;
  planId: string;
  planName: string;
  price: Money;
  status: GiftStatus;
  createdAt: Date;
  expiresAt: Date;
  claimedAt: Date | null;
  expiredAt: Date | null;
}

/** Gifts as their giver or recipient sees them, each plan named in `locale`. */
export async function giftViews(shop: Shop, gifts: readonly Gift[], locale: Locale): Promise<GiftView[]> {
  const planIds = [...new Set(gifts.map((g) => g.planId))];
  const plans = (await Promise.all(planIds.map((id) => shop.storage.plans.get(id)))).filter((p) => p !== null);
  const names = new Map((await localizedPlans(shop, plans, locale)).map((p) => [p.id, p.name]));
  return gifts.map((g) => ({
    id: g.id,
    code: g.code,
    link: giftUrl(shop.config, g.code),
    planId: g.planId,
    planName: names.get(g.planId) ?? g.planId,
    price: g.price,
    status: g.status,
    createdAt: g.createdAt,
    expiresAt: g.expiresAt,
    claimedAt: g.claimedAt,
    expiredAt: g.expiredAt,
  }));
}

/** The buyer's gifts, newest first, and whether (and when) each was claimed: the giver's list on every channel. */
export async function giftsOf(shop: Shop, customerId: string, locale: Locale): Promise<GiftView[]> {
  return giftViews(shop, await shop.kit.gifts.listByGiver(customerId, 100), locale);
}

/**
 * The gift behind a code as typed, for the claim page, with whether `customerId` gave it (the giver cannot claim
 * it); `null` when there is no such gift.
 */
export async function giftToClaim(
  shop: Shop,
  code: string,
  customerId: string,
  locale: Locale,
): Promise<{ gift: GiftView; own: boolean; claimedByViewer: boolean } | null> {
  const gift = await shop.kit.gifts.byCode(code);
  if (gift === null) return null;
  const [view] = await giftViews(shop, [gift], locale);
  return { gift: view!, own: gift.giverId === customerId, claimedByViewer: gift.claimedBy === customerId };
}
