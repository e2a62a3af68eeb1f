import type { CampaignAttribution } from '../../domain/campaign.js';
import type { Actor } from '../../domain/common.js';
import type { Gift } from '../../domain/gift.js';
import type { LedgerEntry } from '../../domain/ledger.js';
import type { Order } from '../../domain/order.js';
import type { Payment } from '../../domain/payment.js';
import type { Referral } from '../../domain/referral.js';
import type { Subscription } from '../../domain/subscription.js';

/** The fields of a ledger entry the figures read; a stored `LedgerEntry` fits. */
export type FigureLedgerEntry = Pick<
  LedgerEntry,
  'id' | 'customerId' | 'kind' | 'amount' | 'currency' | 'orderId' | 'subscriptionId' | 'createdAt'
> & {
  actor: Pick<Actor, 'type'>;
};

/** The fields of a subscription the figures read; a stored `Subscription` fits. */
export type FigureSubscription = Pick<
  Subscription,
  | 'id'
  | 'customerId'
  | 'orderId'
  | 'planId'
  | 'panelId'
  | 'status'
  | 'statusChangedAt'
  | 'expiresAt'
  | 'durationDays'
  | 'activatedAt'
  | 'trial'
  | 'bundleId'
  | 'createdAt'
>;

/** The figures' fields of a stored subscription, and nothing else (what a storage's `figures.sources` answers). */
export function figureSubscriptionOf(s: FigureSubscription): FigureSubscription {
  return {
    id: s.id,
    customerId: s.customerId,
    orderId: s.orderId,
    planId: s.planId,
    panelId: s.panelId,
    status: s.status,
    statusChangedAt: s.statusChangedAt,
    expiresAt: s.expiresAt,
    durationDays: s.durationDays,
    activatedAt: s.activatedAt,
    trial: s.trial,
    bundleId: s.bundleId,
    createdAt: s.createdAt,
  };
}

/** The fields of an order the figures read; a stored `Order` fits. */
export type FigureOrder = Pick<Order, 'id' | 'customerId' | 'total' | 'createdAt'>;

/** The fields of a payment the figures read (its provider refunds live in `details.refunds`); a stored `Payment` fits. */
export type FigurePayment = Pick<
  Payment,
  'id' | 'customerId' | 'providerId' | 'currency' | 'ledgerEntryId' | 'reversalEntryId' | 'details'
>;

/**
 * Everything one customer's figures are computed from: their own rows as the storage keeps them. Every list holds
 * only this customer's rows (a row of another customer is a `ValidationError`); order does not matter.
 */
export interface BuyerRows {
  customer: { id: string; storefrontId: string | null };
  /** Every ledger entry of the customer, of every kind. */
  ledger: readonly FigureLedgerEntry[];
  /** Every subscription of the customer, trials and failed ones included. */
  subscriptions: readonly FigureSubscription[];
  /** Every order of the customer (free ones included). */
  orders: readonly FigureOrder[];
  /** Every payment of the customer; their `top_up` and `payment_reversal` entries are in `ledger`. */
  payments: readonly FigurePayment[];
  /** The customer's campaign attribution (the first one, which never changes), or `null`. */
  attribution: Pick<CampaignAttribution, 'campaign' | 'attributedAt'> | null;
  /** The referral naming the customer as `referredId`, or `null`. */
  referral: Pick<Referral, 'referredId'> | null;
  /** The gifts the customer claimed. */
  giftClaims: readonly Pick<Gift, 'claimedBy' | 'claimedAt'>[];
  /** When the customer was refused a trial (`trial.refused` audit events about them). */
  trialRefusals: readonly Date[];
  /** The trial family (`Plan.family`) of each plan the customer's trial subscriptions are on, by plan id. */
  planFamilies: Readonly<Record<string, string>>;
}
