import { describe, expect, it } from 'vitest';
import type { ClaimedJob } from '../../domain/job.js';
import type { StoragePort } from '../../ports/storage.js';
import { seedJob } from './fixtures.js';
import { raceSerialClaimers } from './serial-claim-race.js';
import { MINUTE, expectRejects, sortIds } from './support.js';
import type { SuiteEnv } from './support.js';

const ERROR = { name: 'Error', code: 'X', message: 'x', retryable: true };

function claimAll(storage: StoragePort, workerId: string, limit = 50): Promise<ClaimedJob[]> {
  return storage.jobs.claim({ workerId, limit, leaseMs: MINUTE });
}

const idsOfClaims = (claims: readonly ClaimedJob[]) => sortIds(claims.map((c) => c.job.id));

/** Serialisation keys: a job whose key is held by a running job is never handed out. */
export function jobsSerialSuite(env: SuiteEnv): void {
  describe('jobs: serialisation keys', () => {
    it('stores the key; an enqueue merged into a queued twin takes the new key', async () => {
      const { storage } = env;
      const job = await seedJob(storage, { serialKey: 'panel:p1|target:1' });
      expect(job.serialKey).toBe('panel:p1|target:1');
      expect((await seedJob(storage)).serialKey).toBeNull();
      const first = await seedJob(storage, { dedupeKey: 'twin', serialKey: 'panel:p1|target:1' });
      const merged = await storage.jobs.enqueue({ type: 'conformance.job', dedupeKey: 'twin', serialKey: 'panel:p1|target:2' });
      expect(merged).toMatchObject({ created: false, job: { id: first.id, serialKey: 'panel:p1|target:2' } });
      expect(await storage.jobs.get(first.id)).toMatchObject({ serialKey: 'panel:p1|target:2' });
    });

    it('rejects an empty or overlong key with a ValidationError and writes nothing', async () => {
      const { storage } = env;
      await expectRejects(storage.jobs.enqueue({ type: 'ok.type', serialKey: '' }), 'ValidationError');
      await expectRejects(storage.jobs.enqueue({ type: 'ok.type', serialKey: 'k'.repeat(301) }), 'ValidationError');
      expect((await storage.jobs.list({}, { limit: 10 })).items).toEqual([]);
    });

    it('a running job holds its key until it completes; other keys and jobs without a key still run', async () => {
      const { storage } = env;
      const a1 = await seedJob(storage, { serialKey: 'a' });
      const [first] = await claimAll(storage, 'w1', 1);
      expect(first?.job.id).toBe(a1.id);
      const a2 = await seedJob(storage, { serialKey: 'a' });
      const b1 = await seedJob(storage, { serialKey: 'b' });
      const free = await seedJob(storage);
      expect(idsOfClaims(await claimAll(storage, 'w2'))).toEqual(sortIds([b1.id, free.id]));
      expect(await claimAll(storage, 'w2')).toEqual([]);
      expect(await storage.jobs.complete(first!.lease)).toBe(true);
      expect(idsOfClaims(await claimAll(storage, 'w2'))).toEqual([a2.id]);
    });

    for (const [ending, end] of [
      ['fails', (s: StoragePort, c: ClaimedJob) => s.jobs.fail(c.lease, ERROR, { at: new Date(0) })],
      ['dies', (s: StoragePort, c: ClaimedJob) => s.jobs.fail(c.lease, ERROR, 'dead')],
      ['is released', (s: StoragePort, c: ClaimedJob) => s.jobs.release(c.lease)],
    ] as const) {
      it(`a held key is free again once its job ${ending}`, async () => {
        const { storage, clock } = env;
        await seedJob(storage, { serialKey: 'k', runAt: new Date(clock.now().getTime() - MINUTE) });
        const [held] = await claimAll(storage, 'w1', 1);
        const waiting = await seedJob(storage, { serialKey: 'k' });
        expect(await claimAll(storage, 'w2')).toEqual([]);
        expect(await end(storage, held!)).toBe(true);
        // A failed or released job is queued again, due before `waiting`, so it runs first.
        const next = await claimAll(storage, 'w2', 1);
        expect(idsOfClaims(next)).toEqual([ending === 'dies' ? waiting.id : held!.job.id]);
        expect(await claimAll(storage, 'w3')).toEqual([]);
      });
    }

    it('an expired lease holds its key until it is reaped', async () => {
      const { storage, clock } = env;
      await seedJob(storage, { serialKey: 'k' });
      const [held] = await storage.jobs.claim({ workerId: 'gone', limit: 1, leaseMs: 1000 });
      const waiting = await seedJob(storage, { serialKey: 'k', priority: -1 });
      clock.advance(2000);
      expect(await claimAll(storage, 'w')).toEqual([]);
      expect(await storage.jobs.reapExpired()).toBe(1);
      expect(idsOfClaims(await claimAll(storage, 'w', 1))).toEqual([waiting.id]);
      expect(await storage.jobs.get(held!.job.id)).toMatchObject({ state: 'queued' });
    });

    it('one claim takes every due job of a free key; no other claim gets the key until all have ended', async () => {
      const { storage } = env;
      const jobs = [];
      for (let i = 0; i < 3; i++) jobs.push(await seedJob(storage, { serialKey: 'k' }));
      const claimed = await claimAll(storage, 'w1');
      expect(idsOfClaims(claimed)).toEqual(sortIds(jobs.map((j) => j.id)));
      expect(new Set(claimed.map((c) => c.job.lockedBy))).toEqual(new Set(['w1']));
      const later = await seedJob(storage, { serialKey: 'k' });
      expect(await storage.jobs.complete(claimed[0]!.lease)).toBe(true);
      expect(await storage.jobs.complete(claimed[1]!.lease)).toBe(true);
      expect(await claimAll(storage, 'w2')).toEqual([]);
      expect(await storage.jobs.complete(claimed[2]!.lease)).toBe(true);
      expect(idsOfClaims(await claimAll(storage, 'w2'))).toEqual([later.id]);
    });

    it('jobs of a held key do not use up a claim: the limit goes to jobs that can run', async () => {
      const { storage, clock } = env;
      await seedJob(storage, { serialKey: 'busy', runAt: new Date(clock.now().getTime() - 2 * MINUTE) });
      await claimAll(storage, 'holder', 1);
      for (let i = 0; i < 5; i++) await seedJob(storage, { serialKey: 'busy', runAt: new Date(clock.now().getTime() - MINUTE) });
      const runnable = [await seedJob(storage, { serialKey: 'other' }), await seedJob(storage)];
      expect(idsOfClaims(await claimAll(storage, 'w', 2))).toEqual(sortIds(runnable.map((j) => j.id)));
    });

    it('claimers racing over several connections never run two jobs of one key at once, and finish every job', async () => {
      const { storage } = env;
      const storages = await env.replicas(4);
      const total = 160;
      for (let i = 0; i < total; i++) await seedJob(storage, { serialKey: i % 8 === 7 ? null : `key-${i % 4}` });
      const { overlaps, done } = await raceSerialClaimers(storages, { total, limits: [1, 2, 3] });
      expect(overlaps).toEqual([]);
      expect(done.size).toBe(total);
      expect((await storage.jobs.list({ state: 'succeeded' }, { limit: 500 })).items).toHaveLength(total);
    });
  });
}
