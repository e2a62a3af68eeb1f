import { describe, expect, it } from 'vitest';
import { describeError } from '../rejection.js';
import { seedSubscription } from './fixtures.js';
import { deferred, expectRejects, isErrorKind, settle } from './support.js';
import type { SuiteEnv } from './support.js';

/** `subscriptions.updateMany`: `update`'s semantics a row, many rows a call. */
export function subscriptionUpdateManySuite(env: SuiteEnv): void {
  describe('subscriptions.updateMany', () => {
    it('patches each row at its revision as update does, whatever each patch names, in the order given', async () => {
      const { storage, clock } = env;
      const a = await seedSubscription(storage);
      const b = await seedSubscription(storage, { status: 'active' });
      const c = await seedSubscription(storage);
      clock.advance(60_000);
      const at = new Date(clock.now().getTime() - 5_000);
      const written = await storage.subscriptions.updateMany([
        {
          id: c.id,
          patch: { status: 'active', subscriptionUrl: 'https://sub.example.com/c', shareLinks: ['vless://c'] },
          expectedRevision: c.revision,
        },
        { id: a.id, patch: { notices: ['expiry:72h'], failureReason: null }, expectedRevision: a.revision },
        { id: b.id, patch: { status: 'active', usedBytes: 7 }, expectedRevision: b.revision },
      ]);
      const now = clock.now();
      expect(written).toEqual([
        {
          ...c,
          status: 'active',
          statusChangedAt: now,
          subscriptionUrl: 'https://sub.example.com/c',
          shareLinks: ['vless://c'],
          revision: c.revision + 1,
          updatedAt: now,
        },
        { ...a, notices: ['expiry:72h'], failureReason: null, revision: a.revision + 1, updatedAt: now },
        // The status it already had: not a change, so statusChangedAt stays.
        { ...b, usedBytes: 7, revision: b.revision + 1, updatedAt: now },
      ]);
      for (const row of written) expect(await storage.subscriptions.get(row!.id)).toEqual(row);
      const [moved] = await storage.subscriptions.updateMany([
        { id: a.id, patch: { status: 'suspended', statusChangedAt: at }, expectedRevision: a.revision + 1 },
      ]);
      expect(moved).toMatchObject({ status: 'suspended', statusChangedAt: at, revision: a.revision + 2 });
      expect(await storage.subscriptions.updateMany([])).toEqual([]);
    });

    it('a row at another revision, or unknown, comes back null and unchanged; the others are written', async () => {
      const { storage } = env;
      const a = await seedSubscription(storage);
      const b = await seedSubscription(storage);
      const moved = await storage.subscriptions.update(a.id, { autoRenew: true }, { expectedRevision: a.revision });
      const written = await storage.subscriptions.updateMany([
        { id: a.id, patch: { label: 'stale' }, expectedRevision: a.revision },
        { id: 'sub_missing', patch: { label: 'nobody' }, expectedRevision: 0 },
        { id: b.id, patch: { label: 'fresh' }, expectedRevision: b.revision },
      ]);
      expect(written[0]).toBeNull();
      expect(written[1]).toBeNull();
      expect(written[2]).toMatchObject({ id: b.id, label: 'fresh', revision: b.revision + 1 });
      expect(await storage.subscriptions.get(a.id)).toEqual(moved);
      expect(await storage.subscriptions.get('sub_missing')).toBeNull();
    });

    it('an invalid patch or an id given twice is a ValidationError and writes none', async () => {
      const { storage } = env;
      const a = await seedSubscription(storage);
      const b = await seedSubscription(storage);
      await expectRejects(
        storage.subscriptions.updateMany([
          { id: a.id, patch: { label: 'x' }, expectedRevision: a.revision },
          { id: b.id, patch: { trafficLimitBytes: -5 }, expectedRevision: b.revision },
        ]),
        'ValidationError',
      );
      await expectRejects(
        storage.subscriptions.updateMany([
          { id: a.id, patch: { label: 'x' }, expectedRevision: a.revision },
          { id: a.id, patch: { label: 'y' }, expectedRevision: a.revision + 1 },
        ]),
        'ValidationError',
      );
      expect(await storage.subscriptions.get(a.id)).toEqual(a);
      expect(await storage.subscriptions.get(b.id)).toEqual(b);
    });

    it('a writer that commits a row first, while the call waits for it, leaves that row unwritten by the call', async () => {
      const { storage } = env;
      const a = await seedSubscription(storage);
      const b = await seedSubscription(storage);
      const gate = deferred();
      const wrote = deferred();
      const writer = storage.transaction(async (tx) => {
        const moved = await tx.subscriptions.update(a.id, { label: 'first' }, { expectedRevision: a.revision });
        wrote.resolve();
        await gate.promise;
        return moved;
      });
      await wrote.promise;
      const call = storage.subscriptions.updateMany([
        { id: a.id, patch: { label: 'second' }, expectedRevision: a.revision },
        { id: b.id, patch: { label: 'second' }, expectedRevision: b.revision },
      ]);
      setTimeout(gate.resolve, 20);
      const moved = await writer;
      const results = await call;
      expect(results[0]).toBeNull();
      expect(results[1]).toMatchObject({ id: b.id, label: 'second', revision: b.revision + 1 });
      expect(await storage.subscriptions.get(a.id)).toEqual(moved);
    });

    it('concurrent calls over the same rows from one revision: each row written by exactly one, the rest null', async () => {
      const { storage } = env;
      const rows = [await seedSubscription(storage), await seedSubscription(storage), await seedSubscription(storage)];
      const { values, errors } = await settle(
        Array.from({ length: 8 }, (_, i) => {
          // Each call names the rows in its own order: the storage locks them in id order all the same.
          const order = i % 2 === 0 ? rows : [...rows].reverse();
          return storage.subscriptions.updateMany(
            order.map((s) => ({ id: s.id, patch: { notices: [`n-${i}`] }, expectedRevision: s.revision })),
          );
        }),
      );
      expect(errors.map(describeError)).toEqual([]);
      for (const s of rows) {
        const wins = values.flat().filter((r) => r !== null && r.id === s.id);
        expect(wins).toHaveLength(1);
        expect(await storage.subscriptions.get(s.id)).toEqual(wins[0]);
      }
      // And beside single updates from the same revision: still one winner a row.
      const more = await seedSubscription(storage);
      const race = await settle([
        storage.subscriptions.update(more.id, { label: 'one' }, { expectedRevision: more.revision }),
        storage.subscriptions.updateMany([{ id: more.id, patch: { label: 'many' }, expectedRevision: more.revision }]).then(([r]) => {
          if (r === null) throw Object.assign(new Error('lost'), { lost: true });
          return r;
        }),
      ]);
      expect(race.values).toHaveLength(1);
      expect(race.errors.filter((e) => !isErrorKind(e, 'ConflictError') && !(e as { lost?: boolean }).lost).map(describeError)).toEqual([]);
      expect(await storage.subscriptions.get(more.id)).toEqual(race.values[0]);
    });
  });
}
