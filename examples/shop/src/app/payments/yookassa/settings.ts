import { readSetting, writeSetting, type SettingsDb } from '../../../db/shop-settings.js';
import type { YooKassaApi, YooKassaReceipts } from '@panelkit/payment-providers/yookassa';

/** The setting's name in `shop_settings`. */
export const YOOKASSA_SETTING = 'payments.yookassa';

/** The VAT codes of YooKassa's 54-FZ receipts (1: no VAT; 2–6: 0%, 10%, 20% and their calculated rates). */
export const YOOKASSA_VAT_CODES = [1, 2, 3, 4, 5, 6] as const;

/**
 * YooKassa as the owner set it up: on or off, the API's address, the shop id, whether every payment carries a 54-FZ
 * receipt, with which VAT code and to which of the owner's addresses when the buyer gave none (`receiptEmail`, ''
 * for none), and (sealed at rest) the secret key.
 */
export interface YooKassaSettings {
  enabled: boolean;
  baseUrl: string;
  shopId: string;
  receipts: boolean;
  vatCode: number;
  receiptEmail?: string;
  secretKey: string;
}

/** The settings with the secret key opened, or `null` when the owner never set YooKassa up. */
export async function yookassaSettings(shop: SettingsDb): Promise<YooKassaSettings | null> {
  const stored = await readSetting<Omit<YooKassaSettings, 'secretKey'>, { secretKey: string }>(shop, YOOKASSA_SETTING);
  if (stored === null || stored.secret === null) return null;
  return { ...stored.value, secretKey: stored.secret.secretKey };
}

/** The API when YooKassa is set up and on; else `null`. */
export async function activeYooKassa(shop: SettingsDb): Promise<YooKassaApi | null> {
  const settings = await yookassaSettings(shop);
  return settings?.enabled ? { baseUrl: settings.baseUrl, shopId: settings.shopId, secretKey: settings.secretKey } : null;
}

/** The owner's receipt settings (off while YooKassa was never set up). */
export async function yookassaReceipts(shop: SettingsDb): Promise<YooKassaReceipts> {
  const settings = await yookassaSettings(shop);
  return { enabled: settings?.receipts ?? false, vatCode: settings?.vatCode ?? 1, fallbackEmail: settings?.receiptEmail || null };
}

/** Saves the settings; the secret key is sealed before it reaches the database. */
export function saveYooKassaSettings(shop: SettingsDb, settings: YooKassaSettings, at: Date, by: string | null): Promise<void> {
  const { secretKey, ...value } = settings;
  return writeSetting(shop, YOOKASSA_SETTING, value, { secretKey }, at, by);
}
