import type { Actor } from '../domain/common.js';
import type { Customer } from '../domain/customer.js';
import type { Order } from '../domain/order.js';
import type { Plan } from '../domain/plan.js';
import type { MenuItem, Storefront, StorefrontSale, StorefrontSaleSource } from '../domain/storefront.js';
import type { Target } from '../domain/target.js';
import { EligibilityError, InsufficientFundsError } from '../errors.js';
import type { StorageRepositories } from '../ports/storage.js';
import { priceForBuyer } from '../rules/reseller-price.js';
import { commissionBonusBps, decideStorefrontSale, reverseStorefrontSplit, splitStorefrontSale } from '../rules/storefront.js';
import type { StorefrontRefusalReason, StorefrontSplit } from '../rules/storefront.js';
import { buyerPlan } from './buyer-price.js';

/**
 * A storefront's buyer cannot buy now (or its reseller cannot pay the wholesale price); nothing was written.
 * `reason` is a `StorefrontRefusalReason` for the shop to show; `storefrontId` the storefront.
 */
export class StorefrontRefusedError extends EligibilityError {
  static override readonly errorName: string = 'StorefrontRefusedError';
  constructor(
    readonly storefrontId: string,
    readonly reason: StorefrontRefusalReason,
    details: Record<string, string | number> = {},
  ) {
    super(`storefront ${storefrontId} cannot sell: ${reason}`, [reason], { details: { storefrontId, reason, ...details } });
  }
}

/** Whether a storefront's menu line sells the plan: a line in its currency, for a plan of one price. */
function menuSells(line: MenuItem | null, plan: Plan): line is MenuItem {
  // A plan the buyer builds has no one retail price to split: storefronts do not sell it (see `setMenuItem`).
  return line !== null && line.retailPrice.currency === plan.price.currency && plan.builder === null;
}

/** The plan at its menu line's retail price, as a price book line: extension and top-up prices scale with it as a reseller's do. */
function atRetail(storefrontId: string, line: MenuItem, plan: Plan): Plan {
  return priceForBuyer(plan, {
    customerId: storefrontId,
    planId: plan.id,
    price: line.retailPrice,
    extensionPrice: null,
    trafficPricePerGiB: null,
    updatedAt: line.updatedAt,
  }).plan;
}

/** The plan at a storefront's retail price (its menu line), or `not_on_menu`. */
export async function storefrontPlan(repos: Pick<StorageRepositories, 'storefronts'>, storefrontId: string, plan: Plan): Promise<Plan> {
  const line = await repos.storefronts.getMenuItem(storefrontId, plan.id);
  if (!menuSells(line, plan)) throw new StorefrontRefusedError(storefrontId, 'not_on_menu', { planId: plan.id });
  return atRetail(storefrontId, line, plan);
}

/**
 * Of `plans`, the ones a storefront sells now, at its retail prices, in the given order: a plan on sale that a line of
 * `menu` (the storefront's lines, read) sells (in the plan's currency; a plan its buyer builds is never sold there).
 * The one definition of a storefront's offer: `plansSoldTo`, `kit.storefronts.catalog` and `plansSold` answer with it.
 */
export function plansOnMenu(storefrontId: string, menu: readonly MenuItem[], plans: readonly Plan[]): Plan[] {
  const lines = new Map(menu.map((line) => [line.planId, line]));
  return plans.flatMap((plan) => {
    const line = lines.get(plan.id) ?? null;
    return plan.onSale && menuSells(line, plan) ? [atRetail(storefrontId, line, plan)] : [];
  });
}

/** Of `plans`, the ones a storefront sells now at its retail prices (`plansOnMenu`), in the given order; one read of its menu. */
export async function storefrontPlans(
  repos: Pick<StorageRepositories, 'storefronts'>,
  storefrontId: string,
  plans: readonly Plan[],
): Promise<Plan[]> {
  return plansOnMenu(storefrontId, await repos.storefronts.menu(storefrontId), plans);
}

