import type { Panel, Plan, Target } from '@panelkit/sdk';
import type { DemoStack } from './stack.js';

export const GiB = 1024 ** 3;

/** Stores the simulated panel with the login it was started with and its subscription URL. */
export function registerPanel(stack: DemoStack): Promise<Panel> {
  return stack.kit.panels.add({
    kind: '3x-ui',
    name: 'Frankfurt 3x-ui (simulated)',
    baseUrl: stack.panelUrl,
    credentials: { type: 'password', ...stack.login },
    locationTags: ['de'],
    options: { subscriptionBaseUrl: stack.subscriptionBaseUrl },
  });
}

/**
 * Syncs the panel's enabled inbounds as targets, each with a capacity (how many clients the shop
 * may place there); the kit keeps stored ones as the admin set them. Gives every stored target.
 */
export async function syncTargets(stack: DemoStack, panel: Panel, capacity: number): Promise<Target[]> {
  await stack.kit.targets.sync(panel.id, { capacity, signal: AbortSignal.timeout(15_000) });
  return stack.storage.targets.list({ panelId: panel.id });
}

/** Two plans: the one the demo sells, and a quarterly one beside it. */
export async function createPlans(stack: DemoStack, preferredTarget: Target): Promise<{ monthly: Plan; quarterly: Plan }> {
  const placement = { preferredTargetIds: [preferredTarget.id] };
  const monthly = await stack.kit.plans.create({
    name: 'Monthly 50 GiB',
    family: 'standard',
    price: { amount: 500, currency: 'USD' },
    durationDays: 30,
    trafficBytes: 50 * GiB,
    placement,
  });
  const quarterly = await stack.kit.plans.create({
    name: 'Quarterly 200 GiB',
    family: 'standard',
    price: { amount: 1300, currency: 'USD' },
    durationDays: 90,
    trafficBytes: 200 * GiB,
    placement,
  });
  return { monthly, quarterly };
}
