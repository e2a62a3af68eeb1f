import { describe, expect, it } from 'vitest';
import type { ClaimedJob } from '../../domain/job.js';
import type { StoragePort } from '../../ports/storage.js';
import { seedPanel } from './fixtures.js';
import { TEST_ERROR, claimOne } from './jobs.js';
import { MINUTE, expectRejects, later } from './support.js';
import type { SuiteEnv } from './support.js';

/** One subscription to `storage.jobsQueued`, counting its calls. */
interface Subscriber {
  /** Calls so far. */
  readonly count: number;
  /** Resolves once the calls reach `count`. */
  reach(count: number): Promise<void>;
  /** Runs `fn` on each later call. */
  onCall(fn: () => void): void;
  unsubscribe(): void;
}

/**
 * Subscribes to `storage.jobsQueued` (for `workerId` when given) and waits for the first call: the storage listens for
 * it from then on.
 */
async function listening(storage: StoragePort, workerId?: string): Promise<Subscriber> {
  const signal = storage.jobsQueued;
  if (signal === undefined) throw new Error('unreachable: the suite skips storages without jobsQueued');
  let count = 0;
  const waiting: { count: number; done: () => void }[] = [];
  const callbacks: (() => void)[] = [];
  const unsubscribe = signal.subscribe(
    () => {
      count++;
      for (const fn of callbacks) fn();
      for (const waiter of waiting.filter((w) => w.count <= count)) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.done();
      }
    },
    workerId === undefined ? {} : { workerId },
  );
  const subscriber: Subscriber = {
    get count() {
      return count;
    },
    reach: (target) => (count >= target ? Promise.resolve() : new Promise((done) => waiting.push({ count: target, done }))),
    onCall: (fn) => void callbacks.push(fn),
    unsubscribe,
  };
  await subscriber.reach(1);
  return subscriber;
}

/**
 * `jobsQueued` (optional: a storage without it skips these): subscribers hear of jobs queued due now, after the
 * commit, on every replica, once a commit; a claim made on the signal takes the job.
 */
