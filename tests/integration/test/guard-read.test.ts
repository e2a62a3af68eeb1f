/**
 * The sharing guard's reads through the kit, end to end: the PasarGuard adapter over HTTP against its simulator (live
 * IPs, one call a user), on the memory storage. The scheduler's ticks enqueue `guard.read`, the worker reads within
 * the per-panel budget, records the readings and warns once on the window rule; a panel whose nodes are down
 * records no reading and never acts.
 */
import type { GuardSignal } from '@panelkit/sdk/storage';
import { ManualClock } from '@panelkit/sdk/testing';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { describe, expect, it } from 'vitest';
import { PANEL_KINDS } from './support/kinds.js';
import { openShop, type Shop } from './support/shop.js';

const MINUTE = 60_000;
const ADMIN = { type: 'admin' as const, id: 'adm_1' };
const PASARGUARD = PANEL_KINDS.find((kind) => kind.label === 'pasarguard')!;

async function open(subscriptions: number): Promise<{ shop: Shop; ids: string[]; usernames: string[] }> {
  const clock = new ManualClock('2026-06-01T00:00:00Z');
  const shop = await openShop({
    clock,
    storage: createMemoryStorage({ clock }),
    rig: PASARGUARD.make(clock),
    policy: { guardReadIntervalMs: 10 * MINUTE, guardClientReadsPerPanel: 2 },
  });
  const customerId = await shop.customer(100_000);
  const ids: string[] = [];
  for (let i = 0; i < subscriptions; i++) {
    const { subscriptions: bought } = await shop.kit.checkout({
      customerId,
      items: [{ planId: shop.plan.id }],
      idempotencyKey: `guard-${i}`,
    });
    ids.push(bought[0]!.id);
  }
  await shop.worker.drain();
  const usernames = (await shop.storage.subscriptions.getMany(ids)).map((s) => s.remote.username);
  expect(await shop.kit.guard.setPolicy({ enabled: true, steps: [{ step: 'warn', graceHours: 24 }] }, ADMIN)).toMatchObject({
    saved: true,
  });
  return { shop, ids, usernames };
}

/** One read slot: the clock moves, a tick enqueues the panel's read, the worker runs it; the signals read this slot. */
async function readCycle(shop: Shop, ids: readonly string[]): Promise<GuardSignal[]> {
  await shop.tick(10 * MINUTE);
  await shop.worker.drain();
  const now = shop.clock.now().getTime();
  return (await shop.storage.guard.signals(ids)).filter((s) => s.lastReadingAt?.getTime() === now || s.lastNullAt?.getTime() === now);
}

describe('guard.read on PasarGuard over HTTP', () => {
  it('reads at most the budget a slot, records each reading, and warns the sharer once after K over readings over S hours', async () => {
    const { shop, ids, usernames } = await open(3);
    try {
      const sharer = ids[1]!;
      await shop.rig.sim.setClientAddresses!(usernames[1]!, [
        '198.51.100.1',
        '198.51.100.2',
        '203.0.113.1',
        '2001:db8:1::1',
        '2001:db8:2::1',
      ]);
      await shop.rig.sim.setClientAddresses!(usernames[0]!, ['198.51.100.9']);
      const read = new Set<string>();
      for (let i = 0; i < 16; i++) {
        const fresh = await readCycle(shop, ids);
        expect(fresh.length).toBeLessThanOrEqual(2);
        for (const s of fresh) read.add(s.subscriptionId);
      }
      expect(read.size).toBe(3);
      const [signal] = await shop.storage.guard.signals([sharer]);
      expect(signal!.buckets.some((b) => b.over > 0 && b.maxPrefixes === 5)).toBe(true);
      const warned = (await shop.storage.audit.list({ subjectType: 'subscription', subjectId: sharer }, { limit: 50 })).items.filter(
        (e) => e.action === 'guard.warned',
      );
      expect(warned).toHaveLength(1);
      expect((await shop.kit.guard.cases()).items.map((c) => [c.subscriptionId, c.step])).toEqual([[sharer, 'warn']]);
    } finally {
      await shop.close();
    }
  });

  it('records no reading while every node is down, and never acts', async () => {
    const { shop, ids, usernames } = await open(1);
    try {
      await shop.rig.sim.setClientAddresses!(usernames[0]!, ['198.51.100.1', '198.51.100.2', '203.0.113.1', '203.0.113.2', '192.0.2.1']);
      await shop.rig.sim.silenceClientAddresses!(true);
      for (let i = 0; i < 16; i++) await readCycle(shop, ids);
      const [signal] = await shop.storage.guard.signals(ids);
      expect(signal).toMatchObject({ buckets: [], lastReadingAt: null });
      expect(signal!.lastNullAt).toEqual(shop.clock.now());
      expect((await shop.kit.guard.cases()).items).toEqual([]);
    } finally {
      await shop.close();
    }
  });
});
