import { readSetting, writeSetting, type SettingsDb } from '../../../db/shop-settings.js';
import type { NowPaymentsApi } from '@panelkit/payment-providers/nowpayments';

/** The setting's name in `shop_settings`. */
export const GATEWAY_SETTING = 'gateway.nowpayments';

/** The crypto gateway as the owner set it up: on or off, its API address, and (sealed at rest) its keys. */
export interface GatewaySettings {
  enabled: boolean;
  baseUrl: string;
  apiKey: string;
  ipnSecret: string;
}

/** The gateway's settings with its keys opened, or `null` when the owner never set it up. */
export async function gatewaySettings(shop: SettingsDb): Promise<GatewaySettings | null> {
  const stored = await readSetting<{ enabled: boolean; baseUrl: string }, { apiKey: string; ipnSecret: string }>(shop, GATEWAY_SETTING);
  if (stored === null || stored.secret === null) return null;
  return { ...stored.value, ...stored.secret };
}

/** The gateway when it is set up and on, as the API client wants it; else `null`. */
export async function activeGateway(shop: SettingsDb): Promise<NowPaymentsApi | null> {
  const settings = await gatewaySettings(shop);
  return settings?.enabled ? { baseUrl: settings.baseUrl, apiKey: settings.apiKey, ipnSecret: settings.ipnSecret } : null;
}

/** Saves the gateway's settings; the API key and the IPN secret are sealed before they reach the database. */
export function saveGatewaySettings(shop: SettingsDb, settings: GatewaySettings, at: Date, by: string | null): Promise<void> {
  return writeSetting(
    shop,
    GATEWAY_SETTING,
    { enabled: settings.enabled, baseUrl: settings.baseUrl },
    { apiKey: settings.apiKey, ipnSecret: settings.ipnSecret },
    at,
    by,
  );
}
