import { CapacityExhaustedError, EligibilityError, IdempotencyConflictError, InsufficientFundsError, NotFoundError } from '@panelkit/sdk';
import { StorefrontRefusedError } from '@panelkit/sdk/storefronts';
import { ShopError } from '../shop-error.js';

/**
 * The engine's refusal of a gift purchase or claim as the shop's (`gifts.refused.*`), or `null` for an error that
 * is not the buyer's to fix.
 */
export function giftRefusal(error: unknown): ShopError | null {
  if (InsufficientFundsError.is(error)) return new ShopError('insufficient_funds', 'gifts.refused.insufficient_funds');
  if (CapacityExhaustedError.is(error)) return new ShopError('conflict', 'gifts.refused.sold_out');
  if (IdempotencyConflictError.is(error)) return new ShopError('conflict', 'checkout.refused.key_reused');
  // A storefront's buyer: no gifts there (`gifts_not_sold`), or the storefront sells nothing now.
  if (StorefrontRefusedError.is(error)) return new ShopError('conflict', `storefronts.refusals.${error.reason}`);
  if (EligibilityError.is(error)) {
    const reason = error.reasons[0] ?? '';
    const known = ['not_on_sale', 'free_plan', 'built_plan', 'own_gift', 'gift_claimed', 'gift_expired'].includes(reason);
    return new ShopError('conflict', known ? `gifts.refused.${reason}` : 'errors.notEligible');
  }
  if (NotFoundError.is(error))
    return new ShopError('not_found', error.entity === 'gift' ? 'gifts.refused.unknown_code' : 'errors.notFound');
  return null;
}

/** Runs an engine call, turning its refusals into `ShopError`s (see {@link giftRefusal}). */
export async function refusingAsShop<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw giftRefusal(error) ?? error;
  }
}
