import { NotFoundError, ValidationError, type SavedPaymentMethodView } from '@panelkit/sdk';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';

/**
 * A buyer's saved payment methods (a card saved with a top-up), for every channel: the SDK keeps them
 * sealed per customer; the buyer sees their labels, removes them, and allows or stops charging them for
 * auto-renewals when the wallet is short. Another buyer's method is a 404, as if it did not exist.
 */
export function savedMethodsOf(shop: Shop, customerId: string): Promise<SavedPaymentMethodView[]> {
  return shop.kit.payments.savedMethods(customerId);
}

function refusedAsNotFound(error: unknown): never {
  if (NotFoundError.is(error) || ValidationError.is(error)) throw new ShopError('not_found', 'errors.notFound');
  throw error;
}

/** The buyer forgets one of their saved methods; nothing is charged from it afterwards. */
export async function removeOwnSavedMethod(shop: Shop, customerId: string, methodId: string): Promise<void> {
  await shop.kit.payments.removeSavedMethod({ customerId, methodId }).catch(refusedAsNotFound);
}

/** The buyer lets a saved method pay their auto-renewals when the wallet is short (`allowed`), or stops it. */
export function allowOwnSavedMethodForRenewal(
  shop: Shop,
  customerId: string,
  methodId: string,
  allowed: boolean,
): Promise<SavedPaymentMethodView> {
  return shop.kit.payments.allowSavedMethodForRenewal({ customerId, methodId, allowed }).catch(refusedAsNotFound);
}