/**
 * Of `plans`, the ones this customer may buy, priced as `pricerFor` prices them, in the given order: a storefront's
 * buyer only those its storefront sells now (`storefrontPlans`, at its retail prices; for the others `pricerFor` is
 * `not_on_menu`), anyone else every one (at their price book's prices). One read of the menu or the price book.
 */
export async function plansSoldTo(
  repos: Pick<StorageRepositories, 'storefronts' | 'priceBooks'>,
  customer: Pick<Customer, 'id' | 'storefrontId'>,
  plans: readonly Plan[],
): Promise<Plan[]> {
  if (customer.storefrontId === null) return buyerPlan(repos, customer.id, plans);
  return storefrontPlans(repos, customer.storefrontId, plans);
}

/** How a checkout prices a plan for its customer: a storefront's retail price for its buyers, else `buyerPlan`. */
export function pricerFor(repos: Pick<StorageRepositories, 'storefronts' | 'priceBooks'>, customer: Pick<Customer, 'id' | 'storefrontId'>) {
  const storefrontId = customer.storefrontId;
  return (plan: Plan): Promise<Plan> =>
    storefrontId === null ? buyerPlan(repos, customer.id, plan) : storefrontPlan(repos, storefrontId, plan);
}

/** A storefront sale under way: the storefront, locked (then its reseller), inside a checkout's transaction. */
export interface OpenStorefrontSale {
  storefront: Storefront;
}

/**
 * Locks the buyer's storefront and its reseller (first in the lock order) and checks it sells now. Throws
 * `StorefrontRefusedError` (`storefront_suspended`) having written nothing.
 */
export async function openStorefrontSale(tx: StorageRepositories, storefrontId: string): Promise<OpenStorefrontSale> {
  const storefront = await tx.storefronts.lockForSale(storefrontId);
  if (storefront === null) throw new StorefrontRefusedError(storefrontId, 'storefront_suspended');
  if (storefront.status !== 'active') throw new StorefrontRefusedError(storefront.id, 'storefront_suspended');
  return { storefront };
}

/** Checks the quotas with this order added; the targets a storefront may sell on. */
export async function checkStorefrontQuotas(
  tx: StorageRepositories,
  sale: OpenStorefrontSale,
  items: readonly { planId: string; quantity: number; trial: boolean }[],
  plans: ReadonlyMap<string, Plan>,
  targets: readonly Target[],
): Promise<Target[]> {
  const size = { subscriptions: 0, trafficBytes: 0 };
  for (const item of items) {
    const plan = plans.get(item.planId)!;
    // A unit of a plan of several kinds is a subscription per kind, each with the whole limit, as `usage` counts them.
    const parts = item.quantity * plan.kinds.length;
    size.subscriptions += parts;
    size.trafficBytes += parts * ((item.trial ? plan.trial?.trafficBytes : plan.trafficBytes) ?? 0);
  }
  const refusal = decideStorefrontSale(sale.storefront, await tx.storefronts.usage(sale.storefront.id), size);
  if (refusal !== null) throw new StorefrontRefusedError(sale.storefront.id, refusal);
  const panelIds = sale.storefront.quotas.panelIds;
  if (panelIds === null) return [...targets];
  const allowed = new Set(panelIds);
  return targets.filter((t) => allowed.has(t.panelId));
}

/** The first instant of `now`'s calendar month in UTC. */
function monthStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

/** What one storefront sale sold, for `writeStorefrontSplit`; amounts in minor units of `currency`. */
export interface StorefrontSplitInput {
  buyerId: string;
  orderId: string | null;
  subscriptionId: string | null;
  source: StorefrontSaleSource;
  /** The buyer's ledger key of a charge with no order; `null` for an order's sale. */
  chargeKey: string | null;
  /** What the buyer paid, after any discount. */
  retail: number;
  /** What the same thing costs the reseller at their price book. */
  wholesale: number;
  currency: string;
  /** Makes the split's keys (`storefront.wholesale:<ref>`, `storefront.margin:<ref>`, `storefront.sale:<ref>`): one split per ref. */
  ref: string;
  now: Date;
  actor: Actor;
}

