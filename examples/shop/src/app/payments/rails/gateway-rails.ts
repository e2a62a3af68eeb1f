import type { Shop } from '../../shop.js';
import { CRYPTOBOT_FIATS, CRYPTOBOT_PROVIDER } from '../cryptobot/provider.js';
import { activeCryptoBot } from '../cryptobot/settings.js';
import { activeZarinpal } from '../zarinpal/settings.js';
import { EPAY_METHODS } from '../epay/api.js';
import { EPAY_CURRENCY, EPAY_PROVIDER } from '../epay/provider.js';
import { activeEpay } from '../epay/settings.js';
import { YOOKASSA_CURRENCY, YOOKASSA_METHODS, YOOKASSA_PROVIDER } from '../yookassa/provider.js';
import { activeYooKassa } from '../yookassa/settings.js';
import { stripeTakes } from '../stripe/api.js';
import { STRIPE_PROVIDER } from '../stripe/provider.js';
import { activeStripe } from '../stripe/settings.js';

/**
 * The redirect gateways the wallet offers beside card receipts and the older crypto gateway: CryptoBot (Crypto
 * Pay, its invoice page in Telegram), Zarinpal (Iranian cards, its pay page, then a verify) and EPay (Alipay and
 * WeChat Pay in yuan, its cashier page, a signed notify) and YooKassa (cards, SBP and the rest in roubles, its
 * payment page, a notification read back from its API) and Stripe (cards, Apple Pay, Google Pay in most currencies,
 * its Checkout page, a signed webhook). Each is a provider id of the SDK; the wallet (web, JSON
 * API, bot and Mini App) starts and finishes them the same way.
 */
export const GATEWAY_RAILS = [CRYPTOBOT_PROVIDER, 'zarinpal', EPAY_PROVIDER, YOOKASSA_PROVIDER, STRIPE_PROVIDER] as const;
/** One of {@link GATEWAY_RAILS}. */
export type GatewayRail = (typeof GATEWAY_RAILS)[number];

/** Whether `value` names a gateway rail. */
export function isGatewayRail(value: string): value is GatewayRail {
  return (GATEWAY_RAILS as readonly string[]).includes(value);
}

/** Whether buyers may pay with the rail now: the owner turned it on with its keys, and it takes the shop's currency. */
export async function railOffered(shop: Shop, rail: GatewayRail): Promise<boolean> {
  const currency = shop.config.currency;
  if (rail === CRYPTOBOT_PROVIDER) return CRYPTOBOT_FIATS.has(currency) && (await activeCryptoBot(shop)) !== null;
  if (rail === EPAY_PROVIDER) return currency === EPAY_CURRENCY && (await activeEpay(shop)) !== null;
  if (rail === YOOKASSA_PROVIDER) return currency === YOOKASSA_CURRENCY && (await activeYooKassa(shop)) !== null;
  if (rail === STRIPE_PROVIDER) return stripeTakes(currency) && (await activeStripe(shop)) !== null;
  return currency === 'IRR' && (await activeZarinpal(shop)) !== null;
}

/** Whether a rail can keep the buyer's method for auto-renewals when the wallet is short (YooKassa, Stripe). */
export function railSavesMethods(rail: GatewayRail): boolean {
  return rail === YOOKASSA_PROVIDER || rail === STRIPE_PROVIDER;
}

/** The ways to pay a rail offers the buyer to pick from (EPay: Alipay, WeChat Pay; YooKassa: its page, SBP); empty when there is no choice. */
export function railMethods(rail: GatewayRail): readonly string[] {
  if (rail === EPAY_PROVIDER) return EPAY_METHODS;
  return rail === YOOKASSA_PROVIDER ? YOOKASSA_METHODS : [];
}

/** The rails buyers may pay with now, in the wallet's order. */
export async function offeredRails(shop: Shop): Promise<GatewayRail[]> {
  const offered = await Promise.all(GATEWAY_RAILS.map((rail) => railOffered(shop, rail)));
  return GATEWAY_RAILS.filter((_, i) => offered[i]);
}
