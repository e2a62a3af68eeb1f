import type { BuyerRows, FigureLedgerEntry } from './rows.js';
import { isSalesDebit } from './sales.js';

const DAY_MS = 86_400_000;

/** How long after a trial starts a first payment counts as its conversion. */
export const TRIAL_CONVERSION_DAYS = 30;

/** What became of a customer's first trial: see {@link trialConversionOf}. */
export interface TrialConversion {
  /** When the customer's first trial subscription was created, and its plan's trial family. */
  startedAt: Date;
  family: string;
  /**
   * `converted_30d`: first paid within {@link TRIAL_CONVERSION_DAYS} days of the trial's start (the end included);
   * `converted_later`: after that; `already_paying`: paid before the trial (left out of the rate); `not_converted`:
   * has not paid.
   */
  outcome: 'converted_30d' | 'converted_later' | 'already_paying' | 'not_converted';
}

/**
 * Whether a sales debit pays for trials only: it names a trial subscription, or it is for an order all of whose
 * subscriptions are trials (a paid trial's price).
 */
function paysForTrial(e: FigureLedgerEntry, rows: Pick<BuyerRows, 'subscriptions'>): boolean {
  if (e.subscriptionId !== null) return rows.subscriptions.some((s) => s.id === e.subscriptionId && s.trial);
  if (e.orderId === null) return false;
  const ofOrder = rows.subscriptions.filter((s) => s.orderId === e.orderId);
  return ofOrder.length > 0 && ofOrder.every((s) => s.trial);
}

/**
 * A customer's trial → paid outcome, counted in the month of their first trial subscription's creation, or `null`
 * for a customer who never took a trial. The paid instant that converts is the first sales debit that does not pay
 * for trials only: a paid trial's price makes its payer a buyer, but it does not convert the trial. "Within 30 days
 * after the trial" is read as after the trial's start (its `createdAt`), whatever the trial's length.
 */
export function trialConversionOf(rows: Pick<BuyerRows, 'ledger' | 'subscriptions' | 'planFamilies'>): TrialConversion | null {
  let first: BuyerRows['subscriptions'][number] | null = null;
  for (const s of rows.subscriptions) {
    if (!s.trial) continue;
    if (first === null || s.createdAt < first.createdAt || (s.createdAt.getTime() === first.createdAt.getTime() && s.id < first.id))
      first = s;
  }
  if (first === null) return null;
  let paidAt: Date | null = null;
  for (const e of rows.ledger) {
    if (isSalesDebit(e) && !paysForTrial(e, rows) && (paidAt === null || e.createdAt < paidAt)) paidAt = e.createdAt;
  }
  const family = rows.planFamilies[first.planId] ?? '';
  const startedAt = first.createdAt;
  let outcome: TrialConversion['outcome'];
  if (paidAt === null) outcome = 'not_converted';
  else if (paidAt < startedAt) outcome = 'already_paying';
  else if (paidAt.getTime() <= startedAt.getTime() + TRIAL_CONVERSION_DAYS * DAY_MS) outcome = 'converted_30d';
  else outcome = 'converted_later';
  return { startedAt, family, outcome };
}
