import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { CapacityExhaustedError, createPanelkit } from '@panelkit/sdk';
import type { Clock } from '@panelkit/sdk';
import { quoteBuiltPlan } from '@panelkit/sdk/plan-builder';
import type { StoragePort } from '@panelkit/sdk/storage';
import { FakePanelAdapter, ManualClock } from '@panelkit/sdk/testing';
import { SKIP_REAL_SERVER, fromPgPool, newPool, sharedPGlite, storageInFreshSchema } from './helpers.js';
import type { StorageInSchema } from './helpers.js';

const GiB = 2 ** 30;
const DAY = 86_400_000;
const usd = (amount: number) => ({ amount, currency: 'USD' });
const BUILDER = {
  basePrice: usd(100),
  locations: { options: ['de', 'nl'], unitPrice: usd(150), min: 1, max: 2 },
  devices: { unitPrice: usd(50), min: 1, max: 5 },
  trafficGiB: { unitPrice: usd(2), min: 10, max: 500, step: 10 },
  durationDays: { unitPrice: usd(5), min: 30, max: 90, step: 30 },
};
const CHOICE = { locations: ['de', 'nl'], devices: 3, trafficGiB: 100, days: 30 };
/** 100 + 2×150 + 3×50 + 100×2 + 30×5. */
const PRICE = 900;

/**
 * The built plan 2 locations + 3 devices + 100 GiB + 30 days on `storage`: quoted, bought at the quote (the ledger's
 * debit), provisioned on both locations' panels, extended at the frozen price, one subscription changed to another
 * plan; then a full location refused without a write.
 */
