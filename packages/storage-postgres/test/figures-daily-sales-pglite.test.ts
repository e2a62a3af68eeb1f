import { afterAll } from 'vitest';
import { describeDailySalesFromBuckets } from '../../sdk/test/engine/figures-daily-sales-cases.js';
import { sharedPGlite, storageInFreshSchema } from './helpers.js';
import type { StorageInSchema } from './helpers.js';

// The SDK's daily-sales-from-buckets cases on PostgreSQL (PGlite): the buckets the triggers' marks fold into equal
// `sales.figures`' aggregates in four zones.
const pglite = sharedPGlite();
const made: StorageInSchema[] = [];
afterAll(async () => {
  for (const s of made) await s.cleanup();
  await pglite.close();
});

describeDailySalesFromBuckets(
  'PGlite',
  async (clock) => {
    const inSchema = await storageInFreshSchema(await pglite.client(), clock);
    made.push(inSchema);
    return inSchema.storage;
  },
  80,
);
