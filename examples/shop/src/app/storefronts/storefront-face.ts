import { NotFoundError } from '@panelkit/sdk';
import type { StorefrontStatus } from '@panelkit/sdk/storefronts';
import type { TextsByLocale } from '../../db/storefront-brands.js';
import { storefrontBrands } from '../storefront-bots/brand.js';
import type { BrandPlanNames } from '../storefront-bots/brand-texts.js';
import type { Shop } from '../shop.js';

/** What the web shows of the storefront a page is seen through: its brand, and whether it sells now. */
export interface StorefrontFace {
  id: string;
  status: StorefrontStatus;
  /** The brand's shop name, else the storefront's own name (never the owner's shop name). */
  shopName: string;
  /** The brand's support contact; `null`: none shown (never the owner's). */
  support: string | null;
  /** The brand's welcome, per language. */
  welcome: TextsByLocale;
  /** The brand's own plan names, which its pages show as its bot does (`brandPlanName`). */
  planNames: BrandPlanNames;
}

/** The face of storefront `storefrontId`, or `null` when there is no such storefront. Reads only. */
export async function storefrontFace(shop: Shop, storefrontId: string): Promise<StorefrontFace | null> {
  let storefront: Awaited<ReturnType<Shop['kit']['storefronts']['get']>>;
  try {
    storefront = await shop.kit.storefronts.get(storefrontId);
  } catch (error) {
    if (NotFoundError.is(error)) return null;
    throw error;
  }
  const brand = await storefrontBrands(shop).get(storefront.id);
  return {
    id: storefront.id,
    status: storefront.status,
    shopName: brand?.shopName ?? storefront.name,
    support: brand?.support ?? null,
    welcome: brand?.welcome ?? {},
    planNames: brand?.planNames ?? {},
  };
}
