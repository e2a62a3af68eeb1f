import { describe, expect, it } from 'vitest';
import type { ClaimedJob, Job, NewJob } from '../../domain/job.js';
import type { StoragePort } from '../../ports/storage.js';
import { seedJob } from './fixtures.js';
import { raceSerialClaimers } from './serial-claim-race.js';
import { MINUTE } from './support.js';
import type { SuiteEnv } from './support.js';

/** More queued jobs than a claim's first look reads (PostgreSQL reads 2 × its limit before it goes key by key). */
const BACKLOG = 60;

/** A running job of `key`, then `BACKLOG` queued jobs of it due before anything else. */
async function holdKeyWithBacklog(env: SuiteEnv, key: string): Promise<ClaimedJob> {
  const { storage, clock } = env;
  const start = clock.now().getTime() - 3 * 60 * MINUTE;
  await seedJob(storage, { serialKey: key, runAt: new Date(start) });
  const [holder] = await storage.jobs.claim({ workerId: 'holder', limit: 1, leaseMs: 60 * MINUTE });
  for (let i = 0; i < BACKLOG; i++) await seedJob(storage, { serialKey: key, runAt: new Date(start + (i + 1) * 1000) });
  return holder!;
}

/** Jobs named by label, due a second apart from an hour ago in label order (so claim order is the labels'). */
async function seedBehind(env: SuiteEnv, jobs: Record<string, Partial<NewJob>>): Promise<Record<string, Job>> {
  const start = env.clock.now().getTime() - 60 * MINUTE;
  const seeded: Record<string, Job> = {};
  for (const [i, [label, overrides]] of Object.entries(jobs).entries()) {
    seeded[label] = await seedJob(env.storage, { runAt: new Date(start + i * 1000), ...overrides });
  }
  return seeded;
}

/** The labels of the claimed jobs, in the order the claim returned them. */
function labelsOf(seeded: Record<string, Job>, claimed: readonly ClaimedJob[]): string[] {
  const byId = new Map(Object.entries(seeded).map(([label, job]) => [job.id, label]));
  return claimed.map((c) => byId.get(c.job.id) ?? `unexpected ${c.job.serialKey ?? 'keyless'} job`);
}

function claim(storage: StoragePort, limit: number, types?: string[]): Promise<ClaimedJob[]> {
  return storage.jobs.claim({ workerId: 'w', limit, leaseMs: MINUTE, ...(types === undefined ? {} : { types }) });
}

/**
 * A held key with a long queue ahead of everything else: claims take what is behind it, as if it were not there,
 * with every rule of a claim kept (claim order, due, types, dedupe and serialisation keys, batches).
 */
export function jobsSerialBacklogSuite(env: SuiteEnv): void {
  describe('jobs: claims past a held key with a long queue', () => {
    it('take the claimable jobs behind it in claim order, several of one free key, and leave what may not run', async () => {
      const { storage, clock } = env;
      await holdKeyWithBacklog(env, 'held');
      await seedJob(storage, { dedupeKey: 'busy-twin', runAt: new Date(clock.now().getTime() - 4 * 60 * MINUTE) });
      expect(await claim(storage, 1)).toHaveLength(1);
      const seeded = await seedBehind(env, {
        a1: { serialKey: 'a' },
        later: { serialKey: 'b', runAt: new Date(clock.now().getTime() + MINUTE) },
        free1: {},
        other: { serialKey: 'c', type: 'conformance.other' },
        twin: { serialKey: 'd', dedupeKey: 'busy-twin' },
        a2: { serialKey: 'a' },
        e1: { serialKey: 'e', priority: 1 },
        free2: {},
        first: { serialKey: 'f', priority: -1 },
      });
      expect(labelsOf(seeded, await claim(storage, 4, ['conformance.job']))).toEqual(['first', 'a1', 'free1', 'a2']);
      expect(labelsOf(seeded, await claim(storage, 4, ['conformance.job']))).toEqual(['free2', 'e1']);
      expect(await claim(storage, 4, ['conformance.job'])).toEqual([]);
      for (const label of ['later', 'other', 'twin']) expect(await storage.jobs.get(seeded[label]!.id)).toMatchObject({ state: 'queued' });
    });

    it('the held key runs again once its job completes, in its own order', async () => {
      const { storage } = env;
      const holder = await holdKeyWithBacklog(env, 'held');
      await seedBehind(env, { x: { serialKey: 'x' } });
      expect(await claim(storage, 5)).toHaveLength(1);
      expect(await storage.jobs.complete(holder.lease)).toBe(true);
      const next = await claim(storage, 5);
      expect(next.map((c) => c.job.serialKey)).toEqual(['held', 'held', 'held', 'held', 'held']);
      const times = next.map((c) => c.job.runAt.getTime());
      expect(times).toEqual([...times].sort((x, y) => x - y));
      expect(await claim(storage, 5)).toEqual([]);
    });

    it('a batch behind it comes together, up to batchLimit, before the jobs due after its first', async () => {
      const { storage } = env;
      await holdKeyWithBacklog(env, 'held');
      const seeded = await seedBehind(env, {
        b1: { batchKey: 'batch:b', serialKey: 'k1' },
        free: {},
        b2: { batchKey: 'batch:b', serialKey: 'k2' },
        b3: { batchKey: 'batch:b' },
        b4: { batchKey: 'batch:b', serialKey: 'held' },
      });
      expect(labelsOf(seeded, await storage.jobs.claim({ workerId: 'w', limit: 3, batchLimit: 3, leaseMs: MINUTE }))).toEqual([
        'b1',
        'b2',
        'b3',
      ]);
      expect(labelsOf(seeded, await claim(storage, 3))).toEqual(['free']);
      expect(await storage.jobs.get(seeded['b4']!.id)).toMatchObject({ state: 'queued' });
    });

    it('claimers racing over several connections never run two jobs of one key at once, and finish every job', async () => {
      const { storage } = env;
      await holdKeyWithBacklog(env, 'held');
      const storages = await env.replicas(3);
      const total = 90;
      for (let i = 0; i < total; i++) await seedJob(storage, { serialKey: i % 6 === 5 ? null : `key-${i % 5}` });
      const { overlaps, done } = await raceSerialClaimers(storages, { total, limits: [1, 3], forbiddenKey: 'held' });
      expect(overlaps).toEqual([]);
      expect(done.size).toBe(total);
      expect((await storage.jobs.list({ state: 'queued' }, { limit: 500 })).items).toHaveLength(BACKLOG);
    });
  });
}
