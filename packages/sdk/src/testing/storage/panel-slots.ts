import { describe, expect, it } from 'vitest';
import { expectRejects } from './support.js';
import type { SuiteEnv } from './support.js';

const LONG_LEASE_MS = 60_000;

export function panelSlotsSuite(env: SuiteEnv): void {
  describe('panel slots', () => {
    it('gives each of a panel’s slots to one holder, the lowest free first, and none past its size', async () => {
      const { storage } = env;
      expect(await storage.panelSlots.take('pnl_a', 2, 'h1', LONG_LEASE_MS)).toBe(0);
      expect(await storage.panelSlots.take('pnl_a', 2, 'h2', LONG_LEASE_MS)).toBe(1);
      expect(await storage.panelSlots.take('pnl_a', 2, 'h3', LONG_LEASE_MS)).toBeNull();
      // Another panel's slots are its own.
      expect(await storage.panelSlots.take('pnl_b', 2, 'h3', LONG_LEASE_MS)).toBe(0);
      await storage.panelSlots.give('pnl_a', 0, 'h1');
      expect(await storage.panelSlots.take('pnl_a', 2, 'h3', LONG_LEASE_MS)).toBe(0);
      // A larger size opens more slots; a smaller one never hands out a slot past it.
      expect(await storage.panelSlots.take('pnl_a', 3, 'h4', LONG_LEASE_MS)).toBe(2);
      await storage.panelSlots.give('pnl_a', 2, 'h4');
      expect(await storage.panelSlots.take('pnl_a', 2, 'h5', LONG_LEASE_MS)).toBeNull();
    });

    it('gives a slot back only for the holder that holds it', async () => {
      const { storage } = env;
      expect(await storage.panelSlots.take('pnl_a', 1, 'h1', LONG_LEASE_MS)).toBe(0);
      await storage.panelSlots.give('pnl_a', 0, 'someone-else');
      expect(await storage.panelSlots.take('pnl_a', 1, 'h2', LONG_LEASE_MS)).toBeNull();
      await storage.panelSlots.give('pnl_a', 0, 'h1');
      expect(await storage.panelSlots.take('pnl_a', 1, 'h2', LONG_LEASE_MS)).toBe(0);
    });

    it('takes back a slot whose lease ended, and its old holder cannot give it away', async () => {
      const { storage, clock } = env;
      expect(await storage.panelSlots.take('pnl_a', 1, 'dead', 1)).toBe(0);
      // The lease is on the storage's clock: the test's clock for an in-memory storage, the server's for a database.
      clock.advance(1_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await storage.panelSlots.take('pnl_a', 1, 'alive', LONG_LEASE_MS)).toBe(0);
      await storage.panelSlots.give('pnl_a', 0, 'dead');
      expect(await storage.panelSlots.take('pnl_a', 1, 'third', LONG_LEASE_MS)).toBeNull();
    });

    it('renews a slot for its holder only, even after its lease ended while nobody took it', async () => {
      const { storage, clock } = env;
      expect(await storage.panelSlots.take('pnl_a', 1, 'walker', 1)).toBe(0);
      clock.advance(1_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
      // Ended, but nobody took it: the holder may keep it.
      expect(await storage.panelSlots.renew('pnl_a', 0, 'walker', LONG_LEASE_MS)).toBe(true);
      expect(await storage.panelSlots.take('pnl_a', 1, 'other', LONG_LEASE_MS)).toBeNull();
      expect(await storage.panelSlots.renew('pnl_a', 0, 'other', LONG_LEASE_MS)).toBe(false);
      expect(await storage.panelSlots.renew('pnl_b', 0, 'walker', LONG_LEASE_MS)).toBe(false);
      await storage.panelSlots.give('pnl_a', 0, 'walker');
      expect(await storage.panelSlots.renew('pnl_a', 0, 'walker', LONG_LEASE_MS)).toBe(false);
      expect(await storage.panelSlots.take('pnl_a', 1, 'other', LONG_LEASE_MS)).toBe(0);
    });

    it('a renewed lease runs from the renewal: the slot is not taken back before it ends', async () => {
      const { storage, clock } = env;
      expect(await storage.panelSlots.take('pnl_a', 1, 'walker', 1)).toBe(0);
      expect(await storage.panelSlots.renew('pnl_a', 0, 'walker', LONG_LEASE_MS)).toBe(true);
      clock.advance(1_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await storage.panelSlots.take('pnl_a', 1, 'other', LONG_LEASE_MS)).toBeNull();
    });

    it('a slot whose lease ended and was taken again cannot be renewed by its old holder', async () => {
      const { storage, clock } = env;
      expect(await storage.panelSlots.take('pnl_a', 1, 'dead', 1)).toBe(0);
      clock.advance(1_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await storage.panelSlots.take('pnl_a', 1, 'alive', LONG_LEASE_MS)).toBe(0);
      expect(await storage.panelSlots.renew('pnl_a', 0, 'dead', LONG_LEASE_MS)).toBe(false);
      expect(await storage.panelSlots.take('pnl_a', 1, 'third', LONG_LEASE_MS)).toBeNull();
    });

    it('hands out each slot once when replicas take at once', async () => {
      const storages = await env.replicas(4);
      const taken = await Promise.all(
        Array.from({ length: 12 }, (_, i) => storages[i % storages.length]!.panelSlots.take('pnl_race', 3, `h${i}`, LONG_LEASE_MS)),
      );
      expect(taken.filter((slot) => slot !== null).sort()).toEqual([0, 1, 2]);
    });

    it('refuses a size or lease that is not a positive whole number, on take and on renew', async () => {
      const { storage } = env;
      await expectRejects(storage.panelSlots.take('pnl_a', 0, 'h', LONG_LEASE_MS), 'ValidationError');
      await expectRejects(storage.panelSlots.take('pnl_a', 2, 'h', 0), 'ValidationError');
      await expectRejects(storage.panelSlots.take('pnl_a', 1.5, 'h', LONG_LEASE_MS), 'ValidationError');
      expect(await storage.panelSlots.take('pnl_a', 1, 'h', LONG_LEASE_MS)).toBe(0);
      await expectRejects(storage.panelSlots.renew('pnl_a', 0, 'h', 0), 'ValidationError');
      await expectRejects(storage.panelSlots.renew('pnl_a', 0, 'h', 2.5), 'ValidationError');
    });
  });
}
