import type { BuyerRows } from './rows.js';

/** The kinds of acquisition source, in the order their rules are tried. */
export const ACQUISITION_SOURCE_KINDS = ['storefront', 'campaign', 'referral', 'gift', 'organic'] as const;
/** One of {@link ACQUISITION_SOURCE_KINDS}. */
export type AcquisitionSourceKind = (typeof ACQUISITION_SOURCE_KINDS)[number];

/** Where a customer came from: a kind, and for `campaign` the campaign's slug. */
export type AcquisitionSource = { kind: 'campaign'; campaign: string } | { kind: Exclude<AcquisitionSourceKind, 'campaign'> };

/**
 * A customer's acquisition source: the first of these rules that matches.
 * 1. `storefront` when the customer row has a storefront (the current row: a buyer moved into a storefront takes
 *    their whole history with them, as `storefronts.countBuyers` does).
 * 2. `campaign` when their campaign attribution was made no later than their first paid instant.
 * 3. `referral` when a referral names them as the referred customer.
 * 4. `gift` when they claimed a gift strictly before their first paid instant.
 * 5. `organic` otherwise.
 *
 * `firstPaidAt` is `null` for a customer who never paid (a trial taker): then any attribution and any claimed gift
 * counts, since whatever they pay later comes after it. So a non-buyer's source is the one they will have as a buyer,
 * unless a storefront move or a later referral changes it.
 */
export function acquisitionSource(
  rows: Pick<BuyerRows, 'customer' | 'attribution' | 'referral' | 'giftClaims'>,
  firstPaidAt: Date | null,
): AcquisitionSource {
  const notAfterFirstPaid = (at: Date) => firstPaidAt === null || at <= firstPaidAt;
  if (rows.customer.storefrontId !== null) return { kind: 'storefront' };
  if (rows.attribution !== null && notAfterFirstPaid(rows.attribution.attributedAt))
    return { kind: 'campaign', campaign: rows.attribution.campaign };
  if (rows.referral !== null && rows.referral.referredId === rows.customer.id) return { kind: 'referral' };
  const claimedBefore = rows.giftClaims.some(
    (g) => g.claimedBy === rows.customer.id && g.claimedAt !== null && (firstPaidAt === null || g.claimedAt < firstPaidAt),
  );
  if (claimedBefore) return { kind: 'gift' };
  return { kind: 'organic' };
}
