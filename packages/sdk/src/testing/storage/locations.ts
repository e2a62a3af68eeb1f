import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { expectRejects } from './support.js';
import type { SuiteEnv } from './support.js';

/** A location tag no other case uses. */
function tag(): string {
  return `loc-${randomBytes(5).toString('hex')}`;
}

/** The location catalog (`locations`): one entry per tag, replaced by a put, removed, bad input refused. */
export function locationsSuite(env: SuiteEnv): void {
  describe('location catalog', () => {
    it('stores an entry per tag (the name trimmed), replaces it, lists them by tag and removes one', async () => {
      const { storage } = env;
      const [a, b] = [tag(), tag()].sort();
      expect(await storage.locations.put({ location: b!, country: 'NL', name: '  Amsterdam ' })).toEqual({
        location: b,
        country: 'NL',
        name: 'Amsterdam',
      });
      await storage.locations.put({ location: a!, country: 'DE', name: 'Frankfurt' });
      expect(await storage.locations.get(a!)).toEqual({ location: a, country: 'DE', name: 'Frankfurt' });
      expect(await storage.locations.put({ location: a!, country: 'AT', name: 'Vienna' })).toEqual({
        location: a,
        country: 'AT',
        name: 'Vienna',
      });
      const listed = (await storage.locations.list()).filter((e) => e.location === a || e.location === b);
      expect(listed).toEqual([
        { location: a, country: 'AT', name: 'Vienna' },
        { location: b, country: 'NL', name: 'Amsterdam' },
      ]);
      expect(await storage.locations.remove(a!)).toBe(true);
      expect(await storage.locations.remove(a!)).toBe(false);
      expect(await storage.locations.get(a!)).toBeNull();
      expect(await storage.locations.get(b!)).not.toBeNull();
    });

    it('refuses a bad tag, country or name with a ValidationError and stores nothing', async () => {
      const { storage } = env;
      const t = tag();
      for (const bad of [
        { location: 'Bad Tag', country: 'DE', name: 'x' },
        { location: t, country: 'de', name: 'x' },
        { location: t, country: 'QQ', name: 'x' },
        { location: t, country: 'DE', name: '   ' },
        { location: t, country: 'DE', name: 'x'.repeat(101) },
        { location: t, country: 'DE', name: 'a\u0007b' },
        { location: t, country: 'DE', name: 'x', extra: 1 },
      ]) {
        await expectRejects(storage.locations.put(bad as never), 'ValidationError');
      }
      expect(await storage.locations.get(t)).toBeNull();
      await expectRejects(storage.locations.get('Bad Tag'), 'ValidationError');
      await expectRejects(storage.locations.remove(''), 'ValidationError');
    });

    it('a put inside a rolled-back transaction leaves nothing', async () => {
      const { storage } = env;
      const t = tag();
      await expect(
        storage.transaction(async (tx) => {
          await tx.locations.put({ location: t, country: 'FI', name: 'Helsinki' });
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(await storage.locations.get(t)).toBeNull();
    });
  });
}
