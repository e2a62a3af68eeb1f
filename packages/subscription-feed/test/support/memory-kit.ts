import { createPanelkit, type NewPlan, type Panelkit, type Subscription } from '@panelkit/sdk';
import { FakePanelAdapter, ManualClock } from '@panelkit/sdk/testing';
import { createMemoryStorage } from '@panelkit/storage-memory';

const GiB = 1024 ** 3;

/** A kit on the memory storage with one simulated panel and its link tokens on, as a host would set it up. */
export interface MemoryKit {
  kit: Panelkit;
  clock: ManualClock;
  storage: ReturnType<typeof createMemoryStorage>;
  /** A new customer holding one provisioned subscription of a plan with these terms. */
  buyer(plan?: Partial<NewPlan>): Promise<{ customerId: string; subscription: Subscription }>;
}

let plans = 0;

export async function memoryKit(): Promise<MemoryKit> {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const storage = createMemoryStorage({ clock });
  const fake = new FakePanelAdapter({ clock });
  const kit = createPanelkit({
    storage,
    clock,
    links: { secret: 'feed-test-link-secret-0123' },
    panels: () => fake,
    policy: { identity: { secret: 'feed-test-identity-secret-0123', prefix: 'pk' } },
    random: () => 0.5,
  });
  const panel = await storage.panels.create({
    kind: 'fake',
    name: 'panel',
    baseUrl: 'https://panel.example.com/',
    credentials: { type: 'token', token: 't' },
    locationTags: ['de'],
  });
  await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 'vless', protocol: 'vless', capacity: null, isDefault: true });
  return {
    kit,
    clock,
    storage,
    async buyer(terms = {}) {
      const plan = await storage.plans.create({
        name: `plan ${++plans}`,
        family: 'standard',
        price: { amount: 1000, currency: 'USD' },
        durationDays: 30,
        trafficBytes: 50 * GiB,
        ...terms,
      });
      const customer = await storage.customers.create({ email: `buyer${plans}@example.com` });
      await kit.topUp({ customerId: customer.id, amount: { amount: 1000, currency: 'USD' }, idempotencyKey: `seed-${customer.id}` });
      const { subscriptions } = await kit.checkout({
        customerId: customer.id,
        items: [{ planId: plan.id }],
        idempotencyKey: `buy-${customer.id}`,
      });
      await kit.createWorker({ heartbeatIntervalMs: 3_600_000 }).drain();
      const subscription = (await storage.subscriptions.get(subscriptions[0]?.id ?? '')) as Subscription;
      return { customerId: customer.id, subscription };
    },
  };
}
