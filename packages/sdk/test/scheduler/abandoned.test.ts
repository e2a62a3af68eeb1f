import { describe, expect, it } from 'vitest';
import { PanelServerError } from '../../src/index.js';
import { createHarness, deferred } from '../engine/harness.js';

/** Runs a worker that freezes for ever at its first step (a dead process), and waits until it is there. */
async function dieOnce(h: Awaited<ReturnType<typeof createHarness>>): Promise<void> {
  const reached = deferred();
  void h.worker({ onStep: () => (reached.resolve(), new Promise<void>(() => {})) }).runOnce();
  await reached.promise;
}

describe('lost last attempts', () => {
  const policy = { leaseMs: 30_000, jobRetry: { maxAttempts: 2, baseDelayMs: 1000, maxDelayMs: 1000 } };

  it('refunds when the worker of the last provisioning attempt dies, without calling the panel again', async () => {
    const h = await createHarness({ policy });
    const customerId = await h.customer(5000);
    const { order, subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'b' });
    const fake = h.panels[0]!.fake;
    fake.failNext('createClients', () => new PanelServerError('boom', { panelKind: 'fake' }));
    await h.worker().drain(); // attempt 1 fails, retry scheduled
    h.clock.advance(2_000);
    await dieOnce(h); // attempt 2, the last: its worker dies
    h.clock.advance(31_000);
    expect(await h.balance(customerId)).toBe(4000);
    expect((await h.kit.createScheduler().tick()).reapedJobs).toBe(1);
    await h.worker().drain(); // the reserved attempt compensates
    expect(fake.calls.createClients).toBe(1);
    expect((await h.storage.subscriptions.get(subscriptions[0]!.id))!.status).toBe('failed');
    expect(await h.balance(customerId)).toBe(5000);
    expect((await h.storage.orders.get(order.id))!.status).toBe('failed');
  });

  it('refunds an extension whose last attempt was lost', async () => {
    const h = await createHarness({ policy });
    const customerId = await h.customer(5000);
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'b' });
    await h.worker().drain();
    h.clock.advanceDays(28);
    await h.kit.extend({ subscriptionId: subscriptions[0]!.id, idempotencyKey: 'x' });
    expect(await h.balance(customerId)).toBe(3000);
    h.panels[0]!.fake.failNext('updateClient', () => new PanelServerError('boom', { panelKind: 'fake' }));
    await h.worker().drain();
    h.clock.advance(2_000);
    await dieOnce(h);
    h.clock.advance(31_000);
    await h.kit.createScheduler().tick();
    await h.worker().drain();
    expect(await h.balance(customerId)).toBe(4000);
  });

  it('settles provisioning even when the reserved attempt dies too (the scheduler finds it)', async () => {
    const h = await createHarness({ policy });
    const customerId = await h.customer(5000);
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'b' });
    for (let attempt = 0; attempt < 3; attempt++) {
      await dieOnce(h);
      h.clock.advance(31_000);
      await h.storage.jobs.reapExpired();
    }
    expect((await h.storage.jobs.list({ state: 'dead' }, { limit: 5 })).items).toHaveLength(1);
    expect(await h.balance(customerId)).toBe(4000);
    const report = await h.kit.createScheduler().tick();
    expect(report.abandoned).toBe(1);
    expect((await h.storage.subscriptions.get(subscriptions[0]!.id))!.status).toBe('failed');
    expect(await h.balance(customerId)).toBe(5000);
    h.clock.advance(60_000);
    await h.kit.createScheduler().tick();
    expect(await h.balance(customerId)).toBe(5000);
  });
});

describe('scheduler: audit', () => {
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
