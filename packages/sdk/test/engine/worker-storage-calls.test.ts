import { describe, expect, it } from 'vitest';
import { createHarness } from './harness.js';
import { counting } from './storage-calls.js';

describe('worker: storage calls of a provisioning batch', () => {
  it('reads the claim with its targets and panels once, settles its orders, writes its audit events and completes its jobs in one call each', async () => {
    const calls = new Map<string, number>();
    const h = await createHarness({ wrapStorage: (storage) => counting(storage, calls) });
    const customerId = await h.customer(10_000);
    const { order, subscriptions } = await h.kit.checkout({
      customerId,
      items: [{ planId: h.plan.id, quantity: 5 }],
      idempotencyKey: 'five',
    });
    calls.clear();
    expect(await h.worker({ claimLimit: 10 }).drain()).toBe(5);
    const count = (key: string) => calls.get(key) ?? 0;
    expect({
      withPlaces: count('subscriptions.getManyWithPlaces'),
      getMany: count('subscriptions.getMany'),
      get: count('subscriptions.get'),
      targets: count('targets.get'),
      panels: count('panels.get'),
      settle: count('orders.settle'),
      lock: count('orders.update'),
      listByOrder: count('subscriptions.listByOrder'),
      referral: count('referrals.get'),
      appendMany: count('audit.appendMany'),
      append: count('audit.append'),
      completeMany: count('jobs.completeMany'),
      complete: count('jobs.complete'),
    }).toEqual({
      withPlaces: 1,
      getMany: 0,
      get: 0,
      targets: 0,
      panels: 0,
      settle: 1,
      lock: 0,
      listByOrder: 0,
      referral: 0,
      appendMany: 1,
      append: 0,
      completeMany: 1,
      complete: 0,
    });
    expect(await h.storage.orders.get(order.id)).toMatchObject({ status: 'completed' });
    const audit = await h.storage.audit.list({ actor: 'worker' }, { limit: 50 });
    const actions = audit.items.map((e) => `${e.action} ${e.subjectId}`).sort();
    expect(actions).toEqual([`order.completed ${order.id}`, ...subscriptions.map((s) => `subscription.provisioned ${s.id}`)].sort());
    expect(audit.items.find((e) => e.action === 'order.completed')?.data).toEqual({ from: 'provisioning' });
  });

  it('writes the jobs of one create an order that finish together in one transaction (group commit)', async () => {
    const calls = new Map<string, number>();
    // The four creates are answered together, as a panel's answers that arrive in one turn of the loop.
    let arrived = 0;
    let answer!: () => void;
    const together = new Promise<void>((resolve) => (answer = resolve));
    const h = await createHarness({
      panel: {
        latencyMs: 1,
        capabilities: { batchCreate: false, maxConcurrency: 4 },
        sleep: () => (++arrived === 4 && answer(), together),
      },
      wrapStorage: (storage) => counting(storage, calls),
    });
    const orders = [];
    for (let i = 0; i < 4; i++) {
      const customerId = await h.customer(10_000);
      orders.push((await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: `one-${i}` })).order);
    }
    calls.clear();
    expect(await h.worker({ claimLimit: 10 }).drain()).toBe(4);
    expect(h.panels[0]!.fake.calls.createClients).toBe(4);
    const count = (key: string) => calls.get(key) ?? 0;
    expect({ settle: count('orders.settle'), appendMany: count('audit.appendMany'), completeMany: count('jobs.completeMany') }).toEqual({
      settle: 1,
      appendMany: 1,
      completeMany: 1,
    });
    for (const order of orders) expect(await h.storage.orders.get(order.id)).toMatchObject({ status: 'completed' });
  });
});
