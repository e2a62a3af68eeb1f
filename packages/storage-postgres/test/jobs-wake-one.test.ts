import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StoragePort } from '@panelkit/sdk/storage';
import { ManualClock } from '@panelkit/sdk/testing';
import type pg from 'pg';
import { createPostgresStorage, fromPgPool, migrate } from '../src/index.js';
import { SKIP_REAL_SERVER, dropSchema, newPool, uniqueSchema } from './helpers.js';

const MINUTE = 60_000;

/** A worker's subscription to `jobsQueued` on its own replica, counting its calls. */
interface Sleeper {
  readonly workerId: string;
  readonly storage: StoragePort;
  /** Calls of its subscription: for it alone or for every worker. */
  calls: number;
  /** Calls of a second subscription on its replica, for no worker: the commits that told every worker. */
  broadcasts: number;
  /** Resolves once `broadcasts` reaches `count`: every notification before that one has been counted too. */
  heard(count: number): Promise<void>;
  /** An empty claim (of `types`, default every type) that says it sleeps: it counts among the idle workers from then on. */
  sleep(types?: string[]): Promise<void>;
}

/**
 * One idle worker woken a queued job (migration 22), each worker on its own replica (its own pool and listening
 * connection). A replica's notifications arrive in commit order, so once a worker's replica has passed on a later
 * commit that told every worker, the worker has heard all it ever will of the earlier ones: its count is then exact.
 */
