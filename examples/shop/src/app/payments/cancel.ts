import { NotFoundError } from '@panelkit/sdk';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';
import { toShopPayment, type Payment } from './records.js';

/**
 * The buyer withdraws one of their own pending payments (an invoice they will not pay, a receipt sent
 * by mistake), for the wallet page and the JSON API alike: another buyer's payment is a 404, one that is
 * no longer pending a 409. It stops counting against the buyer's pending limit at once.
 */
export async function cancelOwnPayment(shop: Shop, customerId: string, paymentId: string): Promise<Payment> {
  const result = await shop.kit.payments.cancel({ paymentId, customerId }).catch((error: unknown) => {
    if (NotFoundError.is(error)) throw new ShopError('not_found', 'errors.notFound');
    throw error;
  });
  if (result.outcome !== 'cancelled') throw new ShopError('conflict', 'wallet.errors.notPending');
  return toShopPayment(result.payment);
}
