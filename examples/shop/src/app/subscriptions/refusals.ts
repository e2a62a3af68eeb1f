import {
  CapacityExhaustedError,
  ConflictError,
  EligibilityError,
  IdempotencyConflictError,
  InsufficientFundsError,
  ValidationError,
} from '@panelkit/sdk';
import { StorefrontRefusedError } from '@panelkit/sdk/storefronts';
import type { ShopErrorCode } from '../shop-error.js';
import { builderRefusal } from './builder-refusals.js';

/** An engine refusal a buyer can act on: its code, the message key and, for a form, the field it is about. */
export interface Refusal {
  code: ShopErrorCode;
  key: string;
  /** `insufficient_funds` carries the balance and the amount needed, in minor units. */
  funds?: { balance: number; required: number; currency: string };
  field?: string;
  /** The engine's reason, for API clients. */
  reason: string;
  /** For `too_early`: when extension opens. */
  opensAt?: Date;
}

function funds(error: InsufficientFundsError): Refusal['funds'] {
  return { balance: error.balance, required: error.required, currency: error.currency };
}

/** A refused discount code: the reason on the code field, in the buyer's words (`discounts.reasons.*`). */
export function discountRefusal(error: unknown): Refusal | null {
  if (!EligibilityError.is(error)) return null;
  const reason = error.details?.['discountReason'];
  if (typeof reason !== 'string') return null;
  return { code: 'conflict', key: `discounts.reasons.${reason}`, reason, field: 'discountCode' };
}

/**
 * A storefront's refusal (`StorefrontRefusedError`: suspended, over a quota, the reseller's credit, no gifts) in its
 * buyer's words (`storefronts.refusals.*`), whatever the sale (checkout, extension, plan change, top-up, device pack).
 */
export function storefrontRefusal(error: unknown): Refusal | null {
  if (!StorefrontRefusedError.is(error)) return null;
  return { code: 'conflict', key: `storefronts.refusals.${error.reason}`, reason: error.reason };
}

/** Why a checkout was refused (nothing was charged), or `null` for an error that is not the buyer's to fix. */
export function checkoutRefusal(error: unknown): Refusal | null {
  const discount = discountRefusal(error);
  if (discount !== null) return discount;
  const built = builderRefusal(error);
  if (built !== null) return built;
  if (InsufficientFundsError.is(error))
    return { code: 'insufficient_funds', key: 'checkout.refused.insufficient_funds', reason: 'insufficient_funds', funds: funds(error) };
  if (CapacityExhaustedError.is(error)) return { code: 'conflict', key: 'checkout.refused.sold_out', reason: 'sold_out' };
  if (IdempotencyConflictError.is(error)) return { code: 'conflict', key: 'checkout.refused.key_reused', reason: 'idempotency_key_reused' };
  // A storefront's buyer is told why its shop sells nothing now (suspended, over a quota, the reseller's credit).
  const storefront = storefrontRefusal(error);
  if (storefront !== null) return storefront;
  if (EligibilityError.is(error)) {
    const reason = error.reasons[0] ?? 'not_eligible';
    const known = ['not_on_sale', 'no_trial', 'already_used', 'phone_required'].includes(reason);
    return { code: 'conflict', key: known ? `checkout.refused.${reason}` : 'errors.notEligible', reason };
  }
  if (ValidationError.is(error) && error.issues.some((i) => i.path === 'items.quantity')) {
    return { code: 'invalid_input', key: 'checkout.refused.trial_is_one', reason: 'trial_is_one', field: 'quantity' };
  }
  return null;
}

/** Why paying for an extension was refused (nothing was charged), or `null`. */
export function extensionRefusal(error: unknown): Refusal | null {
  const discount = discountRefusal(error);
  if (discount !== null) return discount;
  if (InsufficientFundsError.is(error))
    return { code: 'insufficient_funds', key: 'extension.refused.insufficient_funds', reason: 'insufficient_funds', funds: funds(error) };
  const storefront = storefrontRefusal(error);
  if (storefront !== null) return storefront;
  if (EligibilityError.is(error)) {
    const reason = error.reasons[0] ?? 'not_eligible';
    const opensAt = error.details?.['opensAt'];
    return {
      code: 'conflict',
      key: `extension.reasons.${reason}`,
      reason,
      ...(typeof opensAt === 'string' ? { opensAt: new Date(opensAt) } : {}),
    };
  }
  if (ConflictError.is(error)) {
    const inProgress = error.details?.['reason'] === 'change_in_progress';
    return {
      code: 'conflict',
      key: inProgress ? 'extension.refused.change_in_progress' : 'errors.conflict',
      reason: inProgress ? 'change_in_progress' : 'conflict',
    };
  }
  return null;
}