/**
 * The one place a storefront sale's split is written, in its charge's transaction (the storefront locked first by
 * `openStorefrontSale`): the reseller's `wholesale` debit (their credit limit applies: `StorefrontRefusedError`
 * `reseller_credit` past it, and the caller's transaction writes nothing), the retail collected for them plus a
 * tier's bonus (`split.payout`) to their payout balance, the sale's record and its audit event (`storefront.sold`),
 * each once per `ref`: the reseller nets the margin.
 */
export async function writeStorefrontSplit(
  tx: StorageRepositories,
  sale: OpenStorefrontSale,
  input: StorefrontSplitInput,
): Promise<StorefrontSale> {
  const { storefront } = sale;
  const { actor, currency, ref } = input;
  const bonusBps = commissionBonusBps(storefront.commissionTiers, await tx.storefronts.countSales(storefront.id, monthStart(input.now)));
  const split = splitStorefrontSale({ retail: input.retail, wholesale: input.wholesale, bonusBps });
  if (split.wholesale > 0) {
    try {
      await tx.ledger.append({
        customerId: storefront.resellerId,
        kind: 'wholesale',
        amount: -split.wholesale,
        currency,
        idempotencyKey: `storefront.wholesale:${ref}`,
        orderId: input.orderId,
        subscriptionId: input.subscriptionId,
        reference: storefront.id,
        note: input.source === 'checkout' ? null : input.source,
        actor,
      });
    } catch (error) {
      if (!InsufficientFundsError.is(error)) throw error;
      throw new StorefrontRefusedError(storefront.id, 'reseller_credit', { shortBy: Number(error.details?.['shortBy'] ?? 0) });
    }
  }
  if (split.payout > 0)
    await tx.payouts.append({
      partnerId: storefront.resellerId,
      kind: 'margin',
      amount: split.payout,
      currency,
      idempotencyKey: `storefront.margin:${ref}`,
      storefrontId: storefront.id,
      orderId: input.orderId,
      actor,
    });
  const { sale: recorded } = await tx.storefronts.recordSale({
    storefrontId: storefront.id,
    resellerId: storefront.resellerId,
    buyerId: input.buyerId,
    orderId: input.orderId,
    subscriptionId: input.subscriptionId,
    source: input.source,
    chargeKey: input.chargeKey,
    kind: 'sale',
    retail: { amount: split.retail, currency },
    wholesale: { amount: split.wholesale, currency },
    margin: { amount: split.margin, currency },
    bonus: { amount: split.bonus, currency },
    idempotencyKey: `storefront.sale:${ref}`,
  });
  const what = input.orderId === null ? { subscriptionId: input.subscriptionId, chargeKey: input.chargeKey } : { orderId: input.orderId };
  await tx.audit.append({
    actor,
    action: 'storefront.sold',
    subjectType: 'storefront',
    subjectId: storefront.id,
    data: { ...what, source: input.source, buyerId: input.buyerId, currency, ...split },
  });
  return recorded;
}

/**
 * Writes a placed order's split in its checkout's transaction (`writeStorefrontSplit`): the wholesale is the sum of
 * its paid lines at the reseller's price book, the retail the order's total.
 */
export async function settleStorefrontSale(
  tx: StorageRepositories,
  sale: OpenStorefrontSale,
  input: {
    order: Order;
    items: readonly { planId: string; quantity: number; trial: boolean }[];
    now: Date;
    actor: Actor;
  },
): Promise<StorefrontSale> {
  const { order } = input;
  let wholesale = 0;
  for (const item of input.items) {
    if (item.trial) continue;
    const listed = await tx.plans.get(item.planId);
    if (listed === null) continue;
    wholesale += (await buyerPlan(tx, sale.storefront.resellerId, listed)).price.amount * item.quantity;
  }
  return writeStorefrontSplit(tx, sale, {
    buyerId: order.customerId,
    orderId: order.id,
    subscriptionId: null,
    source: 'checkout',
    chargeKey: null,
    retail: order.total.amount,
    wholesale,
    currency: order.total.currency,
    ref: order.id,
    now: input.now,
    actor: input.actor,
  });
}

