/**
 * A whole shop on the published packages: it sells a plan on a 3x-ui panel, takes top-ups at YooKassa or Stripe
 * (credited once, refunded once), and serves each buyer's link to Happ, v2rayNG, Clash/mihomo and sing-box apps.
 * With no `XUI_URL` it starts a simulated panel and gateways in this process. Run several processes on one
 * `DATABASE_URL` and they share the work: the worker and the scheduler run in each.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sweepPendingPayments } from '@panelkit/payment-providers';
import { createRoutes } from './routes.js';
import { openShop } from './shop.js';
import { startSimulatedWorld } from './simulated.js';

const world = process.env['XUI_URL'] ? null : await startSimulatedWorld({ wireguard: process.env['SELL_WIREGUARD'] === '1' });
const settings = { ...process.env, ...world?.env };
let publicUrl = settings['PUBLIC_URL'] ?? '';
const shop = await openShop(settings, () => publicUrl);
const { kit } = shop;

const adminToken = settings['ADMIN_TOKEN'] || randomBytes(18).toString('base64url');
const server = createServer(createRoutes(kit, () => publicUrl, adminToken));
await new Promise<void>((done) => server.listen(Number(settings['PORT'] ?? 3000), settings['HOST'] ?? '127.0.0.1', done));
const { address, port } = server.address() as AddressInfo;
const listening = `http://${address}:${port}`;
publicUrl ||= listening; // behind a proxy or several replicas, PUBLIC_URL is the address in front
world?.notifyTo(publicUrl);

// The worker runs the durable jobs (provisioning on the panel, refunds at the gateway) as soon as they commit.
const worker = kit.createWorker();
worker.start();
// The scheduler expires, limits and renews (one replica wins each slot), and the sweep asks the gateways about
// payments whose notification never came (crediting stays once, whichever replica asks).
const scheduler = kit.createScheduler();
const background = setInterval(() => {
  scheduler
    .tick()
    .then(() => sweepPendingPayments(kit, { providers: ['yookassa', 'stripe'], quietMs: 120_000, limit: 50 }))
    .catch((error: unknown) => console.error('background tick failed', error));
}, 10_000);

console.log(`starter shop is running at ${listening}${settings['ADMIN_TOKEN'] ? '' : ` (admin token: ${adminToken})`}`);

async function stop(): Promise<void> {
  clearInterval(background);
  server.closeIdleConnections();
  await new Promise((closed) => server.close(closed));
  await worker.stop(); // hands its claimed jobs back for another process
  await shop.close();
  await world?.close();
  console.log('starter shop stopped');
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void stop());
