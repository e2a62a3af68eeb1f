import type { Request } from 'express';
import type { Shop } from '../app/shop.js';
import { storefrontAddresses, storefrontOfHost } from '../app/storefronts/web-address.js';
import { allBases, baseOnHost, requestHostName, shopHostNames, shownBase } from '../config/public-addresses.js';

/**
 * The shop's address this request came to, for a trip away that must come back to the same host (a sign-in with an
 * identity provider: its state cookie is that host's alone): one of the shop's configured addresses, or a
 * storefront's own host name as the owner set it (`baseOnHost`); any other Host gets the shown address.
 */
export async function requestBase(shop: Shop, req: Request): Promise<string> {
  const host = requestHostName(req);
  if (shopHostNames(shop.config).has(host)) return baseOnHost(shop.config, host);
  if (host !== '' && (await storefrontOfHost(shop, host)) !== null) return baseOnHost(shop.config, host);
  return shownBase(shop.config);
}

/** Every address {@link requestBase} may answer: the shop's configured ones (the shown first), then each storefront host's. */
export async function everyRequestBase(shop: Shop): Promise<string[]> {
  const hosts = [...(await storefrontAddresses(shop).hostOwners()).keys()].sort();
  return [...allBases(shop.config), ...hosts.map((host) => baseOnHost(shop.config, host))];
}
