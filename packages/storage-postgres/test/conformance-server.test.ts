import { afterAll } from 'vitest';
import { describeStoragePort } from '@panelkit/sdk/testing';
import type pg from 'pg';
import { createPostgresStorage } from '../src/index.js';
import { SKIP_REAL_SERVER, fromPgPool, newPool, storageInFreshSchema } from './helpers.js';

let pool: pg.Pool | undefined;
afterAll(async () => {
  await pool?.end();
});

describeStoragePort(
  'postgres (server)',
  async ({ clock }) => {
    pool ??= newPool(8);
    const underTest = await storageInFreshSchema(fromPgPool(pool), clock);
    // Another replica: its own pool (its own connections) on the same schema.
    const replica = async () => {
      const own = newPool(3);
      const storage = createPostgresStorage({ client: fromPgPool(own), schema: underTest.schema, clock });
      const cleanup = async () => {
        await storage.close();
        await own.end();
      };
      return { storage, cleanup };
    };
    return { ...underTest, replica };
  },
  { skip: SKIP_REAL_SERVER },
);
