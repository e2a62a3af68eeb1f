import { afterAll } from 'vitest';
import { describeFiguresFold } from '../../sdk/test/engine/figures-fold-cases.js';
import { sharedPGlite, storageInFreshSchema } from './helpers.js';
import type { StorageInSchema } from './helpers.js';

// The SDK's figures-fold cases on PostgreSQL (PGlite): random sales folded by the triggers' marks leave every rollup
// equal to `figuresFromRows`. Fewer steps than on memory: each step is several statements on one PGlite connection.
const pglite = sharedPGlite();
const made: StorageInSchema[] = [];
afterAll(async () => {
  for (const s of made) await s.cleanup();
  await pglite.close();
});

describeFiguresFold(
  'PGlite',
  async (clock) => {
    const inSchema = await storageInFreshSchema(await pglite.client(), clock);
    made.push(inSchema);
    return inSchema.storage;
  },
  { seeds: [1, 2], steps: 80 },
);