async function builtPlanScenario(storage: StoragePort, clock: ManualClock): Promise<void> {
  const fakes = new Map<string, FakePanelAdapter>();
  const kit = createPanelkit({
    storage,
    clock: clock as Clock,
    panels: (panel) => fakes.get(panel.id)!,
    policy: { identity: { secret: 'built-plan-secret-0123456789', prefix: 'pk' } },
    random: () => 0.5,
  });
  const panelIn = async (tag: string, capacity: number | null) => {
    const panel = await storage.panels.create({
      kind: 'fake',
      name: `panel ${tag}`,
      baseUrl: `https://${tag}.example.com/`,
      credentials: { type: 'token', token: 't' },
      locationTags: [tag],
    });
    fakes.set(panel.id, new FakePanelAdapter({ clock }));
    await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 'vless', protocol: 'vless', capacity });
    return panel;
  };
  const de = await panelIn('de', null);
  const nl = await panelIn('nl', 2);
  const plan = await storage.plans.create({
    name: 'built',
    family: 'built',
    price: usd(1000),
    durationDays: 30,
    trafficBytes: null,
    builder: BUILDER,
  });
  const customer = await storage.customers.create({ email: 'buyer@example.com' });
  await kit.topUp({ customerId: customer.id, amount: usd(5000), idempotencyKey: 'seed' });

  const rule = quoteBuiltPlan(plan, CHOICE);
  expect(rule.allowed && rule.quote.price).toEqual(usd(PRICE));
  expect((await kit.quoteCheckout({ customerId: customer.id, items: [{ planId: plan.id, choice: CHOICE }] })).total).toEqual(usd(PRICE));
  const { order, subscriptions } = await kit.checkout({
    customerId: customer.id,
    items: [{ planId: plan.id, choice: CHOICE }],
    idempotencyKey: 'b',
  });
  expect((await storage.orders.get(order.id))?.items[0]?.built).toEqual({ choice: CHOICE, price: usd(PRICE) });
  const purchase = (await storage.ledger.listByOrder(order.id)).filter((e) => e.kind === 'purchase');
  expect(purchase.map((e) => e.amount)).toEqual([-PRICE]);

  const worker = kit.createWorker({ heartbeatIntervalMs: 3_600_000 });
  await worker.drain();
  const subs = await Promise.all(subscriptions.map((s) => storage.subscriptions.get(s.id).then((x) => x!)));
  expect(subs.map((s) => [s.panelId, s.status, s.terms?.built?.location, s.terms?.price.amount])).toEqual([
    [de.id, 'active', 'de', 450],
    [nl.id, 'active', 'nl', 450],
  ]);
  expect(subs[0]!.bundleId).not.toBeNull();
  expect(subs[1]!.bundleId).toBe(subs[0]!.bundleId);
  for (const sub of subs) {
    expect(sub).toMatchObject({ trafficLimitBytes: 100 * GiB, deviceLimit: 3 });
    expect(fakes.get(sub.panelId)!.client(sub.remote.username)).toMatchObject({ trafficLimitBytes: 100 * GiB, deviceLimit: 3 });
  }

  const boughtAt = clock.now().getTime();
  clock.advance(28 * DAY);
  const before = await storage.ledger.balance(customer.id, 'USD');
  for (const sub of subs) await kit.extend({ subscriptionId: sub.id, idempotencyKey: `ext-${sub.id}` });
  expect(before - (await storage.ledger.balance(customer.id, 'USD'))).toBe(PRICE);
  await worker.drain();
  for (const sub of subs) expect((await storage.subscriptions.get(sub.id))?.expiresAt).toEqual(new Date(boughtAt + 60 * DAY));

  const fixed = await storage.plans.create({ name: 'fixed', family: 'fixed', price: usd(600), durationDays: 30, trafficBytes: null });
  await kit.changePlan({ subscriptionId: subs[0]!.id, planId: fixed.id, idempotencyKey: 'change' });
  await worker.drain();
  expect(await storage.subscriptions.get(subs[0]!.id)).toMatchObject({ planId: fixed.id, status: 'active', panelId: de.id });

  // nl holds 2: one built subscription is there, a second built plan takes the last slot, a third finds it full.
  await kit.checkout({ customerId: customer.id, items: [{ planId: plan.id, choice: CHOICE }], idempotencyKey: 'b2' });
  const balance = await storage.ledger.balance(customer.id, 'USD');
  const refused = await kit
    .checkout({ customerId: customer.id, items: [{ planId: plan.id, choice: CHOICE }], idempotencyKey: 'b3' })
    .catch((e: unknown) => e);
  expect(CapacityExhaustedError.is(refused) && refused.details).toMatchObject({ reason: 'location_full', location: 'nl' });
  expect(await storage.ledger.balance(customer.id, 'USD')).toBe(balance);
  expect(await storage.orders.getByIdempotencyKey(customer.id, 'b3')).toBeNull();

  // The nl subscription moves to de: one job, the same subscription and bundle, the expiry kept, nl's slot freed.
  const nlSub = subs[1]!;
  await kit.moveSubscription({ subscriptionId: nlSub.id, location: 'de', idempotencyKey: 'move' });
  await worker.drain();
  const moved = (await storage.subscriptions.get(nlSub.id))!;
  expect(moved).toMatchObject({ panelId: de.id, status: 'active', bundleId: nlSub.bundleId, expiresAt: new Date(boughtAt + 60 * DAY) });
  expect(fakes.get(de.id)!.client(moved.remote.username)).toMatchObject({ deviceLimit: 3 });
  expect(fakes.get(nl.id)!.client(nlSub.remote.username)).toBeUndefined();
}

describe('a built plan through the engine on PGlite', () => {
  const pglite = sharedPGlite();
  afterAll(() => pglite.close());

  it('is quoted, bought at the quote, provisioned in both locations, extended and changed; a full location refuses', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const { storage, cleanup } = await storageInFreshSchema(await pglite.client(), clock);
    try {
      await builtPlanScenario(storage, clock);
    } finally {
      await cleanup();
    }
  });
});

describe.skipIf(SKIP_REAL_SERVER !== false)('a built plan through the engine on PostgreSQL', () => {
  let pool: pg.Pool | undefined;
  afterAll(() => pool?.end());

  it('is quoted, bought at the quote, provisioned in both locations, extended and changed; a full location refuses', async () => {
    pool = newPool(4);
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const inSchema: StorageInSchema = await storageInFreshSchema(fromPgPool(pool), clock);
    try {
      await builtPlanScenario(inSchema.storage, clock);
    } finally {
      await inSchema.cleanup();
    }
  });
});
