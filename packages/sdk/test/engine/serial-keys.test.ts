import { describe, expect, it } from 'vitest';
import { createHarness } from './harness.js';
import type { Harness } from './harness.js';

async function buy(h: Harness, quantity: number) {
  const customerId = await h.customer(quantity * 1000);
  return h.kit.checkout({ customerId, items: [{ planId: h.plan.id, quantity }], idempotencyKey: `buy-${customerId}` });
}

async function jobsOf(h: Harness, subscriptionId: string) {
  const types = ['subscription.provision', 'subscription.push', 'subscription.remove'];
  const pages = await Promise.all(types.map((type) => h.storage.jobs.list({ dedupeKey: `${type}:${subscriptionId}` }, { limit: 10 })));
  return pages.flatMap((p) => p.items);
}

describe('engine: serialisation keys from the adapter’s serialTargetWrites', () => {
  it('every job that writes to a panel declaring it carries the panel + target key', async () => {
    const h = await createHarness({ panel: { capabilities: { serialTargetWrites: true } } });
    const { panel, target } = h.panels[0]!;
    const key = `panel:${panel.id}|target:${target.remoteRef}`;
    const { subscriptions } = await buy(h, 1);
    const id = subscriptions[0]!.id;
    await h.worker().drain();
    await h.kit.suspend({ subscriptionId: id, reason: 'abuse' });
    await h.kit.terminate({ subscriptionId: id });
    const jobs = await jobsOf(h, id);
    expect(jobs.map((j) => j.type).sort()).toEqual(['subscription.provision', 'subscription.push', 'subscription.remove']);
    expect(jobs.map((j) => j.serialKey)).toEqual([key, key, key]);
  });

  it('reconciliation repairs (a missing client, an orphan) carry the key too', async () => {
    const h = await createHarness({ panel: { capabilities: { serialTargetWrites: true } } });
    const { panel, target, fake } = h.panels[0]!;
    const { subscriptions } = await buy(h, 1);
    await h.worker().drain();
    const sub = (await h.storage.subscriptions.get(subscriptions[0]!.id))!;
    fake.remove(sub.remote.username);
    const stranger = { ...sub.remote, username: 'pk_stranger' };
    fake.plant({ identity: stranger, expiry: { type: 'never' }, trafficLimitBytes: null, deviceLimit: null, enabled: true });
    expect((await h.kit.reconcile({ repair: true })).repairsQueued).toBe(2);
    const queued = await h.storage.jobs.list({ state: 'queued' }, { limit: 10 });
    expect(queued.items.map((j) => [j.type, j.serialKey]).sort()).toEqual([
      ['panel.remove_orphan', `panel:${panel.id}|target:${target.remoteRef}`],
      ['subscription.push', `panel:${panel.id}|target:${target.remoteRef}`],
    ]);
  });

  it('a panel that does not declare it gets jobs without a key', async () => {
    const h = await createHarness();
    const { subscriptions } = await buy(h, 1);
    await h.worker().drain();
    await h.kit.terminate({ subscriptionId: subscriptions[0]!.id });
    const jobs = await jobsOf(h, subscriptions[0]!.id);
    expect(jobs).toHaveLength(2);
    expect(jobs.map((j) => j.serialKey)).toEqual([null, null]);
  });

  it('the worker runs one key’s jobs one after another; without the key they overlap', async () => {
    const capabilities = { batchCreate: false, maxConcurrency: 4 };
    const serial = await createHarness({ panel: { capabilities: { ...capabilities, serialTargetWrites: true }, latencyMs: 3 } });
    const parallel = await createHarness({ panel: { capabilities, latencyMs: 3 } });
    for (const h of [serial, parallel]) {
      await buy(h, 6);
      expect(await h.worker({ claimLimit: 10 }).drain()).toBe(6);
      expect(h.panels[0]!.fake.clientCount()).toBe(6);
    }
    expect(serial.panels[0]!.fake.peakConcurrency).toBe(1);
    expect(parallel.panels[0]!.fake.peakConcurrency).toBeGreaterThan(1);
  });

  it('one claim of a key’s provisioning jobs is still sent as one batch write', async () => {
    const h = await createHarness({ panel: { capabilities: { serialTargetWrites: true } } });
    await buy(h, 5);
    expect(await h.worker().drain()).toBe(5);
    const fake = h.panels[0]!.fake;
    expect(fake.clientCount()).toBe(5);
    expect(fake.calls.createClients).toBe(1);
  });
});
