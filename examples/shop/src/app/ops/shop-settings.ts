import type { Actor } from '@panelkit/sdk';
import { writeSetting } from '../../db/shop-settings.js';
import { saveGatewaySettings, type GatewaySettings } from '../payments/crypto/gateway-settings.js';
import { payoutCard, savePayoutCard, type PayoutCard } from '../payments/payout-card.js';
import type { Shop } from '../shop.js';

/** The setting the Telegram bot's token is kept in (sealed) when it is set in the admin's settings rather than in the environment. */
export const BOT_TOKEN_SETTING = 'telegram.bot';

/** The owner's settings form, checked: what to store (the gateway and the bot token only when given). */
export interface ShopSettingsChange {
  /** The payout card for card-to-card top-ups; `null` turns card-to-card off. */
  card: PayoutCard | null;
  /** The crypto gateway, or `null` to leave it as it is. */
  gateway: GatewaySettings | null;
  /** A new bot token, or `null` to keep the stored one. */
  botToken: string | null;
}

/**
 * Saves the owner's settings and audits them as `settings.saved`: which settings changed, never their values (a
 * changed payout card by its last four digits: every buyer sees it, but a changed one is what an intruder would do).
 */
export async function saveShopSettings(shop: Shop, change: ShopSettingsChange, actor: Actor): Promise<void> {
  const now = shop.clock.now();
  const currentCard = await payoutCard(shop);
  const cardChanged = change.card?.cardNumber !== currentCard?.cardNumber || change.card?.holder !== currentCard?.holder;
  if (cardChanged) await savePayoutCard(shop, change.card, now, actor.id);
  if (change.gateway !== null) await saveGatewaySettings(shop, change.gateway, now, actor.id);
  if (change.botToken !== null) await writeSetting(shop, BOT_TOKEN_SETTING, {}, { token: change.botToken }, now, actor.id);
  await shop.storage.audit.append({
    actor,
    action: 'settings.saved',
    subjectType: 'shop',
    subjectId: 'settings',
    data: {
      gateway: change.gateway !== null,
      gatewayEnabled: change.gateway?.enabled ?? false,
      botToken: change.botToken !== null,
      payoutCard: cardChanged ? (change.card === null ? 'off' : `…${change.card.cardNumber.slice(-4)}`) : null,
    },
  });
}
