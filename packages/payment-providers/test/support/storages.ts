import type { Clock } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { fromPgPool, type SqlClient } from '@panelkit/storage-postgres';
import { afterAll } from 'vitest';
import { newPool, SKIP_REAL_SERVER, storageInFreshSchema } from '../../../storage-postgres/test/helpers.js';

/** A storage a test runs the kit on, and what closes it. */
export interface TestStorage {
  storage: StoragePort;
  cleanup: () => Promise<void>;
}

/** One storage kind the provider tests run on: memory always, the real PostgreSQL server when one is set up. */
export interface StorageKind {
  name: 'memory' | 'postgres';
  /** Why this kind is skipped here (no server), else `false`. */
  skip: string | false;
  make(clock: Clock): Promise<TestStorage>;
}

let pool: ReturnType<typeof newPool> | null = null;
let client: SqlClient | null = null;
afterAll(async () => {
  await pool?.end();
  pool = null;
  client = null;
});

/** Memory and PostgreSQL (a fresh schema per test, dropped afterwards), for `describe.each`/`for` over both. */
export const STORAGE_KINDS: readonly StorageKind[] = [
  {
    name: 'memory',
    skip: false,
    make: async (clock) => {
      const storage = createMemoryStorage({ clock });
      return { storage, cleanup: async () => undefined };
    },
  },
  {
    name: 'postgres',
    skip: SKIP_REAL_SERVER,
    make: async (clock) => {
      if (client === null) {
        pool = newPool(4);
        client = fromPgPool(pool);
      }
      return storageInFreshSchema(client, clock);
    },
  },
];
