/**
 * The engine on the in-memory storage against every real adapter and its simulator, served over
 * real HTTP on 127.0.0.1, with one `ManualClock` for engine and panel.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@panelkit/sdk/testing';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { PANEL_KINDS } from './support/kinds.js';
import { expectActiveOnPanel, expectOnPanel, proveLifecycle } from './support/lifecycle.js';
import { openShop, type Shop } from './support/shop.js';

for (const kind of PANEL_KINDS) {
  describe(`engine on ${kind.label}`, () => {
    let shop: Shop | undefined;

    async function open(): Promise<Shop> {
      const clock = new ManualClock('2026-03-01T00:00:00.000Z');
      shop = await openShop({ clock, storage: createMemoryStorage({ clock }), rig: kind.make(clock) });
      return shop;
    }

    afterEach(async () => {
      await shop?.close();
      shop = undefined;
    });

    it('checkout → provisioned → extended → usage → limited → expired → terminated', async () => {
      await proveLifecycle(await open());
    });

    it('a create whose response was lost never makes a second client', async () => {
      const s = await open();
      const customerId = await s.customer(5_000);
      s.rig.sim.injectFault({ kind: 'lost_response', on: 'write' });
      const { subscriptions } = await s.kit.checkout({ customerId, items: [{ planId: s.plan.id, quantity: 2 }], idempotencyKey: 'lost-1' });
      await s.worker.drain();
      expect(s.rig.sim.faults.size).toBe(0);
      // Whether the adapter read the outcome back at once or the job is retried later, it converges.
      s.clock.advance(60_000);
      await s.worker.drain();
      await expectActiveOnPanel(s, subscriptions);
      expect(await s.balance(customerId)).toBe(3_000);
    });

    it('a panel outage (503s) holds the jobs back, and they succeed once it is over', async () => {
      const s = await open();
      const customerId = await s.customer(5_000);
      for (let i = 0; i < 200; i++) s.rig.sim.injectFault({ kind: 'status', status: 503 });
      const { subscriptions } = await s.kit.checkout({
        customerId,
        items: [{ planId: s.plan.id, quantity: 2 }],
        idempotencyKey: 'outage-1',
      });
      const retried: Date[] = [];
      s.kit.events.on('job:retried', (e) => retried.push(e.retryAt));
      await s.worker.drain();
      expect(retried.length).toBeGreaterThan(0);
      for (const created of subscriptions) {
        expect((await s.storage.subscriptions.get(created.id))?.status).toBe('pending');
        expect(await s.rig.sim.countClients(created.remote.username)).toBe(0);
      }
      // Still down at the first retry: the job waits again, nothing is refunded.
      s.clock.set(Math.max(...retried.map((d) => d.getTime())));
      await s.worker.drain();
      expect(await s.balance(customerId)).toBe(3_000);
      // The panel comes back.
      s.rig.sim.clearFaults();
      s.clock.advance(60_000);
      await s.worker.drain();
      await expectActiveOnPanel(s, subscriptions);
      expect(await s.balance(customerId)).toBe(3_000);
    });

    it('a session that expires mid-run is renewed (or, for a static token, the job waits until the token is back)', async () => {
      const s = await open();
      const customerId = await s.customer(5_000);
      const { subscriptions } = await s.kit.checkout({
        customerId,
        items: [{ planId: s.plan.id, quantity: 1 }],
        idempotencyKey: 'session-1',
      });
      await s.worker.drain();
      const before = (await s.storage.subscriptions.get(subscriptions[0]!.id))!;
      expect(before.status).toBe('active');
      const logins = s.rig.sim.loginCount();
      s.rig.sim.expireSession();
      s.clock.set(before.expiresAt!.getTime() - 2 * 86_400_000);
      const quote = await s.kit.quoteExtension(before.id);
      if (!quote.allowed) throw new Error(`extension refused: ${quote.reason}`);
      await s.kit.extend({ subscriptionId: before.id, idempotencyKey: 'session-extend' });
      await s.worker.drain();
      const after = (await s.storage.subscriptions.get(before.id))!;
      if (s.rig.sessionKind === 'login') {
        expect(after.expiresAt?.getTime()).toBe(quote.quote.newExpiresAt.getTime());
        expect(s.rig.sim.loginCount()).toBe(logins + 1);
        await expectOnPanel(s, after);
        expect(await s.balance(customerId)).toBe(4_000 - quote.quote.price.amount);
      } else {
        // A revoked static token cannot be renewed: the paid extension waits (nothing applied,
        // nothing refunded) until the panel owner issues the token again, then it is applied.
        expect(after.expiresAt?.getTime()).toBe(before.expiresAt?.getTime());
        expect(s.rig.sim.loginCount()).toBe(0);
        expect(await s.balance(customerId)).toBe(4_000 - quote.quote.price.amount);
        expect(await s.rig.sim.countClients(before.remote.username)).toBe(1);
        s.rig.restoreToken!();
        s.clock.advance(60_000);
        await s.worker.drain();
        const applied = (await s.storage.subscriptions.get(before.id))!;
        expect(applied.expiresAt?.getTime()).toBe(quote.quote.newExpiresAt.getTime());
        await expectOnPanel(s, applied);
        expect(await s.balance(customerId)).toBe(4_000 - quote.quote.price.amount);
      }
    });
  });
}
