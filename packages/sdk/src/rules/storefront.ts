import type { CommissionTier, StorefrontQuotas, StorefrontStatus, StorefrontUsage } from '../domain/storefront.js';

/**
 * Why a storefront's buyer cannot buy now; machine-readable, for the shop to show.
 * - `storefront_suspended`: the owner suspended the storefront.
 * - `not_on_menu`: the storefront does not sell this plan.
 * - `quota_subscriptions`: the sale would pass the storefront's live subscriptions quota.
 * - `quota_traffic`: the sale would pass its traffic quota.
 * - `quota_panels`: the plan has no room on a panel the storefront may sell on.
 * - `reseller_credit`: the reseller's wallet and credit do not cover the wholesale price.
 * - `gifts_not_sold`: a storefront's buyers buy no gifts (a gift is priced and claimed outside any storefront's menu).
 */
export type StorefrontRefusalReason =
  | 'storefront_suspended'
  | 'not_on_menu'
  | 'quota_subscriptions'
  | 'quota_traffic'
  | 'quota_panels'
  | 'reseller_credit'
  | 'gifts_not_sold';

/**
 * Whether a customer may spend the shop's discount codes: not a storefront's buyer (`Customer.storefrontId` set).
 * The codes are the owner's promotions, while a storefront's reseller pays the wholesale price of every sale their
 * buyers make whatever those buyers paid: a code would come out of the reseller's margin. The engine refuses such a
 * code (`storefront_buyer`) on every purchase; a host offers no code field to such a buyer. Pure.
 */
export function takesDiscountCodes(customer: { storefrontId: string | null }): boolean {
  return customer.storefrontId === null;
}

/** What a sale would add to a storefront's usage. */
export interface StorefrontSaleSize {
  subscriptions: number;
  trafficBytes: number;
}

/**
 * Whether a storefront may make a sale of this size now: active, and within its subscriptions and traffic quotas
 * with the sale added (a quota already passed refuses every sale, even after the owner lowered it). `null`: allowed.
 * Pure; the engine calls it under the storefront's lock.
 */
export function decideStorefrontSale(
  storefront: { status: StorefrontStatus; quotas: StorefrontQuotas },
  usage: StorefrontUsage,
  sale: StorefrontSaleSize,
): StorefrontRefusalReason | null {
  if (storefront.status !== 'active') return 'storefront_suspended';
  const { maxActiveSubscriptions, maxTrafficBytes } = storefront.quotas;
  if (maxActiveSubscriptions !== null && usage.activeSubscriptions + sale.subscriptions > maxActiveSubscriptions)
    return 'quota_subscriptions';
  if (maxTrafficBytes !== null && usage.trafficBytes + sale.trafficBytes > maxTrafficBytes) return 'quota_traffic';
  return null;
}

/**
 * The bonus a storefront's next sale earns, in basis points of its margin: the `bonusBps` of the highest tier whose
 * `minMonthlySales` the storefront's sales this month (before this one) reached; 0 below every tier. Pure.
 */
export function commissionBonusBps(tiers: readonly CommissionTier[], salesThisMonth: number): number {
  let best: CommissionTier | null = null;
  for (const tier of tiers)
    if (salesThisMonth >= tier.minMonthlySales && (best === null || tier.minMonthlySales > best.minMonthlySales)) best = tier;
  return best?.bonusBps ?? 0;
}

/** What a storefront sale moves, in integer minor units of one currency. */
export interface StorefrontSplit {
  /** What the buyer paid (after a discount). */
  retail: number;
  /** What the reseller's wallet pays, at their price book. */
  wholesale: number;
  /** What the reseller earns: `retail − wholesale` (never below 0) and the bonus. */
  margin: number;
  /** The part of `margin` the tier added. */
  bonus: number;
  /**
   * What the reseller's payout balance gets: the retail price collected on their behalf and the bonus
   * (`wholesale + margin`, which is `retail + bonus` unless a discount took retail below wholesale). With the wallet's
   * `wholesale` debit the reseller nets `margin`; the owner keeps `wholesale − bonus`.
   */
  payout: number;
}

/**
 * Splits a sale: the reseller's wallet pays `wholesale`, their payout balance gets what the buyer paid plus the bonus
 * (`payout`), so they earn the margin. The margin is `retail − wholesale` (never below 0: a discount the buyer used
 * comes out of the margin first, and the owner's share takes what it does not cover), and a tier's bonus adds
 * `bonusBps` of that margin, rounded down. Pure.
 */
export function splitStorefrontSale(input: { retail: number; wholesale: number; bonusBps: number }): StorefrontSplit {
  const base = Math.max(0, input.retail - input.wholesale);
  const bonus = Number((BigInt(base) * BigInt(input.bonusBps)) / 10_000n);
  const margin = base + bonus;
  return { retail: input.retail, wholesale: input.wholesale, margin, bonus, payout: input.wholesale + margin };
}

/**
 * The part of a sale's split a refund of `refunded` out of `paid` reverses: each of wholesale, margin and bonus in
 * proportion, rounded half up, and the payout credit as their wholesale and margin parts together; a refund of the
 * rest of the order reverses what earlier refunds left (`reversed`), so a sale refunded in parts reverses exactly its
 * split. Amounts positive (the caller signs them). Pure.
 */
export function reverseStorefrontSplit(
  sale: StorefrontSplit,
  reversed: StorefrontSplit,
  refunded: number,
  paid: number,
  refundedBefore: number,
): StorefrontSplit {
  const whole = refundedBefore + refunded >= paid;
  const part = (amount: number, done: number) => {
    if (whole) return amount - done;
    if (paid <= 0) return 0;
    const n = BigInt(amount) * BigInt(refunded) * 2n + BigInt(paid);
    return Math.min(amount - done, Number(n / (BigInt(paid) * 2n)));
  };
  const wholesale = part(sale.wholesale, reversed.wholesale);
  const margin = part(sale.margin, reversed.margin);
  return { retail: refunded, wholesale, margin, bonus: part(sale.bonus, reversed.bonus), payout: wholesale + margin };
}
