import type { Shop } from '../shop.js';
import { connectStorefrontBot, type ConnectedBot } from '../storefront-bots/connect-bot.js';
import { refusedAs } from './refusals.js';
import { ownerActor, type StorefrontStaff } from './staff.js';

/**
 * The owner connects a storefront's bot for its reseller: admins only (`forbidden` otherwise), an unknown storefront
 * is `not_found`; the token's refusals are `connectStorefrontBot`'s. Nothing is saved on any refusal.
 */
export async function ownerConnectBot(shop: Shop, storefrontId: string, token: string, staff: StorefrontStaff): Promise<ConnectedBot> {
  ownerActor(staff);
  await refusedAs({ notFound: 'errors.notFound' }, () => shop.kit.storefronts.get(storefrontId));
  return connectStorefrontBot(shop, storefrontId, token);
}
