import { afterAll } from 'vitest';
import { describeStorefrontCharges } from '../../sdk/test/engine/storefront-charges-cases.js';
import { sharedPGlite, storageInFreshSchema } from './helpers.js';
import type { StorageInSchema } from './helpers.js';

// The SDK's storefront-money cases (extension, top-up, renewal, device pack, gift, provisioning death) on PostgreSQL.
const pglite = sharedPGlite();
const made: StorageInSchema[] = [];
afterAll(async () => {
  for (const s of made) await s.cleanup();
  await pglite.close();
});

describeStorefrontCharges('PGlite', async (clock) => {
  const inSchema = await storageInFreshSchema(await pglite.client(), clock);
  made.push(inSchema);
  return inSchema.storage;
});
