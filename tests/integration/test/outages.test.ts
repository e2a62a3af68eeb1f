/**
 * A panel down for one hour, and for six, on the in-memory storage against the 3x-ui simulator over real
 * HTTP, with the SDK's default retry policy: every paid order ends active, nothing is refunded, no attempt
 * is spent while the panel is known to be down, and the orders go live within two minutes of its return.
 * (The retry policy before parking gave every job up after 12 attempts, about 35 minutes in, and refunded it.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@panelkit/sdk/testing';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { serveOnLocalhost, type RunningSimulator } from '@panelkit/panel-adapters/testing';
import { PANEL_KINDS } from './support/kinds.js';
import { rideOutOutage, switchablePanel } from './support/outage.js';
import { openShop, type Shop } from './support/shop.js';

const KIND = PANEL_KINDS.find((k) => k.label === '3x-ui v3.6 (Gen B)')!;
const HOUR = 3_600_000;

describe('a panel outage on the in-memory storage', () => {
  let shop: Shop | undefined;
  let server: RunningSimulator | undefined;

  afterEach(async () => {
    await shop?.close();
    await server?.close();
    shop = undefined;
    server = undefined;
  });

  for (const hours of [1, 6]) {
    it(`${hours} hour(s) down: every order active at the end, nothing refunded, no attempt spent while parked`, {
      timeout: 120_000,
    }, async () => {
      const clock = new ManualClock('2026-03-01T00:00:00.000Z');
      const rig = KIND.make(clock);
      const panel = switchablePanel(rig.sim.handle);
      server = await serveOnLocalhost(panel.handle);
      shop = await openShop({ clock, storage: createMemoryStorage({ clock }), rig, server, policy: { jobRetry: {} } });
      const s = shop;
      const buyers = [await s.customer(5_000), await s.customer(5_000)];
      panel.setDown(true);
      const subscriptionIds: string[] = [];
      for (const [i, customerId] of buyers.entries()) {
        const { subscriptions } = await s.kit.checkout({
          customerId,
          items: [{ planId: s.plan.id, quantity: 2 }],
          idempotencyKey: `outage-${i}`,
        });
        subscriptionIds.push(...subscriptions.map((x) => x.id));
      }
      const replica = { setClock: async () => undefined, tick: () => s.scheduler.tick(), drain: () => s.worker.drain() };
      const report = await rideOutOutage({
        clock,
        storage: s.storage,
        replicas: [replica],
        panel,
        panelId: s.panel.id,
        subscriptionIds,
        outageMs: hours * HOUR,
      });

      expect(report.noticedAfterMs).toBeLessThanOrEqual(6 * 60_000);
      expect(report.allParkedAtRecovery).toBe(true);
      expect(report.attemptsAtRecovery).toBe(report.attemptsWhenNoticed);
      expect(report.liveAfterMs).not.toBeNull();
      expect(report.liveAfterMs!).toBeLessThanOrEqual(2 * 60_000);
      for (const id of subscriptionIds) {
        const sub = (await s.storage.subscriptions.get(id))!;
        expect(sub.status).toBe('active');
        expect(rig.stored(sub.remote.username)).toBeDefined();
      }
      for (const customerId of buyers) {
        expect(await s.balance(customerId)).toBe(3_000);
        const entries = (await s.storage.ledger.list(customerId, { limit: 50 })).items;
        expect(entries.filter((e) => e.kind === 'refund')).toEqual([]);
      }
    });
  }
});
