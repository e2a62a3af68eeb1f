import {
  CapacityExhaustedError,
  addDays,
  assertTransition,
  createId,
  decideExtension,
  deriveRemoteIdentity,
  type ManualClock,
  type Plan,
  type StoragePort,
  type Subscription,
} from '@panelkit/sdk';

const GiB = 1024 ** 3;
const IDENTITY = { secret: 'demo-identity-secret-change-me', prefix: 'demo' };

export interface WalkthroughResult {
  ordersPlaced: number;
  refusedForCapacity: number;
  balance: number;
  jobsClaimed: number;
  extensionBefore: string;
  extensionAfter: string;
}

/**
 * A checkout in one transaction: reserve capacity, debit the wallet, write the order, its
 * subscription and its provisioning job. Any failure rolls every part back.
 */
async function checkout(storage: StoragePort, customerId: string, plan: Plan, targetId: string, key: string) {
  return storage.transaction(async (tx) => {
    const target = await tx.targets.get(targetId);
    if (!target) throw new Error('target missing');
    const reserved = await tx.capacity.reserve({ targetId, planId: plan.id, count: 1 });
    if (!reserved.ok) throw new CapacityExhaustedError(`no room: ${reserved.reason}`);
    const order = await tx.orders.create({
      customerId, items: [{ planId: plan.id, quantity: 1, unitPrice: plan.price, trial: false }],
      total: plan.price, idempotencyKey: key, requestHash: `${plan.id}x1`,
    });
    const { entry } = await tx.ledger.append({
      customerId, kind: 'purchase', amount: -plan.price.amount, currency: plan.price.currency,
      idempotencyKey: `purchase:${order.id}`, orderId: order.id, actor: { type: 'customer', id: customerId },
    });
    await tx.orders.update(order.id, { ledgerEntryId: entry.id });
    const subscriptionId = createId('sub');
    const subscription = await tx.subscriptions.create({
      id: subscriptionId, customerId, orderId: order.id, planId: plan.id, panelId: target.panelId, targetId,
      remote: deriveRemoteIdentity(subscriptionId, 0, IDENTITY), trafficLimitBytes: plan.trafficBytes,
      expiresAt: null, durationDays: plan.durationDays, startOnFirstUse: false,
    });
    await tx.jobs.enqueue({ type: 'subscription.provision', payload: { subscriptionId }, dedupeKey: `provision:${subscriptionId}` });
    return { order, subscription };
  });
}

function describeDecision(decision: ReturnType<typeof decideExtension>): string {
  if (!decision.allowed) {
    const opens = decision.details.opensAt ? ` (opens ${decision.details.opensAt.toISOString()})` : '';
    return `refused: ${decision.reason}${opens}`;
  }
  const q = decision.quote;
  const limit = q.newTrafficLimitBytes === null ? 'unlimited' : `${q.newTrafficLimitBytes / GiB} GiB`;
  return `${q.action} for ${q.price.amount} ${q.price.currency}: ${limit} until ${q.newExpiresAt.toISOString()}`;
}

export async function runWalkthrough(storage: StoragePort, clock: ManualClock, say: (line: string) => void): Promise<WalkthroughResult> {
  say('panelkit demo: the foundation’s guarantees on the in-memory storage. No panel is contacted:');
  say('the panel adapters and the provisioning worker land later; here a job is claimed and the');
  say('subscription marked active by hand, exactly where the worker will do it.\n');

  const panel = await storage.panels.create({
    kind: '3x-ui', name: 'Frankfurt (not contacted)', baseUrl: 'http://127.0.0.1:2053/demo/',
    credentials: { type: 'password', username: 'admin', password: 'admin' }, locationTags: ['de'],
  });
  const target = await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 'VLESS Reality', protocol: 'vless', capacity: 2, isDefault: true });
  const plan = await storage.plans.create({ name: 'Monthly 50 GiB', family: 'monthly', price: { amount: 500, currency: 'USD' }, durationDays: 30, trafficBytes: 50 * GiB });
  const customer = await storage.customers.create({ email: 'buyer@example.com', name: 'Buyer' });
  say(`Catalog: "${plan.name}" for ${plan.price.amount} ${plan.price.currency}; target "${target.name}" holds ${target.capacity} clients.`);

  for (const attempt of [1, 2]) {
    const { created } = await storage.ledger.append({
      customerId: customer.id, kind: 'top_up', amount: 1200, currency: 'USD', idempotencyKey: 'receipt-1001',
      reference: 'receipt 1001', actor: { type: 'admin', id: 'demo-admin' },
    });
    say(`Top-up with receipt 1001, attempt ${attempt}: ${created ? 'credited' : 'already applied, not credited again'}.`);
  }

  let ordersPlaced = 0;
  let refusedForCapacity = 0;
  let active: Subscription | undefined;
  for (const n of [1, 2, 3]) {
    try {
      const { order, subscription } = await checkout(storage, customer.id, plan, target.id, `checkout-${n}`);
      ordersPlaced++;
      active ??= subscription;
      say(`Checkout ${n}: order ${order.id} paid; client ${subscription.remote.username} queued for provisioning.`);
    } catch (error) {
      if (!CapacityExhaustedError.is(error)) throw error;
      refusedForCapacity++;
      say(`Checkout ${n}: refused (${error.message}); nothing was charged or written.`);
    }
  }
  const balance = await storage.ledger.balance(customer.id, 'USD');
  say(`Balance: ${balance} USD.`);

  const claimed = await storage.jobs.claim({ workerId: 'demo-worker', limit: 10, leaseMs: 30_000 });
  say(`A worker claimed ${claimed.length} provisioning jobs under leases.`);
  for (const { job, lease } of claimed) {
    const subscriptionId = String(job.payload.subscriptionId);
    const sub = await storage.subscriptions.get(subscriptionId);
    if (!sub) continue;
    assertTransition(sub.status, 'active');
    const now = clock.now();
    const updated = await storage.subscriptions.update(
      sub.id,
      { status: 'active', activatedAt: now, expiresAt: addDays(now, plan.durationDays), usedBytes: 0, usageObservedAt: now },
      { expectedRevision: sub.revision },
    );
    if (updated.id === active?.id) active = updated;
    await storage.jobs.complete(lease);
  }

  if (!active) throw new Error('no subscription was placed');
  const extensionBefore = describeDecision(decideExtension({ subscription: active, plan, now: clock.now() }));
  say(`Extension today: ${extensionBefore}.`);
  clock.advanceDays(28);
  const extensionAfter = describeDecision(decideExtension({ subscription: active, plan, now: clock.now() }));
  say(`Extension 28 days later: ${extensionAfter}.`);

  return { ordersPlaced, refusedForCapacity, balance, jobsClaimed: claimed.length, extensionBefore, extensionAfter };
}
