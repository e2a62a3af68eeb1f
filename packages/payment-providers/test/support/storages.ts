import { createPanelkit, type Clock, type Panelkit, type PaymentProvider } from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import type { StoragePort } from '@panelkit/sdk/storage';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { fromPgPool, type SqlClient } from '@panelkit/storage-postgres';
import { afterAll, afterEach } from 'vitest';
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

/** A kit on one storage kind with `providers`, and a buyer; what a test of a provider through `kit.payments` starts from. */
export interface KitUnderTest {
  kit: Panelkit;
  storage: StoragePort;
  clock: ManualClock;
  buyer: string;
}

/**
 * For a `describe` over one storage kind: a function making a fresh kit (with a buyer) per call, whose storage is
 * closed (its schema dropped) after the test.
 */
export function kitsOn(kind: StorageKind): (providers: PaymentProvider[]) => Promise<KitUnderTest> {
  const opened: TestStorage[] = [];
  afterEach(async () => {
    for (const done of opened.splice(0)) await done.cleanup();
  });
  return async (providers) => {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const made = await kind.make(clock);
    opened.push(made);
    const { storage } = made;
    const kit = createPanelkit({
      storage,
      clock,
      panels: () => null as never,
      policy: { identity: { secret: 'payment-providers-test-secret-0123456789', prefix: 'pk' } },
      payments: { providers },
    });
    const buyer = (await storage.customers.create({ email: 'buyer@example.com' })).id;
    return { kit, storage, clock, buyer };
  };
}
