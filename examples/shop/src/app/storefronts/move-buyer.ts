import type { Customer } from '@panelkit/sdk';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';
import { customerTyped } from './find-customer.js';
import { refusedAs } from './refusals.js';
import { ownerActor, type StorefrontStaff } from './staff.js';

/**
 * The owner moves a buyer (typed as an e-mail or customer id) to a storefront, or to the owner's own shop
 * (`storefrontId: null`): from then on the buyer sees that storefront's menu and prices. Their subscriptions are
 * untouched. Audited by the SDK. A reseller cannot be a buyer of a storefront.
 */
export async function moveBuyer(
  shop: Shop,
  input: { buyer: string; storefrontId: string | null },
  staff: StorefrontStaff,
): Promise<Customer> {
  const actor = ownerActor(staff);
  const buyer = await customerTyped(shop, input.buyer);
  if (buyer === null) throw new ShopError('invalid_input', 'storefronts.errors.noCustomer', {}, { buyer: 'storefronts.errors.noCustomer' });
  return refusedAs({ validation: 'storefronts.errors.buyerIsReseller', field: 'buyer' }, () =>
    shop.kit.storefronts.moveBuyer({ customerId: buyer.id, storefrontId: input.storefrontId, actor }),
  );
}
