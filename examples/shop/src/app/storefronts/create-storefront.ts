import type { Storefront } from '@panelkit/sdk/storefronts';
import { resellerTerms } from '../selling/reseller-terms.js';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';
import { customerTyped } from './find-customer.js';
import { refusedAs } from './refusals.js';
import { ownerActor, type StorefrontStaff } from './staff.js';

/** The owner's "create a storefront" form: the reseller as typed (e-mail or customer id) and the shop name buyers see. */
export interface CreateStorefrontInput {
  reseller: string;
  name: string;
}

/**
 * The owner creates a storefront for a reseller (a customer with reseller terms: its wholesale prices and credit),
 * active, with no quota and an empty menu, audited by the SDK under the owner's name. A customer who is not a
 * reseller, a reseller who already runs one, or a bad name is refused and nothing is written.
 */
export async function createStorefront(shop: Shop, input: CreateStorefrontInput, staff: StorefrontStaff): Promise<Storefront> {
  const actor = ownerActor(staff);
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100) throw new ShopError('invalid_input', 'forms.invalid', {}, { name: 'forms.required' });
  const reseller = await customerTyped(shop, input.reseller);
  if (reseller === null)
    throw new ShopError('invalid_input', 'storefronts.errors.noCustomer', {}, { reseller: 'storefronts.errors.noCustomer' });
  if ((await resellerTerms(shop, reseller.id)) === null)
    throw new ShopError('invalid_input', 'storefronts.errors.notReseller', {}, { reseller: 'storefronts.errors.notReseller' });
  return refusedAs({ conflict: 'storefronts.errors.hasStorefront', validation: 'storefronts.errors.notReseller', field: 'reseller' }, () =>
    shop.kit.storefronts.create({ resellerId: reseller.id, name }, actor),
  );
}
