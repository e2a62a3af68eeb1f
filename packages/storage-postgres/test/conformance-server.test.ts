import { afterAll } from 'vitest';
import { describeStoragePort } from '@panelkit/sdk/testing';
import type pg from 'pg';
import { createPostgresStorage } from '../src/index.js';
import { SKIP_REAL_SERVER, fromPgPool, newPool, recycledSchemas } from './helpers.js';

let pool: pg.Pool | undefined;
let schemas: ReturnType<typeof recycledSchemas> | undefined;
afterAll(async () => {
  await schemas?.dropAll();
  await pool?.end();
});

describeStoragePort(
  'postgres (server)',
  async ({ clock }) => {
    pool ??= newPool(8);
    schemas ??= recycledSchemas(fromPgPool(pool));
    const underTest = await schemas.storage(clock);
    // Each replica has a pool of its own, as another process would, and does not retry a
    // deadlock: a race that deadlocks fails its test.
    const replicaPools: pg.Pool[] = [];
    return {
      storage: underTest.storage,
      openReplica: async () => {
        const replicaPool = newPool(3);
        replicaPools.push(replicaPool);
        return createPostgresStorage({ client: fromPgPool(replicaPool), schema: underTest.schema, clock, maxAttempts: 1 });
      },
      cleanup: async () => {
        await Promise.all(replicaPools.map((p) => p.end()));
        await underTest.cleanup();
      },
    };
  },
  { skip: SKIP_REAL_SERVER },
);
