import { describe, expect, it } from 'vitest';
import { DEFAULT_JOB_RETRY, JOB_TYPES, PanelServerError } from '../../src/index.js';
import type { Job } from '../../src/index.js';
import { createHarness } from './harness.js';
import type { Harness } from './harness.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

async function buy(h: Harness, quantity = 1, balance = 10_000) {
  const customerId = await h.customer(balance);
  const { subscriptions } = await h.kit.checkout({
    customerId,
    items: [{ planId: h.plan.id, quantity }],
    idempotencyKey: `buy-${customerId}`,
  });
  return { customerId, subscriptions };
}

async function provisioningJob(h: Harness, subscriptionId: string): Promise<Job> {
  return (await h.storage.jobs.list({ dedupeKey: `${JOB_TYPES.provision}:${subscriptionId}` }, { limit: 1 })).items[0]!;
}

async function markDown(h: Harness): Promise<void> {
  h.panels[0]!.fake.setDown(true);
  for (let i = 0; i < 2; i++) await h.kit.checkPanelHealth();
  expect((await h.storage.panels.get(h.panels[0]!.panel.id))!.health.status).toBe('unhealthy');
}

describe('worker: a panel known to be down', () => {
  it('parks its jobs without spending attempts, for hours, and its recovery wakes them at once', async () => {
    const h = await createHarness();
    const { customerId, subscriptions } = await buy(h, 2);
    await markDown(h);
    const parked: string[] = [];
    h.kit.events.on('job:parked', (e) => void parked.push(e.job.id));
    for (let i = 0; i < 6 * 6; i++) {
      h.clock.advance(10 * MINUTE);
      await h.worker().drain();
    }
    expect(h.panels[0]!.fake.calls.createClients).toBe(0);
    expect(parked.length).toBeGreaterThanOrEqual(2 * 36);
    for (const s of subscriptions) {
      const job = await provisioningJob(h, s.id);
      expect(job).toMatchObject({ state: 'queued', attempts: 0, parkedOn: h.panels[0]!.panel.id });
      expect(job.runAt.getTime()).toBeGreaterThan(h.clock.now().getTime());
    }
    h.panels[0]!.fake.setDown(false);
    await h.kit.checkPanelHealth();
    // Woken by the recovery: due now, not at the end of their park.
    expect(await h.worker().drain()).toBe(2);
    for (const s of subscriptions) {
      expect((await h.storage.subscriptions.get(s.id))!.status).toBe('active');
      expect(await provisioningJob(h, s.id)).toMatchObject({ state: 'succeeded', attempts: 1, parkedOn: null });
    }
    expect(await h.balance(customerId)).toBe(8_000);
  });

  it('gives a parked job up at its give-up time: failed and refunded once', async () => {
    const h = await createHarness({ policy: { jobRetry: { giveUpAfterMs: 2 * HOUR }, parkedRecheckMs: 30 * MINUTE } });
    const { customerId, subscriptions } = await buy(h);
    await markDown(h);
    const started = h.clock.now().getTime();
    const dead: Date[] = [];
    h.kit.events.on('job:dead', (e) => void dead.push(e.at));
    while (dead.length === 0 && h.clock.now().getTime() < started + 3 * HOUR) {
      await h.worker().drain();
      h.clock.advance(MINUTE);
    }
    expect(dead).toHaveLength(1);
    expect(dead[0]!.getTime() - started).toBe(2 * HOUR);
    const s = (await h.storage.subscriptions.get(subscriptions[0]!.id))!;
    expect(s.status).toBe('failed');
    expect(s.failureReason).toContain('PANEL_CONNECTION');
    expect(await h.balance(customerId)).toBe(10_000);
    expect(h.panels[0]!.fake.calls.createClients).toBe(0);
  });
});

