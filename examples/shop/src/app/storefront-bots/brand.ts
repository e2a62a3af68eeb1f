import { z } from 'zod';
import { LOCALES } from '../../i18n/locales.js';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';
import { containsNul } from '../input/nul-text.js';
import { StorefrontBrandStore, type StorefrontBrand } from '../../db/storefront-brands.js';

/** The store of storefront brands on the shop's database. */
export function storefrontBrands(shop: Pick<Shop, 'db' | 'shopSchema' | 'clock'>): StorefrontBrandStore {
  return new StorefrontBrandStore(shop.db, shop.shopSchema, shop.clock);
}

const perLocale = (max: number) =>
  z.partialRecord(z.enum(LOCALES as unknown as [string, ...string[]]), z.string().trim().min(1).max(max)).default({});

/** What a brand form or API call may set: every text bounded, languages only the shop's. */
export const BrandInputSchema = z
  .object({
    shopName: z.string().trim().min(1).max(64),
    support: z
      .string()
      .trim()
      .max(200)
      .nullish()
      .transform((value) => (value === '' || value == null ? null : value)),
    welcome: perLocale(1000),
    planNames: z.record(z.string().min(1).max(100), perLocale(64)).default({}),
  })
  .strict();

/** A brand as typed, before it is checked. */
export type BrandInput = z.input<typeof BrandInputSchema>;

/**
 * Sets a storefront's brand, whole: its shop name (1–64 characters), support contact, and its welcome and plan texts
 * per shop language. Anything else (an unknown language, an empty or too long text, a NUL, an unknown field) is
 * `invalid_input` naming the field, and nothing changes. The caller checks that the storefront is the caller's.
 */
export async function setStorefrontBrand(shop: Shop, storefrontId: string, input: unknown): Promise<StorefrontBrand> {
  const parsed = BrandInputSchema.safeParse(input);
  if (!parsed.success || containsNul(input)) {
    const fields = Object.fromEntries(
      (parsed.success ? [] : parsed.error.issues).map((issue) => [String(issue.path[0] ?? 'brand'), 'storefrontBot.errors.brandField']),
    );
    throw new ShopError('invalid_input', 'storefrontBot.errors.brand', {}, fields);
  }
  return storefrontBrands(shop).save({ storefrontId, ...parsed.data });
}
