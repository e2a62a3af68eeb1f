import type { Shop } from '../../shop.js';
import { MIN_TOP_UP, maxTopUp } from '../amount.js';
import { CRYPTOBOT_FIATS, CRYPTOBOT_PROVIDER } from '../cryptobot/provider.js';
import { activeCryptoBot, CRYPTOBOT_SETTING } from '../cryptobot/settings.js';
import { activeZarinpal, ZARINPAL_SETTING } from '../zarinpal/settings.js';
import { EPAY_METHODS } from '../epay/api.js';
import { EPAY_CURRENCY, EPAY_PROVIDER } from '../epay/provider.js';
import { activeEpay, EPAY_SETTING } from '../epay/settings.js';
import { YOOKASSA_CURRENCY, YOOKASSA_METHODS, YOOKASSA_PROVIDER } from '@panelkit/payment-providers/yookassa';
import { activeYooKassa, YOOKASSA_SETTING } from '../yookassa/settings.js';
import { STRIPE_PROVIDER, stripeTakes } from '@panelkit/payment-providers/stripe';
import { activeStripe, STRIPE_SETTING } from '../stripe/settings.js';

/**
 * The redirect gateways the wallet offers beside card receipts and the older crypto gateway: CryptoBot (Crypto
 * Pay, its invoice page in Telegram), Zarinpal (Iranian cards, its pay page, then a verify) and EPay (Alipay and
 * WeChat Pay in yuan, its cashier page, a signed notify) and YooKassa (cards, SBP and the rest in roubles, its
 * payment page, a notification read back from its API) and Stripe (cards, Apple Pay, Google Pay in most currencies,
 * its Checkout page, a signed webhook). Each is a provider id of the SDK; the wallet (web, JSON
 * API, bot and Mini App) starts and finishes them the same way. A rail added here needs its entry in the
 * definitions below, and is then offered and described by every channel and by `openapi.json`.
 */
export const GATEWAY_RAILS = [CRYPTOBOT_PROVIDER, 'zarinpal', EPAY_PROVIDER, YOOKASSA_PROVIDER, STRIPE_PROVIDER] as const;
/** One of {@link GATEWAY_RAILS}. */
export type GatewayRail = (typeof GATEWAY_RAILS)[number];

/** What the shop knows of one rail: the one place each fact about a gateway is written. */
interface GatewayRailDefinition {
  /** The gateway's own name, as a client shows it (a brand, not translated). */
  name: string;
  /** Whether the gateway takes payments in `currency`. */
  takes(currency: string): boolean;
  /** Whether the owner turned it on with its keys. */
  active(shop: Shop): Promise<boolean>;
  /** The ways to pay the buyer picks from (EPay: Alipay, WeChat Pay; YooKassa: its page, SBP); empty when there is no choice. */
  methods: readonly string[];
  /** Whether it can keep the buyer's method for auto-renewals when the wallet is short. */
  savesMethods: boolean;
  /** The `shop_settings` entry the owner's setup of it is kept in. */
  setting: string;
}

const DEFINITIONS: Readonly<Record<GatewayRail, GatewayRailDefinition>> = {
  cryptobot: {
    name: 'CryptoBot',
    takes: (currency) => CRYPTOBOT_FIATS.has(currency),
    active: async (shop) => (await activeCryptoBot(shop)) !== null,
    methods: [],
    savesMethods: false,
    setting: CRYPTOBOT_SETTING,
  },
  zarinpal: {
    name: 'Zarinpal',
    takes: (currency) => currency === 'IRR',
    active: async (shop) => (await activeZarinpal(shop)) !== null,
    methods: [],
    savesMethods: false,
    setting: ZARINPAL_SETTING,
  },
  epay: {
    name: 'EPay',
    takes: (currency) => currency === EPAY_CURRENCY,
    active: async (shop) => (await activeEpay(shop)) !== null,
    methods: EPAY_METHODS,
    savesMethods: false,
    setting: EPAY_SETTING,
  },
  yookassa: {
    name: 'YooKassa',
    takes: (currency) => currency === YOOKASSA_CURRENCY,
    active: async (shop) => (await activeYooKassa(shop)) !== null,
    methods: YOOKASSA_METHODS,
    savesMethods: true,
    setting: YOOKASSA_SETTING,
  },
  stripe: {
    name: 'Stripe',
    takes: stripeTakes,
    active: async (shop) => (await activeStripe(shop)) !== null,
    methods: [],
    savesMethods: true,
    setting: STRIPE_SETTING,
  },
};

/** Whether `value` names a gateway rail. */
export function isGatewayRail(value: string): value is GatewayRail {
  return (GATEWAY_RAILS as readonly string[]).includes(value);
}

/** The gateway's own name (`YooKassa`), as a client shows it. */
export function railName(rail: GatewayRail): string {
  return DEFINITIONS[rail].name;
}

/** The `shop_settings` entry the owner's setup of the rail is kept in. */
export function railSetting(rail: GatewayRail): string {
  return DEFINITIONS[rail].setting;
}

/** Whether buyers may pay with the rail now: the owner turned it on with its keys, and it takes the shop's currency. */
export async function railOffered(shop: Shop, rail: GatewayRail): Promise<boolean> {
  const definition = DEFINITIONS[rail];
  return definition.takes(shop.config.currency) && (await definition.active(shop));
}

/** Whether a rail can keep the buyer's method for auto-renewals when the wallet is short (YooKassa, Stripe). */
export function railSavesMethods(rail: GatewayRail): boolean {
  return DEFINITIONS[rail].savesMethods;
}

/** The ways to pay a rail offers the buyer to pick from (EPay: Alipay, WeChat Pay; YooKassa: its page, SBP); empty when there is no choice. */
export function railMethods(rail: GatewayRail): readonly string[] {
  return DEFINITIONS[rail].methods;
}

/** The rails buyers may pay with now, in the wallet's order. */
export async function offeredRails(shop: Shop): Promise<GatewayRail[]> {
  const offered = await Promise.all(GATEWAY_RAILS.map((rail) => railOffered(shop, rail)));
  return GATEWAY_RAILS.filter((_, i) => offered[i]);
}

/**
 * A rail on offer with what a client needs to start a top-up through it: the gateway's name, the currency it is paid
 * in (the shop's), the amounts a top-up may have (minor units), the ways to pay to pick from (`method`; empty: none
 * to pick) and whether the buyer's method can be kept for auto-renewals (`saveMethod`).
 */
export interface OfferedRail {
  rail: GatewayRail;
  name: string;
  currency: string;
  minAmount: number;
  maxAmount: number;
  methods: readonly string[];
  savesMethods: boolean;
}

/** The rails buyers may pay with now, in the wallet's order, each with its terms: what the wallet page and the JSON API list. */
export async function offeredRailTerms(shop: Shop): Promise<OfferedRail[]> {
  const currency = shop.config.currency;
  return (await offeredRails(shop)).map((rail) => ({
    rail,
    name: railName(rail),
    currency,
    minAmount: MIN_TOP_UP,
    maxAmount: maxTopUp(currency),
    methods: railMethods(rail),
    savesMethods: railSavesMethods(rail),
  }));
}
