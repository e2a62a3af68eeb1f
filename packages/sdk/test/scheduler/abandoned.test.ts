import { describe, expect, it } from 'vitest';
import { PanelServerError } from '../../src/index.js';
import { createHarness, deferred } from '../engine/harness.js';

describe('scheduler: abandoned provisioning', () => {
  it('refunds a paid subscription whose last provisioning attempt died with its worker', async () => {
    const h = await createHarness({ policy: { leaseMs: 30_000, jobRetry: { maxAttempts: 2, baseDelayMs: 1000, maxDelayMs: 1000 } } });
    const customerId = await h.customer(5000);
    const { order, subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'b' });
    h.panels[0]!.fake.failNext('createClients', () => new PanelServerError('boom', { panelKind: 'fake' }));
    await h.worker().drain(); // attempt 1 fails, retry scheduled
    h.clock.advance(2_000);
    const reached = deferred();
    void h.worker({ onStep: () => (reached.resolve(), new Promise<void>(() => {})) }).runOnce(); // attempt 2: the worker dies
    await reached.promise;
    h.clock.advance(31_000);
    expect(await h.balance(customerId)).toBe(4000);
    const report = await h.kit.createScheduler().tick();
    expect(report.reapedJobs).toBe(1);
    expect(report.abandoned).toBe(1);
    const sub = (await h.storage.subscriptions.get(subscriptions[0]!.id))!;
    expect(sub.status).toBe('failed');
    expect(await h.balance(customerId)).toBe(5000);
    expect((await h.storage.orders.get(order.id))!.status).toBe('failed');
    h.clock.advance(60_000);
    await h.kit.createScheduler().tick();
    expect(await h.balance(customerId)).toBe(5000);
  });

  it('writes the scheduler as the actor of the state changes it makes', async () => {
    const h = await createHarness();
    const customerId = await h.customer(5000);
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'b' });
    await h.worker().drain();
    h.clock.advanceDays(31);
    await h.kit.createScheduler().tick();
    const audit = await h.storage.audit.list({ subjectId: subscriptions[0]!.id, actor: 'scheduler' }, { limit: 10 });
    expect(audit.items.map((a) => a.action)).toEqual(['subscription.expired']);
  });
});

describe('scheduler: termination', () => {
  it('keeps an expired subscription whose paid extension is still being applied', async () => {
    const h = await createHarness({ policy: { terminationGraceMs: 2 * 86_400_000 } });
    const customerId = await h.customer(5000);
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'b' });
    await h.worker().drain();
    const id = subscriptions[0]!.id;
    h.clock.advanceDays(31);
    await h.kit.createScheduler().tick();
    expect((await h.storage.subscriptions.get(id))!.status).toBe('expired');
    await h.kit.extend({ subscriptionId: id, idempotencyKey: 'late' });
    h.panels[0]!.fake.setDown(true);
    await h.worker().drain();
    h.clock.advanceDays(3);
    await h.kit.createScheduler().tick();
    expect((await h.storage.subscriptions.get(id))!.status).toBe('expired');
    h.panels[0]!.fake.setDown(false);
    h.clock.advance(3_600_000);
    await h.worker().drain();
    expect((await h.storage.subscriptions.get(id))!.status).toBe('active');
  });
});
