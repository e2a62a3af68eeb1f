/**
 * A real Marzban answers 500 for every `GET /api/users` page holding a user without proxies. Usage
 * sync over HTTP against the Marzban simulator: the poisoned user is skipped and reported as
 * `usage:client_unreadable`; every other subscription's usage is stored.
 */
import { ManualClock } from '@panelkit/sdk/testing';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { afterEach, describe, expect, it } from 'vitest';
import type { MarzbanSimulator } from '@panelkit/panel-adapters/testing';
import { PANEL_KINDS } from './support/kinds.js';
import { openShop, type Shop } from './support/shop.js';

const MARZBAN = PANEL_KINDS.find((k) => k.label === 'marzban 0.8')!;

describe('usage sync with a user the panel cannot return', () => {
  let shop: Shop | undefined;
  afterEach(async () => {
    await shop?.close();
    shop = undefined;
  });

  it('skips and reports the poisoned user; the others keep syncing', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const s = (shop = await openShop({ clock, storage: createMemoryStorage({ clock }), rig: MARZBAN.make(clock) }));
    const customerId = await s.customer(10_000);
    const { subscriptions } = await s.kit.checkout({ customerId, items: [{ planId: s.plan.id, quantity: 3 }], idempotencyKey: 'poison-1' });
    await s.worker.drain();
    const sim = s.rig.sim as unknown as MarzbanSimulator;
    const names = subscriptions.map((sub) => sub.remote.username);
    for (const name of names) await sim.addTraffic(name, 1_000, 2_000);
    sim.user(names[1]!)!.broken = true;
    const reported: unknown[] = [];
    s.kit.events.on('usage:client_unreadable', (e) => void reported.push(e.client));
    const report = await s.tick(60_000);
    expect(report.usage).toMatchObject({ clients: 2, failedPanels: [] });
    expect(reported).toHaveLength(1);
    for (const [i, sub] of subscriptions.entries()) {
      const stored = await s.storage.subscriptions.get(sub.id);
      expect(stored?.usedBytes ?? 0).toBe(i === 1 ? 0 : 3_000);
    }
  });
});
