import { readSetting, writeSetting, type SettingsDb } from '../../../db/shop-settings.js';
import type { StripeApi } from '@panelkit/payment-providers/stripe';

/** The setting's name in `shop_settings`. */
export const STRIPE_SETTING = 'payments.stripe';

/**
 * Stripe as the owner set it up: on or off, the API's address, and (sealed at rest) the secret key and the webhook
 * endpoint's signing secret.
 */
export interface StripeSettings {
  enabled: boolean;
  baseUrl: string;
  secretKey: string;
  webhookSecret: string;
}

/** The settings with the keys opened, or `null` when the owner never set Stripe up. */
export async function stripeSettings(shop: SettingsDb): Promise<StripeSettings | null> {
  const stored = await readSetting<{ enabled: boolean; baseUrl: string }, { secretKey: string; webhookSecret: string }>(
    shop,
    STRIPE_SETTING,
  );
  if (stored === null || stored.secret === null) return null;
  return { ...stored.value, ...stored.secret };
}

/** The API when Stripe is set up and on; else `null`. */
export async function activeStripe(shop: SettingsDb): Promise<StripeApi | null> {
  const settings = await stripeSettings(shop);
  return settings?.enabled ? { baseUrl: settings.baseUrl, secretKey: settings.secretKey, webhookSecret: settings.webhookSecret } : null;
}

/** Saves the settings; the secret key and the webhook secret are sealed before they reach the database. */
export function saveStripeSettings(shop: SettingsDb, settings: StripeSettings, at: Date, by: string | null): Promise<void> {
  const { secretKey, webhookSecret, ...value } = settings;
  return writeSetting(shop, STRIPE_SETTING, value, { secretKey, webhookSecret }, at, by);
}
