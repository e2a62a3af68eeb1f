import { readSetting, writeSetting, type SettingsDb } from '../../../db/shop-settings.js';

/** The setting's name in `shop_settings`. */
export const STARS_SETTING = 'payments.stars';

/** The largest rate accepted: far above any currency's worth in Stars, small enough for exact integer sums. */
export const MAX_STARS_RATE = 1_000_000;

/**
 * Telegram Stars as the owner set them up: on or off, and the rate a top-up is priced at, in Stars per
 * one unit of the shop's currency (a decimal string of at most four decimals, e.g. `"50"` or `"0.0025"`).
 * Stars need no key of their own: the bot's token is the account they are paid into.
 */
export interface StarsSettings {
  enabled: boolean;
  starsPerUnit: string;
}

/** A rate as the owner typed it: a positive decimal with at most four decimals, at most {@link MAX_STARS_RATE}. */
export const STARS_RATE_PATTERN = /^(?:0|[1-9]\d{0,6})(?:\.\d{1,4})?$/;

/** The Stars settings, or `null` when the owner never set them. */
export async function starsSettings(shop: SettingsDb): Promise<StarsSettings | null> {
  return (await readSetting<StarsSettings, null>(shop, STARS_SETTING))?.value ?? null;
}

/** The rate when Stars are on and the rate is usable; else `null`. */
export async function activeStarsRate(shop: SettingsDb): Promise<string | null> {
  const settings = await starsSettings(shop);
  if (settings?.enabled !== true || !STARS_RATE_PATTERN.test(settings.starsPerUnit) || Number(settings.starsPerUnit) <= 0) return null;
  return settings.starsPerUnit;
}

/** Saves the Stars settings (nothing secret in them). */
export function saveStarsSettings(shop: SettingsDb, settings: StarsSettings, at: Date, by: string | null): Promise<void> {
  return writeSetting(shop, STARS_SETTING, settings, null, at, by);
}
