import { ConflictError, InsufficientFundsError, NotFoundError, PanelkitError, ValidationError } from '@panelkit/sdk';
import { ShopError } from '../shop-error.js';

/** Which message key each SDK refusal of a storefront action gets; unlisted ones keep the error handler's answer. */
export interface RefusalKeys {
  validation?: string;
  notFound?: string;
  conflict?: string;
  insufficientFunds?: string;
  /** The form field the message belongs to, for forms and JSON clients. */
  field?: string;
}

/**
 * Runs an SDK call of a storefront use case and turns its typed refusals into the shop's (with the messages
 * `keys` names); anything else is thrown on unchanged. The SDK wrote nothing when it refused.
 */
export async function refusedAs<T>(keys: RefusalKeys, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!PanelkitError.is(error)) throw error;
    const fields = (key: string) => (keys.field === undefined ? {} : { [keys.field]: key });
    if (keys.validation !== undefined && ValidationError.is(error))
      throw new ShopError('invalid_input', keys.validation, {}, fields(keys.validation));
    if (keys.notFound !== undefined && NotFoundError.is(error)) throw new ShopError('not_found', keys.notFound, {}, fields(keys.notFound));
    if (keys.conflict !== undefined && ConflictError.is(error)) throw new ShopError('conflict', keys.conflict, {}, fields(keys.conflict));
    if (keys.insufficientFunds !== undefined && InsufficientFundsError.is(error))
      throw new ShopError('conflict', keys.insufficientFunds, {}, fields(keys.insufficientFunds));
    throw error;
  }
}
