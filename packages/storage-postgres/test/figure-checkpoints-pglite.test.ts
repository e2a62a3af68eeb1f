import { afterAll, describe, expect, it } from 'vitest';
import type { FigureCell } from '@panelkit/sdk/rules';
import { FIGURE_BUCKET_CHECKPOINT_BUCKETS as N, figureBucketCheckpointStart } from '@panelkit/sdk/storage';
import { ManualClock } from '@panelkit/sdk/testing';
import { sharedPGlite, storageInFreshSchema } from './helpers.js';
import type { StorageInSchema } from './helpers.js';

const pglite = sharedPGlite();
const made: StorageInSchema[] = [];
afterAll(async () => {
  for (const s of made) await s.cleanup();
  await pglite.close();
});

const S = figureBucketCheckpointStart(660);
const inService = (bucket: number, value: number): FigureCell => ({
  table: 'buckets',
  bucket,
  currency: '',
  metric: 'in_service_delta',
  value,
});

/**
 * How PostgreSQL keeps the buckets' checkpoints (migration 41): `apply` writes them in its own statement, and
 * `bucketTotals` reads whole checkpoints from them, not from the buckets (the conformance suite proves the sums).
 */
describe('figures: the buckets’ checkpoints on PostgreSQL (PGlite)', () => {
  it('apply keeps each checkpoint at the sum of its buckets; bucketTotals reads earlier checkpoints, not their buckets', async () => {
    const inSchema = await storageInFreshSchema(await pglite.client(), new ManualClock());
    made.push(inSchema);
    const { storage, schema } = inSchema;
    const client = await pglite.client();
    await storage.figures.apply([inService(S, 5), inService(S + N - 1, -2), inService(S + N, 4), inService(S + 2 * N + 3, 1)]);
    await storage.figures.apply([inService(S + N - 1, 2), inService(S + N + 1, -1)]);
    const rows = async (sql: string) => (await client.query(sql.replaceAll('{{schema}}', `"${schema}"`))).rows;
    const byBuckets = await rows(
      `SELECT bucket / ${N} AS checkpoint, sum(value)::bigint AS value FROM {{schema}}.figure_buckets GROUP BY 1 HAVING sum(value) <> 0 ORDER BY 1`,
    );
    const held = await rows(`SELECT checkpoint, value FROM {{schema}}.figure_bucket_checkpoints WHERE value <> 0 ORDER BY checkpoint`);
    expect(held.map((r) => [Number(r['checkpoint']), Number(r['value'])])).toEqual([
      [660, 5],
      [661, 3],
      [662, 1],
    ]);
    expect(held.map((r) => [Number(r['checkpoint']), Number(r['value'])])).toEqual(
      byBuckets.map((r) => [Number(r['checkpoint']), Number(r['value'])]),
    );
    // Without the buckets of checkpoints 660 and 661 the totals after them stay; inside 661 they are gone.
    await rows(`DELETE FROM {{schema}}.figure_buckets WHERE bucket < ${S + 2 * N}`);
    expect(await storage.figures.bucketTotals(S + 2 * N + 10)).toEqual([inService(S + 2 * N + 9, 9)]);
    expect(await storage.figures.bucketTotals(S + N + 10)).toEqual([inService(S + N + 9, 5)]);
  });
});
