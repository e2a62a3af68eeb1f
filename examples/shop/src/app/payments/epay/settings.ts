import { readSetting, writeSetting, type SettingsDb } from '../../../db/shop-settings.js';
import type { EpayApi, EpayMode } from '@panelkit/payment-providers/epay';

/** The setting's name in `shop_settings`. */
export const EPAY_SETTING = 'payments.epay';

/** EPay as the owner set it up: on or off, the gateway's address, the merchant id, how buyers pay, and (sealed at rest) the key. */
export interface EpaySettings {
  enabled: boolean;
  baseUrl: string;
  pid: string;
  mode: EpayMode;
  key: string;
}

/** The settings with the key opened, or `null` when the owner never set EPay up. */
export async function epaySettings(shop: SettingsDb): Promise<EpaySettings | null> {
  const stored = await readSetting<{ enabled: boolean; baseUrl: string; pid: string; mode?: EpayMode }, { key: string }>(
    shop,
    EPAY_SETTING,
  );
  if (stored === null || stored.secret === null) return null;
  return { ...stored.value, mode: stored.value.mode ?? 'submit', key: stored.secret.key };
}

/** The gateway when EPay is set up and on; else `null`. */
export async function activeEpay(shop: SettingsDb): Promise<EpayApi | null> {
  const settings = await epaySettings(shop);
  return settings?.enabled ? { baseUrl: settings.baseUrl, pid: settings.pid, key: settings.key, mode: settings.mode } : null;
}

/** Saves the settings; the key is sealed before it reaches the database. */
export function saveEpaySettings(shop: SettingsDb, settings: EpaySettings, at: Date, by: string | null): Promise<void> {
  return writeSetting(
    shop,
    EPAY_SETTING,
    { enabled: settings.enabled, baseUrl: settings.baseUrl, pid: settings.pid, mode: settings.mode },
    { key: settings.key },
    at,
    by,
  );
}
