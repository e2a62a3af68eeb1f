import type { Panel, Plan, Target } from '@panelkit/sdk';
import type { DemoStack } from './stack.js';

export const GiB = 1024 ** 3;

/** Stores the simulated panel with the login it was started with and its subscription URL. */
export function registerPanel(stack: DemoStack): Promise<Panel> {
  return stack.storage.panels.create({
    kind: '3x-ui',
    name: 'Frankfurt 3x-ui (simulated)',
    baseUrl: stack.panelUrl,
    credentials: { type: 'password', ...stack.login },
    locationTags: ['de'],
    options: { subscriptionBaseUrl: stack.subscriptionBaseUrl },
  });
}

/**
 * Reads the panel's inbounds through the adapter and stores each enabled one as a target with a
 * capacity (how many clients the shop may place there). Targets already stored are left as they
 * are, so running it again adds only new inbounds.
 */
export async function syncTargets(stack: DemoStack, panel: Panel, capacity: number): Promise<Target[]> {
  const remote = await stack
    .adapterFor(panel.id)
    .listTargets({ signal: AbortSignal.timeout(15_000), idempotencyKey: `targets:${panel.id}` });
  const stored = await stack.storage.targets.list({ panelId: panel.id });
  const known = new Set(stored.map((t) => t.remoteRef));
  const added: Target[] = [];
  for (const inbound of remote) {
    if (!inbound.enabled || known.has(inbound.remoteRef)) continue;
    added.push(
      await stack.storage.targets.create({
        panelId: panel.id,
        remoteRef: inbound.remoteRef,
        name: inbound.name,
        protocol: inbound.protocol,
        remoteMeta: inbound.remoteMeta,
        capacity,
        isDefault: stored.length === 0 && added.length === 0,
      }),
    );
  }
  return [...stored, ...added];
}

/** Two plans: the one the demo sells, and a quarterly one beside it. */
export async function createPlans(stack: DemoStack, preferredTarget: Target): Promise<{ monthly: Plan; quarterly: Plan }> {
  const placement = { preferredTargetIds: [preferredTarget.id] };
  const monthly = await stack.storage.plans.create({
    name: 'Monthly 50 GiB',
    family: 'standard',
    price: { amount: 500, currency: 'USD' },
    durationDays: 30,
    trafficBytes: 50 * GiB,
    placement,
  });
  const quarterly = await stack.storage.plans.create({
    name: 'Quarterly 200 GiB',
    family: 'standard',
    price: { amount: 1300, currency: 'USD' },
    durationDays: 90,
    trafficBytes: 200 * GiB,
    placement,
  });
  return { monthly, quarterly };
}