describe('worker: retries bounded by time', () => {
  it('keeps retrying a failing panel that passes its health checks until the give-up time, backoff capped at 2 minutes', async () => {
    const h = await createHarness({ policy: { jobRetry: {} } });
    expect(DEFAULT_JOB_RETRY).toMatchObject({ giveUpAfterMs: 12 * HOUR, maxDelayMs: 2 * MINUTE });
    const { customerId, subscriptions } = await buy(h);
    h.panels[0]!.fake.failNext('createClients', () => new PanelServerError('bad gateway', { panelKind: 'fake' }), 1_000_000);
    const gaps: number[] = [];
    h.kit.events.on('job:retried', (e) => void gaps.push(e.retryAt.getTime() - e.at.getTime()));
    const started = h.clock.now().getTime();
    while (h.clock.now().getTime() < started + 3 * HOUR) {
      await h.worker().drain();
      h.clock.advance(10_000);
    }
    // The old policy had given up after 12 attempts (about 35 minutes) and refunded.
    expect(gaps.length).toBeGreaterThan(12);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(2 * MINUTE);
    expect((await h.storage.subscriptions.get(subscriptions[0]!.id))!.status).toBe('pending');
    expect(await h.balance(customerId)).toBe(9_000);
    // The panel recovers without ever being marked down: the next retry is at most 2 minutes away.
    h.panels[0]!.fake.clearFaults();
    h.clock.advance(2 * MINUTE);
    await h.worker().drain();
    expect((await h.storage.subscriptions.get(subscriptions[0]!.id))!.status).toBe('active');
    expect(await h.balance(customerId)).toBe(9_000);
  });

  it('refuses a give-up time that is not positive, and more attempts than a job row holds', async () => {
    for (const jobRetry of [{ giveUpAfterMs: 0 }, { giveUpAfterMs: Number.NaN }, { maxAttempts: 1000 }, { maxAttempts: 0 }]) {
      await expect(createHarness({ policy: { jobRetry } })).rejects.toMatchObject({ code: 'CONFIGURATION' });
    }
  });

  it('gives up once the give-up time has passed since the first failure, not after a count', async () => {
    const h = await createHarness({ policy: { jobRetry: { giveUpAfterMs: HOUR, maxDelayMs: 10 * MINUTE } } });
    const { customerId, subscriptions } = await buy(h);
    h.panels[0]!.fake.failNext('createClients', () => new PanelServerError('bad gateway', { panelKind: 'fake' }), 1_000_000);
    const started = h.clock.now().getTime();
    const dead: number[] = [];
    h.kit.events.on('job:dead', (e) => void dead.push(e.at.getTime() - started));
    while (dead.length === 0 && h.clock.now().getTime() < started + 2 * HOUR) {
      await h.worker().drain();
      h.clock.advance(MINUTE);
    }
    // The last retry is scheduled at the give-up time, not past it.
    expect(dead).toEqual([HOUR]);
    expect((await h.storage.subscriptions.get(subscriptions[0]!.id))!.status).toBe('failed');
    expect(await h.balance(customerId)).toBe(10_000);
  });
});

describe('pendingReason', () => {
  it('tells a server known to be down from one being set up and from an approval; null once live', async () => {
    const h = await createHarness();
    const { subscriptions } = await buy(h);
    const id = subscriptions[0]!.id;
    expect(await h.kit.pendingReason(id)).toBe('provisioning');
    await markDown(h);
    // Known down before the worker has even parked the job.
    expect(await h.kit.pendingReason(id)).toBe('panel_unavailable');
    await h.worker().drain();
    expect(await h.kit.pendingReason((await h.storage.subscriptions.get(id))!)).toBe('panel_unavailable');
    h.panels[0]!.fake.setDown(false);
    await h.kit.checkPanelHealth();
    await h.worker().drain();
    expect(await h.kit.pendingReason(id)).toBeNull();

    const manual = await h.addPlan({ autoProvision: false });
    const customerId = await h.customer(5_000);
    const order = await h.kit.checkout({ customerId, items: [{ planId: manual.id }], idempotencyKey: 'manual' });
    expect(await h.kit.pendingReason(order.subscriptions[0]!.id)).toBe('awaiting_approval');
    await expect(h.kit.pendingReason('sub_missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