const amounts = (s: StorefrontSale): StorefrontSplit => ({
  retail: s.retail.amount,
  wholesale: s.wholesale.amount,
  margin: s.margin.amount,
  bonus: s.bonus.amount,
  payout: s.wholesale.amount + s.margin.amount,
});

/**
 * Before a refund of `order` writes anything: locks its storefront and reseller when a storefront sold it (the lock
 * order a sale takes), and answers its sale rows; `null` for an order no storefront sold.
 */
export async function lockStorefrontOfOrder(tx: StorageRepositories, orderId: string): Promise<StorefrontSale[] | null> {
  const rows = await tx.storefronts.salesOfOrder(orderId);
  const sale = rows.find((r) => r.kind === 'sale');
  if (sale === undefined) return null;
  await tx.storefronts.lockForSale(sale.storefrontId);
  return rows;
}

/**
 * Reverses the split of a storefront sale in the share a refund returns (`reverseStorefrontSplit`): the wholesale
 * credited back to the reseller's wallet, the payout credit (wholesale and margin parts) taken back from their payout
 * balance (which may go below zero),
 * a `refund` row; each once per refund key. Called in the refund's transaction after its credit.
 */
export async function reverseStorefrontSale(
  tx: StorageRepositories,
  rows: readonly StorefrontSale[],
  refund: { amount: number; paid: number; refundedBefore: number; key: string; actor: Actor },
): Promise<StorefrontSale | null> {
  const sale = rows.find((r) => r.kind === 'sale');
  if (sale === undefined) return null;
  const reversed: StorefrontSplit = { retail: 0, wholesale: 0, margin: 0, bonus: 0, payout: 0 };
  for (const r of rows)
    if (r.kind === 'refund') {
      reversed.wholesale -= r.wholesale.amount;
      reversed.margin -= r.margin.amount;
      reversed.bonus -= r.bonus.amount;
      reversed.payout -= r.wholesale.amount + r.margin.amount;
    }
  const back = reverseStorefrontSplit(amounts(sale), reversed, refund.amount, refund.paid, refund.refundedBefore);
  const currency = sale.retail.currency;
  const { actor } = refund;
  if (back.wholesale > 0)
    await tx.ledger.append({
      customerId: sale.resellerId,
      kind: 'wholesale',
      amount: back.wholesale,
      currency,
      idempotencyKey: `storefront.wholesale.refund:${refund.key}`,
      orderId: sale.orderId,
      subscriptionId: sale.subscriptionId,
      reference: sale.storefrontId,
      note: sale.orderId === null ? 'charge refunded' : 'order refunded',
      actor,
    });
  if (back.payout > 0)
    await tx.payouts.append({
      partnerId: sale.resellerId,
      kind: 'margin',
      amount: -back.payout,
      currency,
      idempotencyKey: `storefront.margin.refund:${refund.key}`,
      storefrontId: sale.storefrontId,
      orderId: sale.orderId,
      note: sale.orderId === null ? 'charge refunded' : 'order refunded',
      actor,
    });
  const { sale: row } = await tx.storefronts.recordSale({
    storefrontId: sale.storefrontId,
    resellerId: sale.resellerId,
    buyerId: sale.buyerId,
    orderId: sale.orderId,
    subscriptionId: sale.subscriptionId,
    source: sale.source,
    chargeKey: sale.chargeKey,
    kind: 'refund',
    retail: { amount: -back.retail, currency },
    wholesale: { amount: -back.wholesale, currency },
    margin: { amount: -back.margin, currency },
    bonus: { amount: -back.bonus, currency },
    idempotencyKey: `storefront.refund:${refund.key}`,
  });
  await tx.audit.append({
    actor,
    action: 'storefront.refunded',
    subjectType: 'storefront',
    subjectId: sale.storefrontId,
    data: {
      ...(sale.orderId === null ? { subscriptionId: sale.subscriptionId, chargeKey: sale.chargeKey } : { orderId: sale.orderId }),
      source: sale.source,
      currency,
      retail: back.retail,
      wholesale: back.wholesale,
      margin: back.margin,
      bonus: back.bonus,
      payout: back.payout,
    },
  });
  return row;
}
