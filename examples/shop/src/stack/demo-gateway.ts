import { CryptoGatewaySimulator } from './demo-crypto-gateway.js';
import { gatewaySettings, saveGatewaySettings } from '../app/payments/crypto/gateway-settings.js';
import type { Shop } from '../app/shop.js';

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