describe.skipIf(SKIP_REAL_SERVER !== false)(
  `jobs: one worker woken a job${SKIP_REAL_SERVER === false ? '' : ` (skipped: ${SKIP_REAL_SERVER})`}`,
  () => {
    const pools: pg.Pool[] = [];
    const storages: StoragePort[] = [];
    let schema: string;
    let writer: StoragePort;

    beforeAll(async () => {
      schema = uniqueSchema();
      const pool = newPool(2);
      pools.push(pool);
      await migrate(fromPgPool(pool), { schema });
      writer = createPostgresStorage({ client: fromPgPool(pool), schema });
      storages.push(writer);
    });

    afterAll(async () => {
      for (const storage of storages) await storage.close();
      await dropSchema(fromPgPool(pools[0]!), schema);
      for (const pool of pools) await pool.end();
    });

    async function sleeper(workerId: string, clock?: ManualClock): Promise<Sleeper> {
      const pool = newPool(2);
      pools.push(pool);
      const storage = createPostgresStorage({ client: fromPgPool(pool), schema, ...(clock === undefined ? {} : { clock }) });
      storages.push(storage);
      const waiting: { broadcasts: number; done: () => void }[] = [];
      const sleeper: Sleeper = {
        workerId,
        storage,
        calls: 0,
        broadcasts: 0,
        heard: (count) =>
          sleeper.broadcasts >= count ? Promise.resolve() : new Promise((done) => waiting.push({ broadcasts: count, done })),
        async sleep(types) {
          const request = { workerId, limit: 10, leaseMs: MINUTE, awaitWakeMs: MINUTE, ...(types === undefined ? {} : { types }) };
          expect(await storage.jobs.claim(request)).toEqual([]);
        },
      };
      storage.jobsQueued!.subscribe(() => sleeper.calls++, { workerId });
      storage.jobsQueued!.subscribe(() => {
        sleeper.broadcasts++;
        for (const w of waiting.filter((x) => x.broadcasts <= sleeper.broadcasts)) {
          waiting.splice(waiting.indexOf(w), 1);
          w.done();
        }
      });
      // Both are called once when the replica listens.
      await sleeper.heard(1);
      return sleeper;
    }

    /** Runs every job queued so far, so the next test starts from an empty queue. */
    async function drain(): Promise<void> {
      for (;;) {
        const claimed = await writer.jobs.claim({ workerId: 'drain', limit: 100, leaseMs: MINUTE });
        if (claimed.length === 0) return;
        for (const { lease } of claimed) await writer.jobs.complete(lease);
      }
    }

    /** A commit with no idle worker left tells every worker; returns once each has heard it, and all before it. */
    async function tellEveryone(...sleepers: Sleeper[]): Promise<void> {
      const before = sleepers.map((s) => s.broadcasts);
      await writer.jobs.enqueue({ type: 'wake.test' });
      await Promise.all(sleepers.map((s, i) => s.heard(before[i]! + 1)));
    }

    beforeEach(drain);

    it('a job wakes one of two sleeping workers, on whichever replica, and no other', async () => {
      const a = await sleeper('a-1');
      const b = await sleeper('b-1');
      await a.sleep();
      await b.sleep();
      const [ca, cb] = [a.calls, b.calls];
      await writer.jobs.enqueue({ type: 'wake.test' });
      // The other one still sleeps, so the next job wakes it alone; then nobody is idle and the third tells both.
      await writer.jobs.enqueue({ type: 'wake.test' });
      await tellEveryone(a, b);
      expect([a.calls - ca, b.calls - cb]).toEqual([2, 2]);
    });

    it('a commit of two jobs wakes two sleeping workers once each, not every worker', async () => {
      const a = await sleeper('a-2');
      const b = await sleeper('b-2');
      const c = await sleeper('c-2');
      await a.sleep();
      await b.sleep();
      await c.sleep();
      const before = [a.calls, b.calls, c.calls];
      await writer.transaction(async (tx) => {
        await tx.jobs.enqueue({ type: 'wake.test' });
        await tx.jobs.enqueue({ type: 'wake.test' });
      });
      // The one left asleep takes the next job alone; then a commit with nobody idle reaches all three.
      await writer.jobs.enqueue({ type: 'wake.test' });
      await tellEveryone(a, b, c);
      // Each was woken once by the first three jobs and once by the last commit.
      expect([a.calls - before[0]!, b.calls - before[1]!, c.calls - before[2]!]).toEqual([2, 2, 2]);
    });

    it('a job wakes a sleeping worker that runs its type, not one that came idle later for other types (migration 36)', async () => {
      const a = await sleeper('a-5');
      const b = await sleeper('b-5');
      await a.sleep(['wake.test']);
      await b.sleep(['wake.other']);
      const [ca, cb] = [a.calls, b.calls];
      await writer.jobs.enqueue({ type: 'wake.test' });
      // b still sleeps; a sleeps again. One commit of a job of each type wakes each alone (type by type), then a
      // commit with nobody idle tells both.
      await drain();
      await a.sleep(['wake.test']);
      await writer.jobs.enqueueMany([{ type: 'wake.other' }, { type: 'wake.test' }]);
      await tellEveryone(a, b);
      expect([a.calls - ca, b.calls - cb]).toEqual([3, 2]);
    });

    it('a job of a type no sleeping worker runs tells every worker', async () => {
      const a = await sleeper('a-6');
      await a.sleep(['wake.other']);
      const before = a.broadcasts;
      await writer.jobs.enqueue({ type: 'wake.test' });
      await a.heard(before + 1);
      expect(a.broadcasts).toBe(before + 1);
    });

    it('a commit that rolled back leaves the worker it took idle', async () => {
      const a = await sleeper('a-3');
      const b = await sleeper('b-3');
      await a.sleep();
      await expect(
        writer.transaction(async (tx) => {
          await tx.jobs.enqueue({ type: 'wake.test' });
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      // Still idle: the next job wakes it alone; then nobody is idle and the one after tells both.
      const [ca, cb] = [a.calls, b.calls];
      await writer.jobs.enqueue({ type: 'wake.test' });
      await tellEveryone(a, b);
      expect([a.calls - ca, b.calls - cb]).toEqual([2, 1]);
    });

    it('a worker whose claim took jobs is idle no more', async () => {
      // Its replica's clock runs ahead, so it can take a job queued to run later, which woke nobody.
      const a = await sleeper('a-4', new ManualClock(new Date(Date.now() + 10 * MINUTE)));
      const b = await sleeper('b-4');
      await a.sleep();
      const { job } = await writer.jobs.enqueue({ type: 'wake.test', runAt: new Date(Date.now() + 5 * MINUTE) });
      const taken = await a.storage.jobs.claim({ workerId: a.workerId, limit: 10, leaseMs: MINUTE, awaitWakeMs: MINUTE });
      expect(taken.map((c) => c.job.id)).toEqual([job.id]);
      const [ca, cb] = [a.calls, b.calls];
      await tellEveryone(a, b);
      expect([a.calls - ca, b.calls - cb]).toEqual([1, 1]);
    });
  },
);
