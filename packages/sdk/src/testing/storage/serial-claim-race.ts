import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { StoragePort } from '../../ports/storage.js';
import { MINUTE } from './support.js';

/**
 * Claimers racing over several connections until `total` jobs are done: `limits` claimers on each storage, the i-th
 * claiming up to `limits[i]` jobs at a time and holding them a moment before completing each. Returns every overlap
 * seen (two claimers holding one serial key at once, or anyone taking a job of `forbiddenKey`) and the jobs done. A
 * claimer holds a key from just after its claim returned until just before it completes: a sub-interval of the key's
 * time in `running`, so any overlap seen is a real one.
 */
export async function raceSerialClaimers(
  storages: readonly StoragePort[],
  options: { total: number; limits: readonly number[]; forbiddenKey?: string },
): Promise<{ overlaps: string[]; done: Set<string> }> {
  const holders = new Map<string, string>();
  const overlaps: string[] = [];
  const done = new Set<string>();
  const claimer = async (storage: StoragePort, name: string, limit: number) => {
    for (let round = 0; done.size < options.total; round++) {
      if (round > 5000) throw new Error(`${name} gave up with ${done.size} of ${options.total} jobs done`);
      const batch = await storage.jobs.claim({ workerId: name, limit, leaseMs: MINUTE });
      const keys = [...new Set(batch.map((c) => c.job.serialKey).filter((k): k is string => k !== null))];
      for (const key of keys) {
        if (key === options.forbiddenKey) overlaps.push(`${name} took a job of the held key`);
        const other = holders.get(key);
        if (other !== undefined) overlaps.push(`${key}: ${other} and ${name}`);
        holders.set(key, name);
      }
      await sleep(batch.length === 0 ? 1 : 2);
      for (const key of keys) if (holders.get(key) === name) holders.delete(key);
      for (const { job, lease } of batch) {
        expect(await storage.jobs.complete(lease)).toBe(true);
        done.add(job.id);
      }
    }
  };
  await Promise.all(storages.flatMap((s, r) => options.limits.map((limit, c) => claimer(s, `r${r}-c${c}`, limit))));
  return { overlaps, done };
}
