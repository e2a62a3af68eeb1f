/**
 * A whole shop in one file: memory storage, one simulated 3x-ui panel served on 127.0.0.1, a plan,
 * a customer who tops up and buys it, and the worker that provisions the subscription on the panel.
 * Run it with `pnpm --filter @panelkit/example-minimal start`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createPanelkit, type Subscription } from '@panelkit/sdk';
import { createPanelAdapter } from '@panelkit/panel-adapters';
import { createXuiSimulator, serveOnLocalhost } from '@panelkit/panel-adapters/testing';
import { createMemoryStorage } from '@panelkit/storage-memory';

// A 3x-ui panel as a fresh install has it: a secret base path and an admin login.
const login = { username: 'admin', password: 'change-me-please' };
const simulator = createXuiSimulator({ version: '2.8.x', basePath: '/secret/', credentials: login });
simulator.seedDemo(); // a few inbounds (VLESS, VMess, Trojan…)
const server = await serveOnLocalhost(simulator.handle);

const storage = createMemoryStorage();
const kit = createPanelkit({
  storage,
  // One adapter per stored panel, picked by its kind and built from its settings; the kit keeps it and rebuilds
  // it when they change.
  panels: (panel) => createPanelAdapter(panel),
  // Client names and uuids on the panel are derived from this secret (keep it, and keep it private).
  policy: { identity: { secret: process.env['PANELKIT_IDENTITY_SECRET'] ?? 'minimal-shop-identity-secret', prefix: 'mini' } },
});

const panel = await kit.panels.add({
  kind: '3x-ui',
  name: 'Frankfurt',
  baseUrl: `${server.origin}/secret/`,
  credentials: { type: 'password', ...login },
});
const { added } = await kit.targets.sync(panel.id, { capacity: 100 }); // the panel's inbounds become targets
const plan = await kit.plans.create({
  name: 'Monthly 50 GiB',
  family: 'standard',
  price: { amount: 500, currency: 'USD' }, // minor units: 5.00 USD
  durationDays: 30,
  trafficBytes: 50 * 1024 ** 3,
});

const customer = await kit.customers.create({ email: 'buyer@example.com' });
await kit.topUp({ customerId: customer.id, amount: { amount: 500, currency: 'USD' }, idempotencyKey: 'receipt-1' });
const { order, subscriptions } = await kit.checkout({ customerId: customer.id, items: [{ planId: plan.id }], idempotencyKey: 'order-1' });

// Checkout wrote the order, the debit and a provisioning job in one transaction; the worker runs the job.
const worker = kit.createWorker();
worker.start();
let subscription: Subscription | null | undefined = subscriptions[0];
while (subscription?.status === 'pending') {
  await sleep(50);
  subscription = await storage.subscriptions.get(subscription.id);
}
await worker.stop();
await server.close();

console.log(`targets: ${added.map((t) => t.name).join(', ')}`);
console.log(`order ${order.id}: ${(await storage.orders.get(order.id))?.status}`);
console.log(`subscription ${subscription?.id}: ${subscription?.status}`);
console.log(`share link: ${subscription?.shareLinks[0] ?? '(none)'}`);
