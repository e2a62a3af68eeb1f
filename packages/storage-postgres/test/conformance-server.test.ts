import { afterAll } from 'vitest';
import { describeStoragePort } from '@panelkit/sdk/testing';
import type pg from 'pg';
import { SKIP_REAL_SERVER, fromPgPool, newPool, storageInFreshSchema } from './helpers.js';

let pool: pg.Pool | undefined;
afterAll(async () => {
  await pool?.end();
});

describeStoragePort(
  'postgres (server)',
  async ({ clock }) => {
    pool ??= newPool(8);
    return storageInFreshSchema(fromPgPool(pool), clock);
  },
  { skip: SKIP_REAL_SERVER },
);
