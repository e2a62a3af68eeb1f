import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoragePort } from '@panelkit/sdk/storage';
import type pg from 'pg';
import { createPostgresStorage, fromPgPool, type SqlClient } from '../src/index.js';
import { SKIP_REAL_SERVER, newPool } from './helpers.js';
import { type TakenSchema, takeMigratedSchema } from './support/schema-pool.js';

const MINUTE = 60_000;

/** A gate: `wait()` holds until `open()`. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

/**
 * A claim names its jobs with a serialisation key in the pick's transaction and marks them running in a second one
 * (`job-claim.ts`): between the two another claim may take such a job and settle it. The first claim must then leave it
 * as the other left it. Claimer A's client is held before its second transaction while claimer B takes the job.
 */
describe.skipIf(SKIP_REAL_SERVER !== false)(
  `jobs: a keyed job taken between a claim's two transactions${SKIP_REAL_SERVER === false ? '' : ` (skipped: ${SKIP_REAL_SERVER})`}`,
  () => {
    const pools: pg.Pool[] = [];
    let taken: TakenSchema;
    let b: StoragePort;
    let a: StoragePort;
    /** Set by a test: A's second transaction from now waits for `resume` (after `reached`). */
    let hold: { count: number; reached: () => void; resume: Promise<void> } | undefined;

    beforeAll(async () => {
      pools.push(newPool(2), newPool(2));
      taken = await takeMigratedSchema(fromPgPool(pools[0]!));
      const { schema } = taken;
      b = createPostgresStorage({ client: fromPgPool(pools[0]!), schema });
      const inner = fromPgPool(pools[1]!);
      const held: SqlClient = {
        ...inner,
        async transaction(fn) {
          if (hold !== undefined && ++hold.count === 2) {
            const { reached, resume } = hold;
            hold = undefined;
            reached();
            await resume;
          }
          return inner.transaction(fn);
        },
      };
      a = createPostgresStorage({ client: held, schema });
    });

    afterAll(async () => {
      await a.close();
      await b.close();
      await taken.giveBack();
      for (const pool of pools) await pool.end();
    });

    it.each([
      ['failed, to be retried later', 'retry'],
      ['failed for good', 'dead'],
      ['completed', 'complete'],
    ] as const)('a job B took and %s is not claimed by A', async (_, outcome) => {
      const { job } = await b.jobs.enqueue({ type: 'keyed.test', serialKey: `key-${outcome}` });
      const reached = gate();
      const resume = gate();
      hold = { count: 0, reached: reached.open, resume: resume.wait };
      const claimOfA = a.jobs.claim({ workerId: `a-${outcome}`, limit: 10, leaseMs: MINUTE });
      // A has named the job and let go of its row; B takes it and settles it.
      await reached.wait;
      const [taken] = await b.jobs.claim({ workerId: `b-${outcome}`, limit: 10, leaseMs: MINUTE });
      expect(taken?.job.id).toBe(job.id);
      const error = { name: 'TestError', code: 'TEST', message: 'failed in the test', retryable: true };
      if (outcome === 'complete') expect(await b.jobs.complete(taken!.lease)).toBe(true);
      else
        expect(await b.jobs.fail(taken!.lease, error, outcome === 'dead' ? 'dead' : { at: new Date(Date.now() + 60 * MINUTE) })).toBe(true);
      resume.open();
      expect(await claimOfA).toEqual([]);
      const after = await b.jobs.get(job.id);
      if (outcome === 'complete') expect(after?.state ?? 'gone').not.toBe('running');
      else expect(after).toMatchObject({ state: outcome === 'dead' ? 'dead' : 'queued', attempts: 1 });
    });

    it("a keyed job whose key's lock another claim holds at that moment is left queued; the free key's job is taken", async () => {
      const held = await b.jobs.enqueue({ type: 'keyed.test', serialKey: 'key-locked' });
      const free = await b.jobs.enqueue({ type: 'keyed.test', serialKey: 'key-unlocked' });
      // Another claim's step 2 on a connection of its own: the key's advisory lock, held until its transaction ends.
      const other = await pools[0]!.connect();
      try {
        await other.query('BEGIN');
        await other.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [
          `panelkit.jobs.serial:"${taken.schema}"`,
          'key-locked',
        ]);
        const claimed = await a.jobs.claim({ workerId: 'a-locked', limit: 10, leaseMs: MINUTE });
        expect(claimed.map((c) => c.job.id)).toEqual([free.job.id]);
        expect(await b.jobs.get(held.job.id)).toMatchObject({ state: 'queued', attempts: 0 });
      } finally {
        await other.query('ROLLBACK');
        other.release();
      }
      const after = await a.jobs.claim({ workerId: 'a-unlocked', limit: 10, leaseMs: MINUTE });
      expect(after.map((c) => c.job.id)).toEqual([held.job.id]);
    });

    it('a keyed job nobody took meanwhile is claimed by A in its second transaction', async () => {
      const { job } = await b.jobs.enqueue({ type: 'keyed.test', serialKey: 'key-free' });
      const reached = gate();
      const resume = gate();
      hold = { count: 0, reached: reached.open, resume: resume.wait };
      const claimOfA = a.jobs.claim({ workerId: 'a-free', limit: 10, leaseMs: MINUTE });
      await reached.wait;
      resume.open();
      expect((await claimOfA).map((c) => c.job.id)).toEqual([job.id]);
      expect(await b.jobs.get(job.id)).toMatchObject({ state: 'running', attempts: 1, lockedBy: 'a-free' });
    });
  },
);
