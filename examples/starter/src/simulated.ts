/**
 * The simulated world the starter shop runs against when no real panel or gateway is configured: a 3x-ui panel
 * (`@panelkit/panel-adapters/testing`) and the YooKassa and Stripe gateways (`@panelkit/payment-providers/simulators`),
 * each served over HTTP on 127.0.0.1. `main.ts` starts one in its own process; `npm run starter:simulate` runs it on
 * its own and prints the settings for several shop processes to share one world, as replicas share real gateways.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { createXuiSimulator, serveOnLocalhost } from '@panelkit/panel-adapters/testing';
import { StripeSimulator, YooKassaSimulator } from '@panelkit/payment-providers/simulators';

/** A running simulated world: the settings `main.ts` reads, where the gateways send notifications, and its end. */
export interface SimulatedWorld {
  env: Record<string, string>;
  notifyTo(shopUrl: string): void;
  close(): Promise<void>;
}

/** Starts the panel and both gateways on free ports of 127.0.0.1, with fresh credentials; `wireguard`: a WireGuard inbound too. */
export async function startSimulatedWorld({ wireguard = false } = {}): Promise<SimulatedWorld> {
  const login = { username: 'admin', password: randomBytes(12).toString('base64url') };
  // WireGuard peers are 3x-ui clients from v3.4.2 on; without them the starter's panel is the 2.8 most shops run.
  const xui = createXuiSimulator({ version: wireguard ? '3.6.x' : '2.8.x', basePath: '/panel/', credentials: login });
  xui.seedDemo(); // a few inbounds (VLESS, VMess, Trojan…)
  const serverKey = randomBytes(32).toString('base64'); // the WireGuard server's private key
  if (wireguard) xui.addInbound({ remark: 'WireGuard', protocol: 'wireguard', port: 51820, settings: { secretKey: serverKey, mtu: 1420 } });
  const panel = await serveOnLocalhost(xui.handle);
  const yookassa = await new YooKassaSimulator().start();
  const stripe = await new StripeSimulator().start();
  return {
    env: {
      XUI_URL: `${panel.origin}/panel/`,
      XUI_USERNAME: login.username,
      XUI_PASSWORD: login.password,
      YOOKASSA_URL: yookassa.url,
      YOOKASSA_SHOP_ID: yookassa.shopId,
      YOOKASSA_SECRET_KEY: yookassa.secretKey,
      STRIPE_URL: stripe.url,
      STRIPE_SECRET_KEY: stripe.secretKey,
      STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
    },
    // The gateways notify the shop as the real ones do, at the addresses the owner sets in their dashboards.
    notifyTo(shopUrl) {
      yookassa.webhookUrl = new URL('/webhooks/yookassa', shopUrl).href;
      stripe.webhookUrl = new URL('/webhooks/stripe', shopUrl).href;
    },
    close: async () => {
      await Promise.all([panel.close(), yookassa.close(), stripe.close()]);
    },
  };
}

// On its own: one JSON line of settings, the gateways notifying NOTIFY_URL, until SIGTERM or Ctrl+C.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const world = await startSimulatedWorld({ wireguard: process.env['SELL_WIREGUARD'] === '1' });
  world.notifyTo(process.env['NOTIFY_URL'] ?? 'http://127.0.0.1:3000');
  console.log(JSON.stringify(world.env));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void world.close());
}
