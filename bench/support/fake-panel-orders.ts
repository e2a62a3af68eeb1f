/**
 * The shop of bench/provisioning and bench/scale/orders-cost: fake panels with one inbound each, one plan, and one
 * customer's paid orders waiting for the worker.
 */
import type { Panelkit } from '../../packages/sdk/src/index.js';
import type { StoragePort } from '../../packages/sdk/src/storage.js';
import type { FakePanelAdapter } from '../../packages/sdk/src/testing/fake-panel/index.js';

/**
 * Creates `panels` fake panels (each answered by the adapter `adapterFor` makes, set in `fakes` by panel id: the kit's
 * `panels` resolver reads it), a 30-day plan at 1.00, and `orders` checkouts of it by one customer, topped up first.
 */
export async function seedOrdersOnFakePanels(
  kit: Panelkit,
  storage: StoragePort,
  fakes: Map<string, FakePanelAdapter>,
  options: { panels: number; orders: number; adapterFor: () => FakePanelAdapter },
): Promise<void> {
  for (let i = 0; i < options.panels; i++) {
    const panel = await storage.panels.create({
      kind: 'fake',
      name: `p${i}`,
      baseUrl: `https://p${i}.example.com/`,
      credentials: { type: 'token', token: 't' },
    });
    fakes.set(panel.id, options.adapterFor());
    await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 'vless', protocol: 'vless', capacity: null });
  }
  const plan = await storage.plans.create({
    name: 'm',
    family: 'm',
    price: { amount: 100, currency: 'USD' },
    durationDays: 30,
    trafficBytes: null,
  });
  const customer = await storage.customers.create({});
  await kit.topUp({ customerId: customer.id, amount: { amount: 100 * options.orders, currency: 'USD' }, idempotencyKey: 'bench' });
  for (let i = 0; i < options.orders; i++) {
    await kit.checkout({ customerId: customer.id, items: [{ planId: plan.id }], idempotencyKey: `o${i}` });
  }
}
