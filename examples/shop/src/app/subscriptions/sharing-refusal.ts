import { EligibilityError, NotFoundError } from '@panelkit/sdk';
import { ShopError } from '../shop-error.js';

/** A family plan's refusal as the shop's error: another buyer's (or no) subscription, invite or member is a 404. */
export function sharingError(error: unknown): unknown {
  if (NotFoundError.is(error)) return new ShopError('not_found', 'errors.notFound');
  if (EligibilityError.is(error)) return new ShopError('conflict', `sharing.reasons.${error.reasons[0] ?? 'not_shared'}`);
  return error;
}