export function jobsSignalSuite(env: SuiteEnv): void {
  describe('jobs: the queued-jobs signal', () => {
    it('tells every subscriber on every replica after the commit, once however many jobs; a claim made on it takes them', async (context) => {
      const { storage } = env;
      if (storage.jobsQueued === undefined) return context.skip();
      const [replica] = await env.replicas(1);
      const here = await listening(storage);
      const there = await listening(replica!);
      const claims: Promise<ClaimedJob[]>[] = [];
      there.onCall(() => claims.push(replica!.jobs.claim({ workerId: 'woken', limit: 10, leaseMs: MINUTE })));
      const [hereBefore, thereBefore] = [here.count, there.count];
      const queued = await storage.transaction(async (tx) => {
        const jobs = [];
        for (let i = 0; i < 3; i++) jobs.push((await tx.jobs.enqueue({ type: 'conformance.job' })).job.id);
        return jobs;
      });
      await Promise.all([here.reach(hereBefore + 1), there.reach(thereBefore + 1)]);
      const claimed = (await Promise.all(claims)).flat();
      expect(claimed.map((c) => c.job.id).sort()).toEqual([...queued].sort());
      // A second commit is a second call; the three jobs of the first were one.
      await storage.jobs.enqueue({ type: 'conformance.job' });
      await here.reach(hereBefore + 2);
      expect(here.count).toBe(hereBefore + 2);
      here.unsubscribe();
      there.unsubscribe();
    });

    it('wakes a worker whose empty claim said it sleeps (awaitWakeMs) for a job queued on another replica; its claim takes it', async (context) => {
      const { storage } = env;
      if (storage.jobsQueued === undefined) return context.skip();
      const [replica] = await env.replicas(1);
      const idle = await listening(replica!, 'idle-worker');
      const claim = () => replica!.jobs.claim({ workerId: 'idle-worker', limit: 5, leaseMs: MINUTE, awaitWakeMs: MINUTE });
      expect(await claim()).toEqual([]);
      const before = idle.count;
      const { job } = await storage.jobs.enqueue({ type: 'conformance.job' });
      await idle.reach(before + 1);
      expect((await claim()).map((c) => c.job.id)).toEqual([job.id]);
      idle.unsubscribe();
    });

    it('rejects an awaitWakeMs that is not a whole number of 1…3 600 000 ms with a ValidationError, claiming nothing', async () => {
      const { storage } = env;
      const { job } = await storage.jobs.enqueue({ type: 'conformance.job' });
      for (const awaitWakeMs of [0, 1.5, 3_600_001, '10']) {
        await expectRejects(
          storage.jobs.claim({ workerId: 'w', limit: 1, leaseMs: MINUTE, awaitWakeMs: awaitWakeMs as number }),
          'ValidationError',
        );
      }
      expect(await storage.jobs.get(job.id)).toMatchObject({ state: 'queued', attempts: 0 });
    });

    it('says nothing of a transaction that rolled back, nor to a subscriber that left', async (context) => {
      const { storage } = env;
      if (storage.jobsQueued === undefined) return context.skip();
      const stays = await listening(storage);
      const leaves = await listening(storage);
      leaves.unsubscribe();
      const [stayed, left] = [stays.count, leaves.count];
      await expect(
        storage.transaction(async (tx) => {
          await tx.jobs.enqueue({ type: 'conformance.job' });
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      // Signals arrive in commit order: had the rolled-back one been signalled, it would be counted by now.
      await storage.jobs.enqueue({ type: 'conformance.job' });
      await stays.reach(stayed + 1);
      expect(stays.count).toBe(stayed + 1);
      expect(leaves.count).toBe(left);
      stays.unsubscribe();
    });

    it('tells of a serialisation or dedupe key freed while a queued job waits on it (completed, dead); a claim made on it takes that job', async (context) => {
      const { storage } = env;
      if (storage.jobsQueued === undefined) return context.skip();
      const [replica] = await env.replicas(1);
      const there = await listening(replica!);
      const type = 'conformance.keyed';
      const cases = [
        { key: { serialKey: 'conformance:serial' }, settle: (lease: ClaimedJob['lease']) => storage.jobs.complete(lease) },
        {
          key: { serialKey: 'conformance:serial-dead' },
          settle: (lease: ClaimedJob['lease']) => storage.jobs.fail(lease, TEST_ERROR, 'dead'),
        },
        { key: { dedupeKey: 'conformance:dedupe' }, settle: (lease: ClaimedJob['lease']) => storage.jobs.complete(lease) },
      ];
      for (const { key, settle } of cases) {
        await storage.jobs.enqueue({ type, ...key });
        const running = await claimOne(storage, type);
        const queuedBefore = there.count;
        const { job: waiting } = await storage.jobs.enqueue({ type, ...key });
        await there.reach(queuedBefore + 1);
        // Held back by the running job's key.
        expect(await replica!.jobs.claim({ workerId: 'w', limit: 10, leaseMs: MINUTE, types: [type] })).toEqual([]);
        const before = there.count;
        expect(await settle(running.lease)).toBe(true);
        await there.reach(before + 1);
        const claimed = await replica!.jobs.claim({ workerId: 'woken', limit: 10, leaseMs: MINUTE, types: [type] });
        expect(claimed.map((c) => c.job.id)).toEqual([waiting.id]);
        expect(await replica!.jobs.complete(claimed[0]!.lease)).toBe(true);
      }
      there.unsubscribe();
    });

    it('tells of jobs put back due now: released, unparked, reaped, retried, or a queued twin brought forward', async (context) => {
      const { storage, clock } = env;
      if (storage.jobsQueued === undefined) return context.skip();
      const panel = await seedPanel(storage);
      await storage.jobs.enqueue({ type: 'conformance.job', runAt: later(clock, MINUTE) });
      const subscriber = await listening(storage);
      const putBack = async (step: () => Promise<unknown>) => {
        const before = subscriber.count;
        await step();
        await subscriber.reach(before + 1);
      };
      // A queued twin (same dedupe key) due now brings the job forward.
      await storage.jobs.enqueue({ type: 'conformance.job', dedupeKey: 'conformance.job:twin', runAt: later(clock, MINUTE) });
      await putBack(() => storage.jobs.enqueue({ type: 'conformance.job', dedupeKey: 'conformance.job:twin' }));
      clock.advance(MINUTE);
      const released = await claimOne(storage);
      await putBack(() => storage.jobs.release(released.lease));
      const parked = await claimOne(storage);
      expect(await storage.jobs.park(parked.lease, { panelId: panel.id, until: later(clock, MINUTE) })).toBe(true);
      await putBack(() => storage.jobs.unpark(panel.id));
      await claimOne(storage, 'conformance.job', 'worker-1', 1000);
      clock.advance(1000);
      await putBack(() => storage.jobs.reapExpired());
      const dying = await claimOne(storage);
      expect(await storage.jobs.fail(dying.lease, TEST_ERROR, 'dead')).toBe(true);
      await putBack(() => storage.jobs.retry(dying.job.id));
      subscriber.unsubscribe();
    });
  });
}
