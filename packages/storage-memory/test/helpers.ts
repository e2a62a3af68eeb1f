import { createId, deriveRemoteIdentity } from '@panelkit/sdk';
import type { Subscription, SubscriptionStatus } from '@panelkit/sdk';
import type { StorageRepositories } from '@panelkit/sdk/storage';

/** Seeds the parents a subscription points at and the subscription itself. */
export async function seedSubscription(
  repos: StorageRepositories,
  fields: { status?: SubscriptionStatus; expiresAt?: Date | null; trafficLimitBytes?: number | null; usedBytes?: number | null } = {},
): Promise<Subscription> {
  const token = createId('t').slice(2, 12);
  const customer = await repos.customers.create({ email: `${token}@example.com` });
  const plan = await repos.plans.create({
    name: `plan-${token}`,
    family: 'f',
    price: { amount: 100, currency: 'USD' },
    durationDays: 30,
    trafficBytes: null,
  });
  const panel = await repos.panels.create({
    kind: 'marzban',
    name: `panel-${token}`,
    baseUrl: 'https://panel.example.com',
    credentials: { type: 'token', token: 'secret' },
  });
  const target = await repos.targets.create({ panelId: panel.id, remoteRef: `in-${token}`, name: 'target', protocol: 'vless' });
  const id = createId('sub');
  return repos.subscriptions.create({
    id,
    customerId: customer.id,
    orderId: null,
    planId: plan.id,
    panelId: panel.id,
    targetId: target.id,
    status: fields.status ?? 'active',
    remote: deriveRemoteIdentity(id, 0, { secret: 'memory-storage-test-secret' }),
    trafficLimitBytes: fields.trafficLimitBytes ?? null,
    usedBytes: fields.usedBytes ?? null,
    expiresAt: fields.expiresAt === undefined ? null : fields.expiresAt,
    durationDays: 30,
    startOnFirstUse: false,
  });
}

/** A rejection the test provokes to make a transaction roll back. */
export class Rollback extends Error {
  constructor() {
    super('roll back');
  }
}
