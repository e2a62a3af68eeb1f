import { MAX_ROWS_PER_CALL } from '../storage.js';
import type { CheckoutContextRequest } from '../storage-checkout-context.js';
import { byCodePoint, inputKeys, inputRecord, inputString } from './checks.js';

/**
 * An `orders.checkoutContext` request checked the same way in every storage: a customer id, an idempotency key and up
 * to {@link MAX_ROWS_PER_CALL} plan ids, answered with the distinct ids in code-point order.
 */
export function parseCheckoutContextRequest(value: unknown): CheckoutContextRequest {
  const what = 'checkout context request';
  const input = inputRecord(value, what);
  const planIds = inputKeys(input['planIds'], what, MAX_ROWS_PER_CALL);
  return {
    customerId: inputString(input['customerId'], what, 'customerId'),
    idempotencyKey: inputString(input['idempotencyKey'], what, 'idempotencyKey'),
    planIds: [...new Set(planIds)].sort(byCodePoint),
  };
}
