import { CryptoGatewaySimulator } from './demo-crypto-gateway.js';
import { gatewaySettings, saveGatewaySettings } from '../app/payments/crypto/gateway-settings.js';
import type { Shop } from '../app/shop.js';
import { CryptoBotSimulator } from './demo-cryptobot-gateway.js';
import { cryptoBotSettings, saveCryptoBotSettings } from '../app/payments/cryptobot/settings.js';
import { CRYPTOBOT_FIATS } from '../app/payments/cryptobot/provider.js';
import { EpaySimulator } from './demo-epay-gateway.js';
import { StripeSimulator, YooKassaSimulator } from '@panelkit/payment-providers/simulators';
import { stripeTakes } from '@panelkit/payment-providers/stripe';
import { saveStripeSettings, stripeSettings } from '../app/payments/stripe/settings.js';
import { saveYooKassaSettings, yookassaSettings } from '../app/payments/yookassa/settings.js';
import { YOOKASSA_CURRENCY } from '@panelkit/payment-providers/yookassa';
import { epaySettings, saveEpaySettings } from '../app/payments/epay/settings.js';
import { EPAY_CURRENCY } from '../app/payments/epay/provider.js';

/** A gateway simulator's address: the demo may replace such settings, never an owner's real gateway. */
const LOCAL = /^http:\/\/127\.0\.0\.1:\d+\/?$/;

/**
 * The demo's crypto gateway: a simulator on 127.0.0.1 with a pay page, and the shop's gateway settings pointed at it
 * (its keys sealed like real ones). Settings an owner saved for a real gateway are left alone.
 */
export async function startDemoGateway(shop: Shop): Promise<CryptoGatewaySimulator | null> {
  const current = await gatewaySettings(shop);
  if (current !== null && !LOCAL.test(current.baseUrl)) return null;
  const sim = await new CryptoGatewaySimulator().start();
  await saveGatewaySettings(
    shop,
    { enabled: true, baseUrl: sim.url, apiKey: sim.apiKey, ipnSecret: sim.ipnSecret },
    shop.clock.now(),
    null,
  );
  return sim;
}

/**
 * The demo's CryptoBot: a Crypto Pay simulator on 127.0.0.1 and the shop's CryptoBot settings pointed at it (its
 * token sealed like a real one), when the shop prices in a currency Crypto Pay takes. An owner's real CryptoBot
 * settings are left alone. Its webhooks go to `webhookUrl` once the shop knows its address.
 */
export async function startDemoCryptoBot(shop: Shop): Promise<CryptoBotSimulator | null> {
  const current = await cryptoBotSettings(shop);
  if ((current !== null && !LOCAL.test(current.baseUrl)) || !CRYPTOBOT_FIATS.has(shop.config.currency)) return null;
  const sim = await new CryptoBotSimulator().start();
  await saveCryptoBotSettings(shop, { enabled: true, baseUrl: sim.url, token: sim.token }, shop.clock.now(), null);
  return sim;
}

/**
 * The demo's EPay: a simulated EPay gateway on 127.0.0.1 and the shop's EPay settings pointed at it (its key sealed
 * like a real one), when the shop prices in yuan. An owner's real EPay settings are left alone. The notify address
 * goes with each order, so the simulator needs no setting for it.
 */
export async function startDemoEpay(shop: Shop): Promise<EpaySimulator | null> {
  const current = await epaySettings(shop);
  if ((current !== null && !LOCAL.test(current.baseUrl)) || shop.config.currency !== EPAY_CURRENCY) return null;
  const sim = await new EpaySimulator().start();
  await saveEpaySettings(shop, { enabled: true, baseUrl: sim.url, pid: sim.pid, key: sim.key, mode: 'submit' }, shop.clock.now(), null);
  return sim;
}

/**
 * The demo's YooKassa: a simulated YooKassa API on 127.0.0.1 and the shop's YooKassa settings pointed at it (its
 * secret key sealed like a real one), when the shop prices in roubles. An owner's real settings are left alone. Its
 * notifications go to `webhookUrl` once the shop knows its address.
 */
export async function startDemoYooKassa(shop: Shop): Promise<YooKassaSimulator | null> {
  const current = await yookassaSettings(shop);
  if ((current !== null && !/^http:\/\/127\.0\.0\.1:\d+\//.test(current.baseUrl)) || shop.config.currency !== YOOKASSA_CURRENCY)
    return null;
  const sim = await new YooKassaSimulator().start();
  await saveYooKassaSettings(
    shop,
    { enabled: true, baseUrl: sim.url, shopId: sim.shopId, secretKey: sim.secretKey, receipts: false, vatCode: 1 },
    shop.clock.now(),
    null,
  );
  return sim;
}

/**
 * The demo's Stripe: a simulated Stripe API on 127.0.0.1 and the shop's Stripe settings pointed at it (its secret key
 * and webhook secret sealed like real ones), when Stripe takes the shop's currency. An owner's real settings are left
 * alone. Its webhooks go to `webhookUrl` once the shop knows its address.
 */
export async function startDemoStripe(shop: Shop): Promise<StripeSimulator | null> {
  const current = await stripeSettings(shop);
  if ((current !== null && !/^http:\/\/127\.0\.0\.1:\d+$/.test(current.baseUrl)) || !stripeTakes(shop.config.currency)) return null;
  const sim = await new StripeSimulator().start();
  await saveStripeSettings(
    shop,
    { enabled: true, baseUrl: sim.url, secretKey: sim.secretKey, webhookSecret: sim.webhookSecret },
    shop.clock.now(),
    null,
  );
  return sim;
}
