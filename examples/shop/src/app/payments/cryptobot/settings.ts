import { readSetting, writeSetting, type SettingsDb } from '../../../db/shop-settings.js';
import type { CryptoPayApi } from '@panelkit/payment-providers/cryptobot';

/** The setting's name in `shop_settings`. */
export const CRYPTOBOT_SETTING = 'payments.cryptobot';

/** CryptoBot (Crypto Pay) as the owner set it up: on or off, the API's address, and (sealed at rest) the app's API token. */
export interface CryptoBotSettings {
  enabled: boolean;
  baseUrl: string;
  token: string;
}

/** The settings with the token opened, or `null` when the owner never set CryptoBot up. */
export async function cryptoBotSettings(shop: SettingsDb): Promise<CryptoBotSettings | null> {
  const stored = await readSetting<{ enabled: boolean; baseUrl: string }, { token: string }>(shop, CRYPTOBOT_SETTING);
  if (stored === null || stored.secret === null) return null;
  return { ...stored.value, token: stored.secret.token };
}

/** The API when CryptoBot is set up and on; else `null`. */
export async function activeCryptoBot(shop: SettingsDb): Promise<CryptoPayApi | null> {
  const settings = await cryptoBotSettings(shop);
  return settings?.enabled ? { baseUrl: settings.baseUrl, token: settings.token } : null;
}

/** Saves the settings; the token is sealed before it reaches the database. */
export function saveCryptoBotSettings(shop: SettingsDb, settings: CryptoBotSettings, at: Date, by: string | null): Promise<void> {
  return writeSetting(shop, CRYPTOBOT_SETTING, { enabled: settings.enabled, baseUrl: settings.baseUrl }, { token: settings.token }, at, by);
}
