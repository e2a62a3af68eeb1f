import type { AuditEvent, NewAuditEvent } from '../../domain/audit.js';
import type { Customer, NewCustomer } from '../../domain/customer.js';
import { createId } from '../../domain/ids.js';
import type { Job, NewJob } from '../../domain/job.js';
import type { LedgerEntry, NewLedgerEntry } from '../../domain/ledger.js';
import type { NewOrder, Order } from '../../domain/order.js';
import type { NewPanel, Panel } from '../../domain/panel.js';
import type { NewPlan, Plan } from '../../domain/plan.js';
import { deriveRemoteIdentity } from '../../domain/remote-identity.js';
import type { RemoteIdentity } from '../../domain/remote-identity.js';
import type { NewSubscription, Subscription } from '../../domain/subscription.js';
import type { NewTarget, Target } from '../../domain/target.js';
import type { StorageRepositories } from '../../ports/storage.js';

/**
 * Builders that seed valid rows with unique values. Each takes the repositories to write through
 * (a storage, or a transaction) and overrides for any field.
 */

export const CONFORMANCE_SECRET = 'conformance-secret-0123456789';

/** A short unique lower-case token: safe in names, emails, refs and keys on every storage. */
export function uniqueToken(): string {
  return createId('u').slice(2, 14);
}

export function remoteIdentityFor(subscriptionId: string, generation = 0): RemoteIdentity {
  return deriveRemoteIdentity(subscriptionId, generation, { secret: CONFORMANCE_SECRET });
}

export function seedPanel(repos: StorageRepositories, overrides: Partial<NewPanel> = {}): Promise<Panel> {
  const t = uniqueToken();
  return repos.panels.create({
    kind: 'marzban',
    name: `panel-${t}`,
    baseUrl: `https://${t}.example.com/secret-path`,
    credentials: { type: 'password', username: 'admin', password: `password-${t}` },
    ...overrides,
  });
}

export async function seedTarget(repos: StorageRepositories, overrides: Partial<NewTarget> = {}): Promise<Target> {
  const t = uniqueToken();
  const panelId = overrides.panelId ?? (await seedPanel(repos)).id;
  return repos.targets.create({
    remoteRef: `inbound-${t}`,
    name: `target-${t}`,
    protocol: 'vless',
    ...overrides,
    panelId,
  });
}

export function seedPlan(repos: StorageRepositories, overrides: Partial<NewPlan> = {}): Promise<Plan> {
  const t = uniqueToken();
  return repos.plans.create({
    name: `plan-${t}`,
    family: 'standard',
    price: { amount: 1000, currency: 'USD' },
    durationDays: 30,
    trafficBytes: 50 * 1024 ** 3,
    ...overrides,
  });
}

export function seedCustomer(repos: StorageRepositories, overrides: Partial<NewCustomer> = {}): Promise<Customer> {
  const t = uniqueToken();
  return repos.customers.create({ email: `${t}@example.com`, name: `Customer ${t}`, ...overrides });
}

export async function seedOrder(repos: StorageRepositories, overrides: Partial<NewOrder> = {}): Promise<Order> {
  const t = uniqueToken();
  const customerId = overrides.customerId ?? (await seedCustomer(repos)).id;
  const items = overrides.items ?? [
    { planId: (await seedPlan(repos)).id, quantity: 1, unitPrice: { amount: 1000, currency: 'USD' }, trial: false },
  ];
  return repos.orders.create({
    total: { amount: 1000, currency: 'USD' },
    idempotencyKey: `order-${t}`,
    requestHash: `hash-${t}`,
    ...overrides,
    customerId,
    items,
  });
}

/** The rows a subscription points at. */
export interface SubscriptionParents {
  customerId: string;
  planId: string;
  panelId: string;
  targetId: string;
}

export async function seedSubscriptionParents(
  repos: StorageRepositories,
  overrides: Partial<SubscriptionParents> = {},
): Promise<SubscriptionParents> {
  const customerId = overrides.customerId ?? (await seedCustomer(repos)).id;
  const planId = overrides.planId ?? (await seedPlan(repos)).id;
  const panelId = overrides.panelId ?? (await seedPanel(repos)).id;
  const targetId = overrides.targetId ?? (await seedTarget(repos, { panelId })).id;
  return { customerId, planId, panelId, targetId };
}

export type SubscriptionOverrides = Partial<NewSubscription> & { id?: string };

/**
 * Seeds a subscription (status `pending`, no expiry, no traffic limit unless overridden), seeding
 * any parent not named in `overrides`. Its remote identity is derived from its id.
 */
export async function seedSubscription(repos: StorageRepositories, overrides: SubscriptionOverrides = {}): Promise<Subscription> {
  const id = overrides.id ?? createId('sub');
  const parents = await seedSubscriptionParents(repos, {
    customerId: overrides.customerId,
    planId: overrides.planId,
    panelId: overrides.panelId,
    targetId: overrides.targetId,
  });
  return repos.subscriptions.create({
    orderId: null,
    trafficLimitBytes: null,
    expiresAt: null,
    durationDays: 30,
    startOnFirstUse: false,
    remote: remoteIdentityFor(id),
    ...overrides,
    ...parents,
    id,
  });
}

export async function seedLedgerEntry(
  repos: StorageRepositories,
  overrides: Partial<NewLedgerEntry> & { customerId: string },
): Promise<LedgerEntry> {
  const result = await repos.ledger.append({
    kind: 'top_up',
    amount: 1000,
    currency: 'USD',
    idempotencyKey: `ledger-${uniqueToken()}`,
    actor: { type: 'system' },
    ...overrides,
  });
  return result.entry;
}

export async function seedJob(repos: StorageRepositories, overrides: Partial<NewJob> = {}): Promise<Job> {
  const result = await repos.jobs.enqueue({ type: 'conformance.job', ...overrides });
  return result.job;
}

export function seedAuditEvent(repos: StorageRepositories, overrides: Partial<NewAuditEvent> = {}): Promise<AuditEvent> {
  return repos.audit.append({
    actor: { type: 'admin', id: 'admin-1' },
    action: 'subscription.suspended',
    subjectType: 'subscription',
    subjectId: createId('sub'),
    ...overrides,
  });
}
