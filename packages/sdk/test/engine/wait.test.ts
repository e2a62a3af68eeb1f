import { describe, expect, it } from 'vitest';
import { InvalidTransitionError, NotFoundError, WaitTimeoutError, createPanelkit } from '../../src/index.js';
import { IDENTITY, createHarness } from './harness.js';

describe('kit.waitForSubscription', () => {
  it('returns the subscription once the worker has provisioned it, woken by the event', async () => {
    const h = await createHarness();
    const customerId = await h.customer(5000);
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'w1' });
    const id = subscriptions[0]!.id;
    // A long poll: only the worker's event can end this wait in time.
    const waiting = h.kit.waitForSubscription(id, 'active', { pollMs: 60_000, timeoutMs: 120_000 });
    await h.worker().runOnce();
    const stillWaiting = new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), 2_000).unref());
    const active = await Promise.race([waiting, stillWaiting]);
    if (active === 'still waiting') throw new Error('the wait did not wake on the subscription:provisioned event');
    expect(active.status).toBe('active');
    expect(active.shareLinks.length).toBeGreaterThan(0);
  });

  it('sees a change made elsewhere by reading the storage again (no event in this process)', async () => {
    const h = await createHarness();
    const customerId = await h.customer(5000);
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'w2' });
    const id = subscriptions[0]!.id;
    const waiting = h.kit.waitForSubscription(id, (s) => s.status === 'active' && s.activatedAt !== null, {
      pollMs: 10,
      timeoutMs: 10_000,
    });
    // The same storage, another kit: its events never reach the first kit's bus, as on another replica.
    const fake = h.panels[0]!.fake;
    const other = createPanelkit({ storage: h.storage, clock: h.clock, panels: () => fake, policy: { identity: IDENTITY } });
    await other.createWorker({ heartbeatIntervalMs: 3_600_000 }).runOnce();
    expect((await waiting).status).toBe('active');
  });

  it('times out with the last status seen, and refuses at once what can no longer happen', async () => {
    const h = await createHarness();
    const customerId = await h.customer(5000);
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'w3' });
    const id = subscriptions[0]!.id;
    await expect(h.kit.waitForSubscription(id, 'active', { pollMs: 5, timeoutMs: 30 })).rejects.toSatisfy(
      (e: unknown) => WaitTimeoutError.is(e) && e.code === 'WAIT_TIMED_OUT' && /it is pending/.test(e.message),
    );
    await h.kit.terminate({ subscriptionId: id, reason: 'test' });
    await expect(h.kit.waitForSubscription(id, ['active', 'limited'])).rejects.toSatisfy((e: unknown) => InvalidTransitionError.is(e));
    await expect(h.kit.waitForSubscription('sub_missing', 'active')).rejects.toSatisfy((e: unknown) => NotFoundError.is(e));
  });

  it('stops when its signal aborts', async () => {
    const h = await createHarness();
    const customerId = await h.customer(5000);
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'w4' });
    const controller = new AbortController();
    const waiting = h.kit.waitForSubscription(subscriptions[0]!.id, 'active', { pollMs: 60_000, signal: controller.signal });
    controller.abort(new Error('the buyer left'));
    await expect(waiting).rejects.toThrow('the buyer left');
  });
});
