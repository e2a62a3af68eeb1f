import { describe, expect, it } from 'vitest';
import {
  CapacityExhaustedError,
  ConfigurationError,
  EligibilityError,
  IdempotencyConflictError,
  InsufficientFundsError,
  ValidationError,
  createPanelkit,
} from '../../src/index.js';
import type { StoragePort } from '../../src/storage.js';
import { FakePanelAdapter } from '../../src/testing/index.js';
import { IDENTITY, createHarness } from './harness.js';

async function written(storage: StoragePort, customerId: string) {
  const orders = await storage.orders.list({ customerId }, { limit: 100 });
  const subs = await storage.subscriptions.listByCustomer(customerId, { limit: 100 });
  const jobs = await storage.jobs.list({ type: 'subscription.provision' }, { limit: 1000 });
  return { orders: orders.items.length, subs: subs.items.length, jobs: jobs.items.length };
}

describe('checkout', () => {
  it('writes the order, the debit, pending subscriptions and their jobs together', async () => {
    const h = await createHarness();
    const customerId = await h.customer(5000);
    const result = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id, quantity: 2 }], idempotencyKey: 'k1' });
    expect(result.replayed).toBe(false);
    expect(result.order.total).toEqual({ amount: 2000, currency: 'USD' });
    expect(result.order.ledgerEntryId).not.toBeNull();
    expect(result.subscriptions.map((s) => s.status)).toEqual(['pending', 'pending']);
    expect(await h.balance(customerId)).toBe(3000);
    expect(await written(h.storage, customerId)).toEqual({ orders: 1, subs: 2, jobs: 2 });
    expect((await h.storage.targets.get(h.panels[0]!.target.id))!.allocated).toBe(2);
    const audit = await h.storage.audit.list({ subjectType: 'order' }, { limit: 10 });
    expect(audit.items.map((a) => a.action)).toEqual(['order.placed']);
  });

  it('replays the same key and refuses the same key with another request', async () => {
    const h = await createHarness();
    const customerId = await h.customer(5000);
    const first = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'same' });
    const again = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'same' });
    expect(again.replayed).toBe(true);
    expect(again.order.id).toBe(first.order.id);
    expect(again.subscriptions.map((s) => s.id)).toEqual(first.subscriptions.map((s) => s.id));
    await expect(h.kit.checkout({ customerId, items: [{ planId: h.plan.id, quantity: 2 }], idempotencyKey: 'same' })).rejects.toSatisfy(
      (e: unknown) => IdempotencyConflictError.is(e),
    );
    expect(await h.balance(customerId)).toBe(4000);
    expect(await written(h.storage, customerId)).toEqual({ orders: 1, subs: 1, jobs: 1 });
  });

  it('refuses without enough balance, without capacity, or for an ineligible plan, writing nothing', async () => {
    const h = await createHarness({ panel: { capacity: 1 } });
    const poor = await h.customer(500);
    await expect(h.kit.checkout({ customerId: poor, items: [{ planId: h.plan.id }], idempotencyKey: 'a' })).rejects.toSatisfy(
      (e: unknown) => InsufficientFundsError.is(e),
    );
    expect(await written(h.storage, poor)).toEqual({ orders: 0, subs: 0, jobs: 0 });
    expect((await h.storage.targets.get(h.panels[0]!.target.id))!.allocated).toBe(0);

    const rich = await h.customer(5000);
    await expect(h.kit.checkout({ customerId: rich, items: [{ planId: h.plan.id, quantity: 2 }], idempotencyKey: 'b' })).rejects.toSatisfy(
      (e: unknown) => CapacityExhaustedError.is(e),
    );
    expect(await h.balance(rich)).toBe(5000);
    expect(await written(h.storage, rich)).toEqual({ orders: 0, subs: 0, jobs: 0 });

    const offSale = await h.addPlan({ onSale: false });
    await expect(h.kit.checkout({ customerId: rich, items: [{ planId: offSale.id }], idempotencyKey: 'c' })).rejects.toSatisfy(
      (e: unknown) => EligibilityError.is(e),
    );
    await expect(h.kit.checkout({ customerId: rich, items: [{ planId: h.plan.id, trial: true }], idempotencyKey: 'd' })).rejects.toSatisfy(
      (e: unknown) => EligibilityError.is(e),
    );
    await expect(h.kit.checkout({ customerId: rich, items: [], idempotencyKey: 'e' })).rejects.toSatisfy((e: unknown) =>
      ValidationError.is(e),
    );
    expect(await h.balance(rich)).toBe(5000);
    expect(await written(h.storage, rich)).toEqual({ orders: 0, subs: 0, jobs: 0 });
  });

  it('gives one free trial per plan family', async () => {
    const h = await createHarness({ plan: { trial: { days: 1, trafficBytes: 1024 } } });
    const customerId = await h.customer();
    const trial = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id, trial: true }], idempotencyKey: 't1' });
    expect(trial.order.total.amount).toBe(0);
    expect(trial.subscriptions[0]).toMatchObject({ trial: true, durationDays: 1, trafficLimitBytes: 1024 });
    await expect(h.kit.checkout({ customerId, items: [{ planId: h.plan.id, trial: true }], idempotencyKey: 't2' })).rejects.toSatisfy(
      (e: unknown) => EligibilityError.is(e) && e.reasons.includes('already_used'),
    );
  });

  it('places on preferred targets in order, then the default, then the least utilised healthy target in the allowed locations', async () => {
    const h = await createHarness({ panels: 0 });
    const a = await h.addPanel({ capacity: 1, locationTags: ['de'] });
    const b = await h.addPanel({ capacity: 10, locationTags: ['de'], isDefault: true });
    const c = await h.addPanel({ capacity: 10, locationTags: ['de'] });
    const d = await h.addPanel({ capacity: 10, locationTags: ['de'] });
    const far = await h.addPanel({ capacity: 100, locationTags: ['us'] });
    const plan = await h.addPlan({ placement: { preferredTargetIds: [a.target.id], allowedLocations: ['de'], requiredTargetTags: [] } });
    const customerId = await h.customer(1_000_000);
    const place = async (key: string) =>
      (await h.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: key })).subscriptions[0]!.targetId;
    expect(await place('1')).toBe(a.target.id); // preferred
    expect(await place('2')).toBe(b.target.id); // preferred full → default
    await h.storage.targets.update(b.target.id, { capacity: 1 });
    await h.storage.panels.update(c.panel.id, { health: { ...c.panel.health, status: 'unhealthy' } });
    expect(await place('3')).toBe(d.target.id); // default full; c unhealthy; us not allowed
    await h.storage.panels.update(c.panel.id, { health: { ...c.panel.health, status: 'healthy' } });
    expect(await place('4')).toBe(c.target.id); // recovered and least utilised
    expect((await h.storage.targets.get(far.target.id))!.allocated).toBe(0);
  });

  it('sells exactly the capacity to 200 concurrent buyers of 20 slots, with exact balances', async () => {
    const h = await createHarness({ panel: { capacity: 20 } });
    const customers = await Promise.all(Array.from({ length: 200 }, () => h.customer(1500)));
    const results = await Promise.allSettled(
      customers.map((customerId, i) => h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: `c${i}` })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(20);
    expect(lost.every((r) => CapacityExhaustedError.is(r.reason))).toBe(true);
    const balances = await Promise.all(customers.map((c) => h.balance(c)));
    expect(balances.filter((b) => b === 500)).toHaveLength(20);
    expect(balances.filter((b) => b === 1500)).toHaveLength(180);
    expect((await h.storage.orders.list({}, { limit: 1000 })).items).toHaveLength(20);
    expect((await h.storage.targets.get(h.panels[0]!.target.id))!.allocated).toBe(20);
  });

  it('audits a target reaching 90% of its capacity once, in the checkout that filled it', async () => {
    const h = await createHarness({ panel: { capacity: 20 } });
    const targetId = h.panels[0]!.target.id;
    const customers = await Promise.all(Array.from({ length: 20 }, () => h.customer(1500)));
    const nearlyFull = async () =>
      (await h.storage.audit.list({ subjectType: 'target' }, { limit: 10 })).items.filter((a) => a.action === 'target.nearly_full');
    for (const [i, customerId] of customers.slice(0, 17).entries())
      await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: `n${i}` });
    expect(await nearlyFull()).toEqual([]);
    await h.kit.checkout({ customerId: customers[17]!, items: [{ planId: h.plan.id }], idempotencyKey: 'n17' });
    const audited = await nearlyFull();
    expect(audited.map((a) => [a.subjectId, a.data['allocated'], a.data['capacity']])).toEqual([[targetId, 18, 20]]);
    await Promise.all(
      customers.slice(18).map((customerId, i) => h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: `m${i}` })),
    );
    expect(await nearlyFull()).toHaveLength(1);
  });

  it('refuses a storage or an adapter of another port version', async () => {
    const h = await createHarness();
    const oldStorage = { ...h.storage, portVersion: 0 } as unknown as StoragePort;
    expect(() => createPanelkit({ storage: oldStorage, panels: () => new FakePanelAdapter(), policy: { identity: IDENTITY } })).toThrow(
      ConfigurationError,
    );
    const kit = createPanelkit({
      storage: h.storage,
      panels: () => ({ ...new FakePanelAdapter(), apiVersion: 2 }) as never,
      policy: { identity: IDENTITY },
    });
    await expect(kit.checkPanelHealth()).rejects.toSatisfy((e: unknown) => ConfigurationError.is(e));
  });

  it('refuses an identity secret shorter than 16 characters when the kit is made', async () => {
    const h = await createHarness();
    const make = (secret: string) => () =>
      createPanelkit({ storage: h.storage, panels: () => new FakePanelAdapter(), policy: { identity: { ...IDENTITY, secret } } });
    expect(make('fifteen-chars!!')).toThrow(/at least 16 characters/);
    expect(make('sixteen-chars!!!')).not.toThrow();
  });
});
