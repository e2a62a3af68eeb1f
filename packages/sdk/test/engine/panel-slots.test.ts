import { setTimeout as sleep } from 'node:timers/promises';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { describe, expect, it } from 'vitest';
import { PanelRegistry } from '../../src/engine/adapters.js';
import { PanelSlots } from '../../src/engine/panel-slots.js';
import { resolvePolicy } from '../../src/engine/policy.js';
import { silentLogger } from '../../src/index.js';
import type { Panel } from '../../src/index.js';
import type { StoragePort } from '../../src/storage.js';
import { FakePanelAdapter, ManualClock } from '../../src/testing/index.js';
import { IDENTITY, createHarness, deferred } from './harness.js';

const LEASE = { leaseMs: 1_000, needMs: 600 };

/** A memory storage whose panel-slot calls are counted by method. */
function countedStorage(clock: ManualClock) {
  return counting(createMemoryStorage({ clock }));
}

/** `storage` with its panel-slot calls counted by method. */
function counting(storage: StoragePort) {
  const counts = { take: 0, renew: 0, give: 0 };
  const slots = storage.panelSlots;
  const counted: StoragePort = Object.create(storage, {
    panelSlots: {
      value: {
        take: (...args: Parameters<typeof slots.take>) => (counts.take++, slots.take(...args)),
        renew: (...args: Parameters<typeof slots.renew>) => (counts.renew++, slots.renew(...args)),
        give: (...args: Parameters<typeof slots.give>) => (counts.give++, slots.give(...args)),
      },
    },
  });
  return { storage, counted, counts };
}

/** One fake panel with a registry in front of it, on a counted memory storage. */
async function registryOnFakePanel(concurrency: number) {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const { storage, counted, counts } = countedStorage(clock);
  const panel: Panel = await storage.panels.create({
    kind: 'fake',
    name: 'p',
    baseUrl: 'https://panel.example.com/',
    credentials: { type: 'token', token: 't' },
    locationTags: ['de'],
  });
  const fake = new FakePanelAdapter({ clock, latencyMs: 5, capabilities: { maxConcurrency: concurrency } });
  const registry = new PanelRegistry(counted, () => fake, resolvePolicy({ identity: IDENTITY }), silentLogger);
  return { storage, counted, counts, fake, registry, handle: registry.handleFor(panel) };
}

