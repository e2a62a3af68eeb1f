import { describe, expect, it } from 'vitest';
import { Completions } from '../../src/engine/completions.js';
import type { Lease } from '../../src/index.js';
import type { JobSettlement, StoragePort } from '../../src/storage.js';

/** A storage whose `completeMany` records each write, waits for `release`, and holds the leases `held` names. */
function recordingStorage(held: (lease: Lease) => boolean) {
  const writes: Lease[][] = [];
  let release: () => void = () => undefined;
  let failNext = false;
  const storage = {
    jobs: {
      async completeMany(leases: readonly Lease[]) {
        writes.push([...leases]);
        await new Promise<void>((resolve) => (release = resolve));
        if (failNext) {
          failNext = false;
          throw new Error('the database went away');
        }
        return leases.filter(held);
      },
      async settleMany(settlements: readonly JobSettlement[]) {
        return settlements.map((s) => s.lease);
      },
    },
  } as unknown as StoragePort;
  return {
    storage,
    writes,
    release: () => release(),
    failNextWrite: () => void (failNext = true),
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('Completions: grouped lease writes', () => {
  it('writes the jobs asked for in one turn together, and each learns whether its own lease was held', async () => {
    const s = recordingStorage((lease) => lease.jobId !== 'b');
    const completions = new Completions(s.storage);
    const answers = ['a', 'b', 'c'].map((jobId) => completions.complete({ jobId, token: 't1' }));
    await turn();
    expect(s.writes.map((w) => w.map((l) => l.jobId))).toEqual([['a', 'b', 'c']]);
    s.release();
    const [a, b, c] = await Promise.all(answers);
    expect([a!.has('a'), b!.has('b'), c!.has('c')]).toEqual([true, false, true]);
  });

  it('gathers what is asked for while a write is under way into the next write, a job once a write', async () => {
    const s = recordingStorage(() => true);
    const completions = new Completions(s.storage);
    const first = completions.complete({ jobId: 'a', token: 't1' });
    await turn();
    // While the first write waits: a second lease of job a (another claim's) must not share a write with a third one.
    const later = [
      completions.complete({ jobId: 'b', token: 't1' }),
      completions.complete({ jobId: 'a', token: 't2' }),
      completions.complete({ jobId: 'c', token: 't2' }),
      completions.complete({ jobId: 'a', token: 't3' }),
    ];
    s.release();
    await first;
    await turn();
    s.release();
    await turn();
    s.release();
    await Promise.all(later);
    expect(s.writes.map((w) => w.map((l) => `${l.jobId}:${l.token}`))).toEqual([['a:t1'], ['b:t1', 'a:t2', 'c:t2'], ['a:t3']]);
  });

  it('fails every item of a write that failed, and only those', async () => {
    const s = recordingStorage(() => true);
    const completions = new Completions(s.storage);
    s.failNextWrite();
    const failed = completions.complete({ jobId: 'a', token: 't1' });
    await turn();
    const next = completions.complete({ jobId: 'b', token: 't1' });
    s.release();
    await expect(failed).rejects.toThrow('the database went away');
    await turn();
    s.release();
    expect((await next).has('b')).toBe(true);
  });
});
