import type { Shop } from '../../shop.js';
import { CRYPTOBOT_FIATS, CRYPTOBOT_PROVIDER } from '../cryptobot/provider.js';
import { activeCryptoBot } from '../cryptobot/settings.js';
import { activeZarinpal } from '../zarinpal/settings.js';
import { EPAY_METHODS } from '../epay/api.js';
import { EPAY_CURRENCY, EPAY_PROVIDER } from '../epay/provider.js';
import { activeEpay } from '../epay/settings.js';

/**
 * The redirect gateways the wallet offers beside card receipts and the older crypto gateway: CryptoBot (Crypto
 * Pay, its invoice page in Telegram), Zarinpal (Iranian cards, its pay page, then a verify) and EPay (Alipay and
 * WeChat Pay in yuan, its cashier page, a signed notify). Each is a provider id of the SDK; the wallet (web, JSON
 * API, bot and Mini App) starts and finishes them the same way.
 */
export const GATEWAY_RAILS = [CRYPTOBOT_PROVIDER, 'zarinpal', EPAY_PROVIDER] as const;
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
  return currency === 'IRR' && (await activeZarinpal(shop)) !== null;
}

/** The ways to pay a rail offers the buyer to pick from (EPay: Alipay, WeChat Pay); empty when there is no choice. */
export function railMethods(rail: GatewayRail): readonly string[] {
  return rail === EPAY_PROVIDER ? EPAY_METHODS : [];
}

/** The rails buyers may pay with now, in the wallet's order. */
export async function offeredRails(shop: Shop): Promise<GatewayRail[]> {
  const offered = await Promise.all(GATEWAY_RAILS.map((rail) => railOffered(shop, rail)));
  return GATEWAY_RAILS.filter((_, i) => offered[i]);
}
