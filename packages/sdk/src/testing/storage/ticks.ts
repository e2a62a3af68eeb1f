import { describe, expect, it } from 'vitest';
import { MINUTE, later } from './support.js';
import type { SuiteEnv } from './support.js';

export function ticksSuite(env: SuiteEnv): void {
  describe('ticks', () => {
    it('the first caller wins a slot; asking again for the same slot loses', async () => {
      const { storage, clock } = env;
      const slot = clock.now();
      expect(await storage.ticks.tryAcquire('usage-sync', slot)).toBe(true);
      expect(await storage.ticks.tryAcquire('usage-sync', new Date(slot.getTime()))).toBe(false);
    });

    it('a later slot can be won again; an earlier one never', async () => {
      const { storage, clock } = env;
      const t0 = clock.now();
      expect(await storage.ticks.tryAcquire('expiry', later(clock, MINUTE))).toBe(true);
      expect(await storage.ticks.tryAcquire('expiry', t0)).toBe(false);
      expect(await storage.ticks.tryAcquire('expiry', later(clock, MINUTE - 1))).toBe(false);
      expect(await storage.ticks.tryAcquire('expiry', later(clock, MINUTE + 1))).toBe(true);
      expect(await storage.ticks.tryAcquire('expiry', later(clock, 2 * MINUTE))).toBe(true);
      expect(await storage.ticks.tryAcquire('expiry', later(clock, MINUTE + 1))).toBe(false);
      expect(await storage.ticks.tryAcquire('expiry', later(clock, 2 * MINUTE))).toBe(false);
    });

    it("tells the storage's time: the clock it was given, moving with it", async () => {
      const { storage, clock } = env;
      expect((await storage.ticks.now()).getTime()).toBe(clock.now().getTime());
      const moved = clock.advance(10 * MINUTE);
      expect((await storage.ticks.now()).getTime()).toBe(moved.getTime());
    });

    it('names are independent', async () => {
      const { storage, clock } = env;
      const slot = later(clock, 5 * MINUTE);
      expect(await storage.ticks.tryAcquire('a', slot)).toBe(true);
      expect(await storage.ticks.tryAcquire('b', slot)).toBe(true);
      expect(await storage.ticks.tryAcquire('b', clock.now())).toBe(false);
      expect(await storage.ticks.tryAcquire('c', clock.now())).toBe(true);
      expect(await storage.ticks.tryAcquire('a', slot)).toBe(false);
    });
  });
}
