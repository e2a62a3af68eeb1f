import type { Customer, Panel, Plan, Subscription, Target } from '@panelkit/sdk';
import { createPlans, registerPanel, syncTargets } from './catalog.js';
import { gib, money, when } from './format.js';
import type { Say } from './narrate.js';
import type { DemoStack } from './stack.js';

/** How many clients the demo lets the shop place on each inbound. */
export const TARGET_CAPACITY = 100;

export interface Shop {
  panel: Panel;
  targets: Target[];
  plan: Plan;
}

export interface Sale {
  customer: Customer;
  orderId: string;
  subscriptions: Subscription[];
}

/** Registers the panel, checks it answers, syncs its inbounds as targets and creates the plans. */
export async function openShop(stack: DemoStack, say: Say): Promise<Shop> {
  const panel = await registerPanel(stack);
  const [health] = await stack.kit.checkPanelHealth(panel.id);
  if (health === undefined || health.health.status !== 'healthy') {
    throw new Error(`the simulated panel did not answer its health check: ${health?.health.lastError ?? 'no result'}`);
  }
  say(`Panel "${panel.name}" registered at ${panel.baseUrl}: logged in, healthy (${health.health.latencyMs ?? '?'} ms).`);
  const targets = await syncTargets(stack, panel, TARGET_CAPACITY);
  say(
    `Synced ${targets.length} inbounds as targets, ${TARGET_CAPACITY} clients each: ${targets.map((t) => `${t.name} (${t.protocol})`).join(', ')}.`,
  );
  const preferred = targets.find((t) => t.protocol === 'vless') ?? targets[0];
  if (preferred === undefined) throw new Error('the panel has no enabled inbound');
  const { monthly, quarterly } = await createPlans(stack, preferred);
  say(
    `Plans: "${monthly.name}" ${money(monthly.price)}, "${quarterly.name}" ${money(quarterly.price)}; both placed on ${preferred.name} first.`,
  );
  return { panel, targets, plan: monthly };
}

/**
 * A customer tops up, buys two of the plan in one checkout, and the worker provisions them.
 * `placed` sees the subscriptions as the checkout wrote them, before any job runs.
 */
export async function sellTwo(
  stack: DemoStack,
  shop: Shop,
  say: Say,
  placed: (subscriptions: readonly Subscription[]) => void = () => {},
): Promise<Sale> {
  const { kit, storage } = stack;
  const customer = await kit.customers.create({ email: 'buyer@example.com', name: 'Demo Buyer' });
  say(`\nCustomer ${customer.email} tops up 15.00 USD (receipt R-1001):`);
  await kit.topUp({
    customerId: customer.id,
    amount: { amount: 1500, currency: 'USD' },
    idempotencyKey: 'receipt:R-1001',
    reference: 'R-1001',
  });

  say(`Checkout: 2 × "${shop.plan.name}", in one transaction (capacity, debit, order, 2 provisioning jobs):`);
  const { order, subscriptions } = await kit.checkout({
    customerId: customer.id,
    items: [{ planId: shop.plan.id, quantity: 2 }],
    idempotencyKey: 'checkout:demo-1',
  });
  placed(subscriptions);

  say('The worker runs the jobs against the panel over HTTP:');
  const worker = kit.createWorker({ id: 'demo-worker' });
  await worker.drain();
  await worker.stop();
  const provisioned: Subscription[] = [];
  for (const s of subscriptions) {
    const current = await storage.subscriptions.get(s.id);
    if (current === null) throw new Error(`subscription ${s.id} vanished`);
    provisioned.push(current);
  }
  const active = provisioned.filter((s) => s.status === 'active').length;
  say(
    `${active} of ${provisioned.length} subscriptions active, ${gib(shop.plan.trafficBytes)} each until ${when(provisioned[0]?.expiresAt ?? null)}.`,
  );
  return { customer, orderId: order.id, subscriptions: provisioned };
}
