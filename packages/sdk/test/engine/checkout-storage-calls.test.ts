import { describe, expect, it } from 'vitest';
import { createHarness } from './harness.js';
import { counting } from './storage-calls.js';

const READS = [
  'orders.checkoutContext',
  'orders.getByIdempotencyKey',
  'customers.get',
  'plans.get',
  'priceBooks.get',
  'priceBooks.list',
  'targets.list',
  'panels.list',
] as const;

function readsOf(calls: Map<string, number>): Record<string, number> {
  return Object.fromEntries(READS.map((key) => [key, calls.get(key) ?? 0]));
}

describe('checkout: its reads before it writes', () => {
  it('a purchase reads the order, customer, plans, price book, targets and panels in one call, and prices from its book', async () => {
    const calls = new Map<string, number>();
    const h = await createHarness({ wrapStorage: (storage) => counting(storage, calls) });
    const other = await h.addPlan();
    const customerId = await h.customer(10_000);
    await h.storage.priceBooks.set({ customerId, planId: h.plan.id, price: { amount: 700, currency: 'USD' } });
    calls.clear();
    const { order } = await h.kit.checkout({
      customerId,
      items: [{ planId: h.plan.id, quantity: 2 }, { planId: other.id }, { planId: h.plan.id }],
      idempotencyKey: 'one-read',
    });
    expect(order.items.map((i) => i.unitPrice.amount)).toEqual([700, other.price.amount, 700]);
    expect(readsOf(calls)).toEqual({ ...readsOf(new Map()), 'orders.checkoutContext': 1 });

    calls.clear();
    const again = await h.kit.checkout({
      customerId,
      items: [{ planId: h.plan.id, quantity: 2 }, { planId: other.id }, { planId: h.plan.id }],
      idempotencyKey: 'one-read',
    });
    expect(again.replayed).toBe(true);
    expect(readsOf(calls)).toEqual({ ...readsOf(new Map()), 'orders.checkoutContext': 1 });
  });

  it('a trial reads the targets and panels again after its identity claim (a lock it may wait on)', async () => {
    const calls = new Map<string, number>();
    const h = await createHarness({ wrapStorage: (storage) => counting(storage, calls) });
    const plan = await h.addPlan({ trial: { days: 1, trafficBytes: null } });
    const customerId = await h.customer(0);
    calls.clear();
    await h.kit.checkout({ customerId, items: [{ planId: plan.id, trial: true }], idempotencyKey: 'trial' });
    expect(calls.get('trialClaims.claim')).toBe(1);
    // After the claim: the buyer's trials (a trial a checkout of this buyer on another replica committed while the claim
    // waited for it), read again; not the order under its key (that checkout being this key's first submission, its
    // trial refuses this one and the refusal's catch replays it: same-key-window.test.ts).
    expect(readsOf(calls)).toMatchObject({
      'orders.checkoutContext': 1,
      'orders.getByIdempotencyKey': 0,
      'plans.get': 0,
      'targets.list': 1,
      'panels.list': 1,
    });
    expect(calls.get('subscriptions.listByCustomer')).toBe(2);
  });

  it('a trial of a customer record alone (no e-mail, no Telegram id) still claims: its account key', async () => {
    const calls = new Map<string, number>();
    const h = await createHarness({ wrapStorage: (storage) => counting(storage, calls) });
    const plan = await h.addPlan({ trial: { days: 1, trafficBytes: null } });
    const customerId = (await h.storage.customers.create({})).id;
    calls.clear();
    await h.kit.checkout({ customerId, items: [{ planId: plan.id, trial: true }], idempotencyKey: 'trial' });
    expect(calls.get('trialClaims.claim')).toBe(1);
  });
});
