import { createPanelkit, type Panelkit, type Subscription, type SubscriptionPatch } from '@panelkit/sdk';
import type { EntitlementKind } from '@panelkit/sdk/kinds';
import { FakePanelAdapter, ManualClock } from '@panelkit/sdk/testing';
import { createMemoryStorage } from '@panelkit/storage-memory';

const KINDS: readonly EntitlementKind[] = ['xray', 'wireguard', 'amneziawg', 'mtproto'];

/** A kit on the memory storage whose one fake panel serves every kind, each on its own target (synced from the panel). */
export interface KindsKit {
  kit: Panelkit;
  clock: ManualClock;
  storage: ReturnType<typeof createMemoryStorage>;
  /** A new customer with enough balance for a few plans, and the customer's link token. */
  customer(): Promise<{ customerId: string; token: string }>;
  /** The customer buys one unit of a plan of `kinds` (a bundle when several), its parts provisioned, by kind. */
  buy(
    customerId: string,
    kinds: readonly EntitlementKind[],
    plan?: { deviceLimit?: number | null },
  ): Promise<Map<EntitlementKind, Subscription>>;
  /** Patches a part as the panel's readings, the plan or an older writer would leave it (usage, limits, status). */
  patch(part: Subscription, patch: SubscriptionPatch): Promise<void>;
}

let made = 0;

export async function kindsKit(): Promise<KindsKit> {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const storage = createMemoryStorage({ clock });
  const fake = new FakePanelAdapter({ clock, kinds: KINDS });
  const kit = createPanelkit({
    storage,
    clock,
    links: { secret: 'feed-kinds-link-secret-0123' },
    panels: () => fake,
    policy: { identity: { secret: 'feed-kinds-identity-secret-0123', prefix: 'pk' } },
    random: () => 0.5,
  });
  const panel = await storage.panels.create({
    kind: 'fake',
    name: 'panel',
    baseUrl: 'https://panel.example.com/',
    credentials: { type: 'token', token: 't' },
    locationTags: ['de'],
  });
  await kit.targets.sync(panel.id);
  return {
    kit,
    clock,
    storage,
    async customer() {
      made += 1;
      const customer = await storage.customers.create({ email: `kinds${made}@example.com` });
      await kit.topUp({ customerId: customer.id, amount: { amount: 10_000, currency: 'USD' }, idempotencyKey: `seed-${customer.id}` });
      return { customerId: customer.id, token: await kit.links.tokenFor(customer.id) };
    },
    async buy(customerId, kinds, plan = {}) {
      made += 1;
      const created = await kit.plans.create({
        name: `plan ${made}`,
        family: `family-${made}`,
        price: { amount: 1000, currency: 'USD' },
        durationDays: 30,
        trafficBytes: 50 * 1024 ** 3,
        deviceLimit: plan.deviceLimit ?? null,
        kinds: [...kinds],
      });
      const { order } = await kit.checkout({ customerId, items: [{ planId: created.id }], idempotencyKey: `buy-${made}` });
      await kit.createWorker({ heartbeatIntervalMs: 3_600_000 }).drain();
      const live = await storage.subscriptions.listByOrder(order.id);
      return new Map(live.map((s) => [s.kind ?? 'xray', s] as const));
    },
    async patch(part, patch) {
      const current = (await storage.subscriptions.get(part.id)) as Subscription;
      await storage.subscriptions.update(part.id, patch, { expectedRevision: current.revision });
    },
  };
}
