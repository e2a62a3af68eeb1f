import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createPostgresStorage, fromPgPool, migrate } from '../src/index.js';
import { SKIP_REAL_SERVER, dropSchema, newPool, uniqueSchema } from './helpers.js';

/**
 * The `ON CONFLICT` that merges a keyed enqueue into its queued twin names `dedupe_key IS NOT NULL` too, so it
 * matches `jobs_queued_dedupe_key` as migrated today (queued jobs, keyless ones included) and the narrower index a
 * later migration may build (keyed queued jobs only: a keyless enqueue would write no entry there). That migration
 * must wait until no replica runs a build whose enqueue names only `state = 'queued'`, which that index would refuse.
 */
describe.skipIf(SKIP_REAL_SERVER !== false)(
  `a keyed enqueue on the narrower queued dedupe-key index${SKIP_REAL_SERVER === false ? '' : ` (skipped: ${SKIP_REAL_SERVER})`}`,
  () => {
    let pool: pg.Pool;
    let schema: string;

    beforeAll(async () => {
      pool = newPool(2);
      schema = uniqueSchema();
      await migrate(fromPgPool(pool), { schema });
      await pool.query(`DROP INDEX "${schema}".jobs_queued_dedupe_key`);
      await pool.query(
        `CREATE UNIQUE INDEX jobs_queued_dedupe_key ON "${schema}".jobs (dedupe_key) WHERE state = 'queued' AND dedupe_key IS NOT NULL`,
      );
    });

    afterAll(async () => {
      await dropSchema(fromPgPool(pool), schema);
      await pool.end();
    });

    it('merges into the queued twin through enqueue and enqueueMany, and keyless jobs stay apart', async () => {
      const storage = createPostgresStorage({ client: fromPgPool(pool), schema });
      const first = await storage.jobs.enqueue({ type: 't', payload: { n: 1 }, dedupeKey: 'k' });
      const second = await storage.jobs.enqueue({ type: 't', payload: { n: 2 }, dedupeKey: 'k' });
      const [third] = await storage.jobs.enqueueMany([{ type: 't', payload: { n: 3 }, dedupeKey: 'k' }]);
      expect(second.job.id).toBe(first.job.id);
      expect(third!.job.id).toBe(first.job.id);
      await storage.jobs.enqueueMany([
        { type: 't', payload: {} },
        { type: 't', payload: {} },
      ]);
      const { rows } = await pool.query<{ keyed: string; keyless: string }>(
        `SELECT count(*) FILTER (WHERE dedupe_key = 'k') AS keyed, count(*) FILTER (WHERE dedupe_key IS NULL) AS keyless
         FROM "${schema}".jobs`,
      );
      expect(rows[0]).toEqual({ keyed: '1', keyless: '2' });
    });
  },
);
