import { CapacityExhaustedError, ConflictError, EligibilityError, InsufficientFundsError } from '@panelkit/sdk';
import { formatMoney } from '../../i18n/format.js';
import { discountRefusal, storefrontRefusal, type Refusal } from '../subscriptions/refusals.js';
import type { Locale } from '../../i18n/translate.js';

/** Where each area's refusals are said (`…refused.sold_out`) and its engine reasons (`…reasons.trial`). */
const KEYS = {
  traffic: { refused: 'traffic.refused.', reasons: 'traffic.reasons.' },
  planChange: { refused: 'planChange.refused.', reasons: 'planChange.reasons.' },
  devicePacks: { refused: 'devicePacks.refused.', reasons: 'devicePacks.reasons.' },
} as const;

/**
 * Why buying traffic (`area` `traffic`), changing plan (`planChange`) or adding devices (`devicePacks`) was refused (nothing was
 * charged), or `null` for an error that is not the buyer's to fix. A refused discount code is said in
 * the code's words (`discounts.reasons.*`, on the `discountCode` field), a storefront's refusal in its
 * (`storefronts.refusals.*`).
 */
export function sellingRefusal(area: keyof typeof KEYS, error: unknown): Refusal | null {
  const { refused, reasons } = KEYS[area];
  const discount = discountRefusal(error);
  if (discount !== null) return discount;
  if (InsufficientFundsError.is(error)) {
    const funds = { balance: error.balance, required: error.required, currency: error.currency };
    return { code: 'insufficient_funds', key: `${refused}insufficient_funds`, reason: 'insufficient_funds', funds };
  }
  if (CapacityExhaustedError.is(error)) return { code: 'conflict', key: `${refused}sold_out`, reason: 'sold_out' };
  const storefront = storefrontRefusal(error);
  if (storefront !== null) return storefront;
  if (EligibilityError.is(error)) {
    const reason = error.reasons[0] ?? 'not_eligible';
    return { code: 'conflict', key: `${reasons}${reason}`, reason };
  }
  if (ConflictError.is(error)) {
    const inProgress = error.details?.['reason'] === 'change_in_progress';
    const reason = inProgress ? 'change_in_progress' : 'conflict';
    return { code: 'conflict', key: inProgress ? `${refused}change_in_progress` : 'errors.conflict', reason };
  }
  return null;
}

/** The message parameters of a refusal: the balance and the total, for `insufficient_funds`. */
export function refusalParams(locale: Locale, refusal: Refusal): Record<string, string> {
  if (!refusal.funds) return {};
  const { balance, required, currency } = refusal.funds;
  return {
    balance: formatMoney({ amount: balance, currency }, locale),
    total: formatMoney({ amount: required, currency }, locale),
  };
}