describe('panel slots held across calls', () => {
  it('keeps a slot with enough lease left, renews one running short, and takes anew when it was lost', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const { storage, counted, counts } = countedStorage(clock);
    let elapsed = 0;
    const slots = new PanelSlots(counted, silentLogger, Math.random, () => elapsed);
    const held = await slots.take('pnl_a', 1, LEASE);
    expect(held.slot).toBe(0);
    expect(await slots.keep(held, 1, LEASE)).toBe(held);
    expect(counts.renew).toBe(0);
    // 500 ms on: 500 left, under the 600 a call needs, so the lease is renewed (on the storage's clock too).
    elapsed += 500;
    clock.advance(500);
    expect(await slots.keep(held, 1, LEASE)).toBe(held);
    expect(counts.renew).toBe(1);
    clock.advance(900);
    expect(await storage.panelSlots.take('pnl_a', 1, 'other', 1_000)).toBeNull();
    // Its lease ends and another holder takes the slot: keeping it takes a new one (here, after the other gives it back).
    elapsed += 2_000;
    clock.advance(2_000);
    expect(await storage.panelSlots.take('pnl_a', 1, 'other', 1_000)).toBe(0);
    const kept = slots.keep(held, 1, LEASE);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await storage.panelSlots.give('pnl_a', 0, 'other');
    const fresh = await kept;
    expect(fresh.holder).not.toBe(held.holder);
    expect(counts.take).toBeGreaterThan(1);
  });

  it('hands a finished call’s slot to the call waiting behind it: one take and one give for a queue of calls', async () => {
    const { counts, fake, registry, handle } = await registryOnFakePanel(1);
    await Promise.all(Array.from({ length: 6 }, (_, i) => registry.call(handle, `k${i}`, (c) => fake.listTargets(c), { retry: false })));
    expect(fake.calls.listTargets).toBe(6);
    expect(counts).toEqual({ take: 1, renew: 0, give: 1 });
  });

  it('gives a slot back when no call waits for it', async () => {
    const { storage, counts, fake, registry, handle } = await registryOnFakePanel(1);
    await registry.call(handle, 'k', (c) => fake.listTargets(c), { retry: false });
    expect(counts).toEqual({ take: 1, renew: 0, give: 1 });
    expect(await storage.panelSlots.take(handle.panel.id, 1, 'another-replica', 60_000)).toBe(0);
  });

  it("answers a call once the panel has, not once its slot is given back, and holds the panel's place until then", async () => {
    const { fake, registry, handle, counted } = await registryOnFakePanel(1);
    let giveStarted = false;
    const giveGate = deferred();
    // The counted storage's slot methods are its own object's: the give waits for the gate.
    const slots = counted.panelSlots as { give: StoragePort['panelSlots']['give'] };
    const give = slots.give;
    slots.give = async (...args) => {
      giveStarted = true;
      await giveGate.promise;
      return give(...args);
    };
    const answered = registry.call(handle, 'k', (c) => fake.listTargets(c), { retry: false });
    const first = await Promise.race([answered.then(() => 'answered'), sleep(2_000).then(() => 'still waiting')]);
    expect(first).toBe('answered');
    expect(giveStarted).toBe(true);
    // The place is still held: the panel's one slot is not free on the storage yet.
    expect(handle.queue.pending).toBe(1);
    giveGate.resolve();
    await handle.queue.onIdle();
    expect(handle.queue.pending).toBe(0);
  });

  it('a walk holds one slot for all its calls, and the panel sees no more than its concurrency', async () => {
    const { counts, fake, registry, handle } = await registryOnFakePanel(2);
    const walked: number[] = [];
    const walk = registry.hold(handle, async (lane) => {
      for (let page = 0; page < 8; page++) {
        await lane.call(`walk:${page}`, (c) => fake.listTargets(c));
        walked.push(page);
      }
    });
    const others = Array.from({ length: 6 }, (_, i) => registry.call(handle, `k${i}`, (c) => fake.listTargets(c), { retry: false }));
    await Promise.all([walk, ...others]);
    expect(walked).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(fake.calls.listTargets).toBe(14);
    expect(fake.peakConcurrency).toBeLessThanOrEqual(2);
    // One slot for the walk's eight calls; the six others share the second one, handed along their queue.
    expect(counts.take).toBe(2);
    expect(counts.give).toBe(2);
  });

  it("a lane's calls reach the panel one at a time, in the order made", async () => {
    const { fake, registry, handle } = await registryOnFakePanel(4);
    const order: number[] = [];
    await registry.hold(handle, (lane) =>
      Promise.all(Array.from({ length: 5 }, (_, i) => lane.call(`c${i}`, async (c) => (await fake.listTargets(c), order.push(i))))),
    );
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(fake.peakConcurrency).toBe(1);
  });
});

describe('usage sync on one slot', () => {
  it("walks a panel's pages on one slot, taken once and given back once", async () => {
    let counts!: ReturnType<typeof counting>['counts'];
    const h = await createHarness({
      panel: { maxPageSize: 2 },
      wrapStorage: (storage) => {
        const wrapped = counting(storage);
        counts = wrapped.counts;
        return wrapped.counted;
      },
    });
    for (let i = 0; i < 7; i++) {
      const customerId = await h.customer(5000);
      await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: `b${i}` });
    }
    await h.worker().drain();
    // The first tick also checks the panel's health; the next slot's tick only reads usage.
    await h.kit.createScheduler().tick();
    const fake = h.panels[0]!.fake;
    const before = { ...counts, pages: fake.calls.listClients };
    h.clock.advance(60_000);
    const report = await h.kit.createScheduler().tick();
    expect(report.usage).toMatchObject({ panels: 1, clients: 7, failedPanels: [] });
    expect(fake.calls.listClients - before.pages).toBe(4);
    expect(counts.take - before.take).toBe(1);
    expect(counts.give - before.give).toBe(1);
  });
});
