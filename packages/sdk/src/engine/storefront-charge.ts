import { createHash } from 'node:crypto';
import type { Actor } from '../domain/common.js';
import type { Money } from '../domain/money.js';
import type { Plan } from '../domain/plan.js';
import type { Subscription } from '../domain/subscription.js';
import type { Storefront, StorefrontSale, StorefrontSaleSource } from '../domain/storefront.js';
import type { StorageRepositories } from '../ports/storage.js';
import { decideStorefrontSale, splitStorefrontSale } from '../rules/storefront.js';
import type { StorefrontSaleSize } from '../rules/storefront.js';
import { buyerPlan } from './buyer-price.js';
import { openStorefrontSale, reverseStorefrontSale, StorefrontRefusedError, writeStorefrontSplit } from './storefront-sale.js';
import type { OpenStorefrontSale } from './storefront-sale.js';

/**
 * A storefront buyer's charge other than a checkout, opened before the buyer's debit: the storefront (and its
 * reseller) locked, its status and quotas checked, and the reseller's price for the same thing.
 */
export interface StorefrontCharge {
  sale: OpenStorefrontSale;
  source: Exclude<StorefrontSaleSource, 'checkout'>;
  /** What the same thing costs the reseller at their price book, before any discount the buyer used. */
  wholesale: Money;
}

/** A short, fixed-length form of a charge's key, for the split's own keys (a buyer's key may be up to 200 characters). */
function chargeRef(key: string): string {
  return `c:${createHash('sha256').update(key).digest('base64url').slice(0, 32)}`;
}

/**
 * The plan `sold` (a subscription's terms as sold at the storefront's retail prices) at its reseller's prices instead:
 * today's plan priced by their price book (`buyerPlan`: the period price, and the extension and traffic prices scaled
 * as a reseller's own are) over the same terms. A top-up the plan no longer offers keeps the price it was sold at
 * (no margin on it). The reseller's price in another currency than the sale is `not_on_menu`: no split can be made.
 */
export async function wholesaleTerms(
  repos: Pick<StorageRepositories, 'plans' | 'priceBooks'>,
  sale: OpenStorefrontSale,
  sold: Plan,
): Promise<Plan> {
  const listed = await repos.plans.get(sold.id);
  if (listed === null || listed.price.currency !== sold.price.currency)
    throw new StorefrontRefusedError(sale.storefront.id, 'not_on_menu', { planId: sold.id });
  const priced = await buyerPlan(repos, sale.storefront.resellerId, listed);
  const offer = sold.trafficTopUp;
  return {
    ...sold,
    price: priced.price,
    extension: { ...sold.extension, price: priced.extension.price },
    trafficTopUp: offer === null ? null : { ...offer, pricePerGiB: priced.trafficTopUp?.pricePerGiB ?? offer.pricePerGiB },
  };
}

/**
 * What a change to a subscription adds to its storefront's usage: an ended one (expired) comes back live with its new
 * traffic limit; a live one adds what its limit grows by (an unlimited one counts 0, as `StorefrontUsage` does).
 */
export function changeSize(
  sub: Pick<Subscription, 'status' | 'trafficLimitBytes'>,
  newTrafficLimitBytes: number | null,
): StorefrontSaleSize {
  if (sub.status === 'expired' || sub.status === 'terminated' || sub.status === 'failed')
    return { subscriptions: 1, trafficBytes: newTrafficLimitBytes ?? 0 };
  return { subscriptions: 0, trafficBytes: Math.max(0, (newTrafficLimitBytes ?? 0) - (sub.trafficLimitBytes ?? 0)) };
}

/**
 * Opens a charge of `buyerId` as a storefront sale, in the charge's transaction and before the buyer's debit (the
 * lock order: the storefront, its reseller, then the buyer): `null` for a buyer of the owner's own shop. Locks the
 * storefront (`openStorefrontSale`) and checks it may sell `size` more (`decideStorefrontSale`), then asks `wholesale`
 * for the reseller's price of the same thing (given the storefront). Throws `StorefrontRefusedError`
 * (`storefront_suspended`, `quota_subscriptions`, `quota_traffic`) having written nothing.
 */
export async function openStorefrontCharge(
  tx: StorageRepositories,
  buyerId: string,
  charge: {
    source: StorefrontCharge['source'];
    size: StorefrontSaleSize;
    wholesale: (sale: OpenStorefrontSale) => Promise<Money>;
  },
): Promise<StorefrontCharge | null> {
  const buyer = await tx.customers.get(buyerId);
  if (buyer === null || buyer.storefrontId === null) return null;
  const sale = await openStorefrontSale(tx, buyer.storefrontId);
  const refusal = decideStorefrontSale(sale.storefront, await tx.storefronts.usage(sale.storefront.id), charge.size);
  if (refusal !== null) throw new StorefrontRefusedError(sale.storefront.id, refusal);
  return { sale, source: charge.source, wholesale: await charge.wholesale(sale) };
}

/**
 * Writes the split of an opened charge after the buyer's debit keyed `chargeKey` (`writeStorefrontSplit`): once per
 * charge key, on any replica. `retail` is what the buyer was charged (after any discount); a charge where both
 * retail and wholesale are zero (a downgrade, a free change) splits nothing and returns `null`.
 */
