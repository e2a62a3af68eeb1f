import { Router } from 'express';
import { ShopError } from '../app/shop-error.js';
import type { Shop } from '../app/shop.js';
import { STOREFRONT_SLUG, storefrontAddresses } from '../app/storefronts/web-address.js';
import { ctxOf } from '../http/context.js';
import { rememberArrivalStorefront } from '../http/storefront-arrival.js';

/**
 * A storefront's web address, `/store/<slug>`: a visitor's browser remembers the storefront (a new account made
 * from it then is that storefront's buyer, and the pages wear its brand) and lands on its catalog. A signed-in
 * customer is never moved (only the owner moves buyers): they land on their own shop's catalog. An unknown slug is 404.
 */
export function storefrontAddressRoutes(shop: Shop): Router {
  const router = Router();
  router.get('/store/:slug', async (req, res) => {
    const slug = String(req.params.slug).toLowerCase();
    const address = STOREFRONT_SLUG.test(slug) ? await storefrontAddresses(shop).bySlug(slug) : null;
    if (address === null) throw new ShopError('not_found', 'errors.notFound');
    if (ctxOf(res).viewer === null) rememberArrivalStorefront(res, address.storefrontId, shop.config.secureCookies);
    res.redirect(303, '/');
  });
  return router;
}
