import { describe, expect, it } from 'vitest';
import type { ClientAddressesCapability } from '../../src/ports/panel.js';
import { createHarness, type Harness } from './harness.js';

const MINUTE = 60_000;
const ADMIN = { type: 'admin' as const, id: 'staff-1' };
const BULK: ClientAddressesCapability = { bulk: true, windowSeconds: 1800, liveCounts: false };
const PER_CLIENT: ClientAddressesCapability = { bulk: false, windowSeconds: 20, liveCounts: true };

/** `n` live subscriptions (plan of one device) on a fake panel reading addresses as `capability` says, guard on. */
async function setup(capability: ClientAddressesCapability | undefined, n: number, policy: Record<string, number> = {}) {
  const h = await createHarness({
    panel: capability === undefined ? {} : { capabilities: { clientAddresses: capability } },
    plan: { deviceLimit: 1 },
    policy: { guardReadIntervalMs: 10 * MINUTE, ...policy },
  });
  const customerId = await h.customer(100_000);
  const subs = [];
  for (let i = 0; i < n; i++) {
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: `buy-${i}` });
    subs.push(subscriptions[0]!);
  }
  await h.worker().drain();
  const saved = await h.kit.guard.setPolicy({ enabled: true, steps: [{ step: 'warn', graceHours: 24 }] }, ADMIN);
  expect(saved.saved).toBe(true);
  const stored = await h.storage.subscriptions.getMany(subs.map((s) => s.id));
  return { h, fake: h.panels[0]!.fake, subs: stored.sort((a, b) => a.id.localeCompare(b.id)) };
}

/** One read interval: the clock moves on, the scheduler ticks (enqueueing the reads), the worker runs them. */
async function readCycle(h: Harness): Promise<void> {
  h.clock.advance(10 * MINUTE);
  await h.kit.createScheduler({ usageSync: false }).tick();
  await h.worker().drain();
}

const warnings = async (h: Harness, id: string) =>
  (await h.storage.audit.list({ subjectType: 'subscription', subjectId: id }, { limit: 100 })).items.filter(
    (e) => e.action === 'guard.warned',
  );

describe('guard.read', () => {
  it('a bulk panel: one call a target a cycle, a reading a client; after K over readings spread over S hours the warning fires once', async () => {
    const { h, fake, subs } = await setup(BULK, 3);
    const [sharer, alone, idle] = subs as [(typeof subs)[0], (typeof subs)[0], (typeof subs)[0]];
    fake.setClientAddresses(sharer.remote.username, ['10.0.0.1', '10.0.1.1', '10.0.2.1', '2001:db8::1', '2001:db8:0:1::1']);
    fake.setClientAddresses(alone.remote.username, ['10.9.0.1']);
    const before = fake.calls.listClientAddresses;
    await readCycle(h);
    expect(fake.calls.listClientAddresses - before).toBe(1);
    const signals = await h.storage.guard.signals(subs.map((s) => s.id));
    const byId = new Map(signals.map((s) => [s.subscriptionId, s.buckets]));
    expect(byId.get(sharer.id)).toMatchObject([{ readings: 1, over: 1, maxPrefixes: 5 }]);
    expect(byId.get(alone.id)).toMatchObject([{ readings: 1, over: 0, maxPrefixes: 1 }]);
    expect(byId.get(idle.id)).toMatchObject([{ readings: 1, over: 0, maxPrefixes: 0 }]);

    // Three over readings within the first hour are K but not S (2 h) apart: nothing yet.
    await readCycle(h);
    await readCycle(h);
    expect(await warnings(h, sharer.id)).toHaveLength(0);
    for (let i = 0; i < 12; i++) await readCycle(h);
    expect(await warnings(h, sharer.id)).toHaveLength(1);
    expect(await warnings(h, alone.id)).toHaveLength(0);
    expect((await h.kit.guard.cases({ step: 'warn' })).items.map((c) => c.subscriptionId)).toEqual([sharer.id]);
    expect(await h.storage.jobs.list({ type: 'guard.act' }, { limit: 10 })).toMatchObject({
      items: [{ dedupeKey: `guard:${sharer.id}:1` }],
    });
  });

  it('a silent panel records no reading and never acts', async () => {
    const { h, fake, subs } = await setup(BULK, 1);
    fake.setClientAddresses(subs[0]!.remote.username, ['10.0.0.1', '10.0.1.1', '10.0.2.1', '10.0.3.1', '10.0.4.1']);
    fake.silenceClientAddresses(true);
    for (let i = 0; i < 18; i++) await readCycle(h);
    const [signal] = await h.storage.guard.signals([subs[0]!.id]);
    expect(signal).toMatchObject({ buckets: [], lastReadingAt: null });
    expect(signal!.lastNullAt).not.toBeNull();
    expect((await h.kit.guard.cases()).items).toEqual([]);
  });

  it('a panel without the capability is never asked (the registry reads it), and nothing is read while the policy is off', async () => {
    const { h, fake, subs } = await setup(undefined, 1);
    await readCycle(h);
    expect(fake.calls.listClientAddresses).toBe(0);
    // No device fetched the link: the registry's reading is `null`, never zero (guard-registry.test.ts).
    expect(await h.storage.guard.signals([subs[0]!.id])).toEqual([
      { subscriptionId: subs[0]!.id, buckets: [], lastReadingAt: null, lastNullAt: h.clock.now() },
    ]);

    const other = await setup(BULK, 1);
    await other.h.kit.guard.setPolicy({ enabled: false }, ADMIN);
    await readCycle(other.h);
    expect(other.fake.calls.listClientAddresses).toBe(0);
    expect(await other.h.storage.jobs.list({ type: 'guard.read' }, { limit: 10 })).toMatchObject({ items: [] });
  });

  it('a per-client panel reads at most its budget a cycle: a past over reading every time, a sample rotating over the rest', async () => {
    const { h, fake, subs } = await setup(PER_CLIENT, 5, { guardClientReadsPerPanel: 2 });
    for (const s of subs) fake.setClientAddresses(s.remote.username, ['10.0.0.1']);
    const sharer = subs[2]!;
    fake.setClientAddresses(sharer.remote.username, ['10.0.0.1', '10.0.1.1', '10.0.2.1', '10.0.3.1']);
    await h.storage.guard.recordReadings([{ subscriptionId: sharer.id, at: h.clock.now(), prefixes: 4, over: true }], 24);
    const before = fake.calls.listClientAddresses;
    const read = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const seen = new Map((await h.storage.guard.signals(subs.map((s) => s.id))).map((s) => [s.subscriptionId, s.lastReadingAt]));
      await readCycle(h);
      const fresh = (await h.storage.guard.signals(subs.map((s) => s.id))).filter(
        (s) => s.lastReadingAt !== null && s.lastReadingAt.getTime() !== seen.get(s.subscriptionId)?.getTime(),
      );
      expect(fresh.map((s) => s.subscriptionId)).toContain(sharer.id);
      expect(fresh).toHaveLength(2);
      for (const s of fresh) read.add(s.subscriptionId);
    }
    expect(fake.calls.listClientAddresses - before).toBe(2 * 4);
    expect(read.size).toBe(5);
  });
});