export async function settleStorefrontCharge(
  tx: StorageRepositories,
  charge: StorefrontCharge,
  input: {
    buyerId: string;
    chargeKey: string;
    retail: Money;
    subscriptionId: string | null;
    orderId?: string | null;
    now: Date;
    actor: Actor;
  },
): Promise<StorefrontSale | null> {
  if (input.retail.amount <= 0 && charge.wholesale.amount <= 0) return null;
  if (charge.wholesale.currency !== input.retail.currency)
    throw new StorefrontRefusedError(charge.sale.storefront.id, 'not_on_menu', { currency: input.retail.currency });
  return writeStorefrontSplit(tx, charge.sale, {
    buyerId: input.buyerId,
    orderId: input.orderId ?? null,
    subscriptionId: input.subscriptionId,
    source: charge.source,
    chargeKey: input.chargeKey,
    retail: input.retail.amount,
    wholesale: charge.wholesale.amount,
    currency: input.retail.currency,
    ref: chargeRef(input.chargeKey),
    now: input.now,
    actor: input.actor,
  });
}

/**
 * Before a refund of the charge keyed `chargeKey` writes anything: locks its storefront and reseller when a
 * storefront sold it (the lock order a sale takes; a suspended storefront's sales are refunded too), and answers the
 * charge's sale rows; `null` for a charge no storefront sold.
 */
export async function lockStorefrontOfCharge(tx: StorageRepositories, chargeKey: string): Promise<StorefrontSale[] | null> {
  const rows = await tx.storefronts.salesOfCharge(chargeKey);
  const sale = rows.find((r) => r.kind === 'sale');
  if (sale === undefined) return null;
  await tx.storefronts.lockForSale(sale.storefrontId);
  return rows;
}

/**
 * Reverses a charge's split in the share a refund keyed `refundKey` returns of what the buyer paid
 * (`reverseStorefrontSale`), once per refund key; `null` when no storefront sold it. Called in the refund's
 * transaction after its credit, with the rows `lockStorefrontOfCharge` answered.
 */
export function reverseStorefrontCharge(
  tx: StorageRepositories,
  rows: readonly StorefrontSale[],
  refund: { amount: number; paid: number; refundedBefore: number; refundKey: string; actor: Actor },
): Promise<StorefrontSale | null> {
  return reverseStorefrontSale(tx, rows, { ...refund, key: chargeRef(refund.refundKey) });
}

/**
 * A storefront buyer's plan-change downgrade, applied: the buyer was credited `retail` (the unused value at the
 * storefront's prices), so the sale runs backwards at the reseller's own prices, as a refund does: their wallet gets
 * `wholesale` (the same downgrade's credit at their price book) back, their payout balance gives back `retail`'s
 * share of what it collected (`wholesale` plus the margin `retail − wholesale`, never below 0; no tier bonus), and a
 * `refund` row records it. Once per charge key (the change's ledger key). Called in the credit's transaction, the
 * storefront locked (`storefronts.lockForSale`) before the buyer's credit.
 */
export async function reverseStorefrontDowngrade(
  tx: StorageRepositories,
  storefront: Storefront,
  input: { buyerId: string; subscriptionId: string; chargeKey: string; retail: Money; wholesale: Money; actor: Actor },
): Promise<StorefrontSale | null> {
  const { retail, actor } = input;
  const wholesaleAmount = input.wholesale.currency === retail.currency ? input.wholesale.amount : retail.amount;
  const back = splitStorefrontSale({ retail: retail.amount, wholesale: Math.max(0, wholesaleAmount), bonusBps: 0 });
  if (back.payout <= 0) return null;
  const ref = `${chargeRef(input.chargeKey)}:downgrade`;
  const currency = retail.currency;
  if (back.wholesale > 0)
    await tx.ledger.append({
      customerId: storefront.resellerId,
      kind: 'wholesale',
      amount: back.wholesale,
      currency,
      idempotencyKey: `storefront.wholesale.refund:${ref}`,
      orderId: null,
      subscriptionId: input.subscriptionId,
      reference: storefront.id,
      note: 'plan downgraded',
      actor,
    });
  await tx.payouts.append({
    partnerId: storefront.resellerId,
    kind: 'margin',
    amount: -back.payout,
    currency,
    idempotencyKey: `storefront.margin.refund:${ref}`,
    storefrontId: storefront.id,
    orderId: null,
    note: 'plan downgraded',
    actor,
  });
  const { sale } = await tx.storefronts.recordSale({
    storefrontId: storefront.id,
    resellerId: storefront.resellerId,
    buyerId: input.buyerId,
    orderId: null,
    subscriptionId: input.subscriptionId,
    source: 'plan_change',
    chargeKey: input.chargeKey,
    kind: 'refund',
    retail: { amount: -back.retail, currency },
    wholesale: { amount: -back.wholesale, currency },
    margin: { amount: -back.margin, currency },
    bonus: { amount: 0, currency },
    idempotencyKey: `storefront.refund:${ref}`,
  });
  await tx.audit.append({
    actor,
    action: 'storefront.refunded',
    subjectType: 'storefront',
    subjectId: storefront.id,
    data: { subscriptionId: input.subscriptionId, chargeKey: input.chargeKey, source: 'plan_change', currency, ...back },
  });
  return sale;
}
