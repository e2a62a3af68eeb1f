import { readSetting, writeSetting, type SettingsDb } from '../../../db/shop-settings.js';
import type { ZarinpalApi } from '@panelkit/payment-providers/zarinpal';

/** The setting's name in `shop_settings`. */
export const ZARINPAL_SETTING = 'payments.zarinpal';

/** Zarinpal as the owner set it up: on or off, the API's address, and (sealed at rest) the merchant id. */
export interface ZarinpalSettings {
  enabled: boolean;
  baseUrl: string;
  merchantId: string;
}

/** The settings with the merchant id opened, or `null` when the owner never set Zarinpal up. */
export async function zarinpalSettings(shop: SettingsDb): Promise<ZarinpalSettings | null> {
  const stored = await readSetting<{ enabled: boolean; baseUrl: string }, { merchantId: string }>(shop, ZARINPAL_SETTING);
  if (stored === null || stored.secret === null) return null;
  return { ...stored.value, merchantId: stored.secret.merchantId };
}

/** The API when Zarinpal is set up and on; else `null`. */
export async function activeZarinpal(shop: SettingsDb): Promise<ZarinpalApi | null> {
  const settings = await zarinpalSettings(shop);
  return settings?.enabled ? { baseUrl: settings.baseUrl, merchantId: settings.merchantId } : null;
}

/** Saves the settings; the merchant id is sealed before it reaches the database. */
export function saveZarinpalSettings(shop: SettingsDb, settings: ZarinpalSettings, at: Date, by: string | null): Promise<void> {
  return writeSetting(
    shop,
    ZARINPAL_SETTING,
    { enabled: settings.enabled, baseUrl: settings.baseUrl },
    { merchantId: settings.merchantId },
    at,
    by,
  );
}
