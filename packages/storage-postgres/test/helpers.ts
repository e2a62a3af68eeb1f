import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { deriveRemoteIdentity } from '@panelkit/sdk';
import type { Clock, Customer, NewSubscription, Panel, Plan, SecretBox, Target } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import { createPostgresStorage, fromPGlite, fromPgPool } from '../src/index.js';
import type { SqlClient } from '../src/index.js';
import { schemaEmptier } from './support/emptying-statements.js';
import { pgliteTemplate } from './support/pglite-template.js';
import { migratedSchemaFor } from './support/schema-pool.js';

/** The real server, when the environment names one (`.ci/run` always does). */
export const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
export const SKIP_REAL_SERVER = DATABASE_URL === undefined || DATABASE_URL === '' ? 'PANELKIT_TEST_DATABASE_URL is not set' : false;

/** A schema name no other test or file uses. */
export function uniqueSchema(): string {
  return `pk_test_${randomBytes(6).toString('hex')}`;
}

export function newPool(max = 4): pg.Pool {
  if (DATABASE_URL === undefined) throw new Error('PANELKIT_TEST_DATABASE_URL is not set');
  return new pg.Pool({ connectionString: DATABASE_URL, max });
}

/**
 * Every statement text the pool's connections are sent from now on, one a round trip (`Client.query`), in order, its
 * whitespace runs squashed to one space (`BEGIN` included when sent alone).
 */
export function recordStatements(pool: pg.Pool): string[] {
  const sent: string[] = [];
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0] as string | { text?: string };
      sent.push((typeof first === 'string' ? first : (first.text ?? '')).replace(/\s+/g, ' ').trim());
      return query(...args);
    };
  });
  return sent;
}

/** A storage on a migrated test schema, and what to do with the schema when the test ends. */
export interface StorageInSchema {
  storage: StoragePort;
  schema: string;
  cleanup: () => Promise<void>;
}

/** A storage on `schema`; its `cleanup` closes it, then runs `afterClose` (drop or empty the schema). */
function storageIn(
  client: SqlClient,
  schema: string,
  clock: Clock,
  secretBox: SecretBox | undefined,
  afterClose: () => Promise<void>,
): StorageInSchema {
  const storage = createPostgresStorage({ client, schema, clock, ...(secretBox === undefined ? {} : { secretBox }) });
  return {
    storage,
    schema,
    cleanup: async () => {
      await storage.close();
      await afterClose();
    },
  };
}

/**
 * A migrated storage in a schema of its own: on the real server one taken from the pool of migrated schemas
 * (`takeMigratedSchema`), given back by `cleanup`; on PGlite a fresh schema, dropped by `cleanup`.
 */
export async function storageInFreshSchema(client: SqlClient, clock: Clock, secretBox?: SecretBox): Promise<StorageInSchema> {
  const { schema, giveBack } = await migratedSchemaFor(client, clock);
  return storageIn(client, schema, clock, secretBox, giveBack);
}

/**
 * Migrated schemas that a file's tests take in turn: when a test ends its schema is emptied and the
 * next test gets it, instead of each test migrating a schema of its own and dropping it (about 120 ms
 * on PGlite; emptying: see `schemaEmptier`). The storage conformance suites run about 200 tests
 * each. `dropAll` (after the file) drops every schema, or on the real server gives it back to the pool.
 */
export function recycledSchemas(client: SqlClient): {
  storage(clock: Clock, secretBox?: SecretBox): Promise<StorageInSchema>;
  dropAll(): Promise<void>;
} {
  /** Schemas ready for a test, each with what empties it (read from the catalog once). */
  const free: Array<{ schema: string; empty: (client: SqlClient) => Promise<void> }> = [];
  /** What `dropAll` does with each schema: on the real server, give it back to the pool of migrated schemas. */
  const all: Array<() => Promise<void>> = [];
  return {
    storage: async (clock, secretBox) => {
      let taken = free.pop();
      if (taken === undefined) {
        const { schema, giveBack } = await migratedSchemaFor(client, clock);
        all.push(giveBack);
        taken = { schema, empty: await schemaEmptier(client, schema) };
      }
      const { schema, empty } = taken;
      return storageIn(client, schema, clock, secretBox, async () => {
        await empty(client);
        free.push({ schema, empty });
      });
    },
    dropAll: async () => {
      for (const release of all.splice(0)) await release();
      free.length = 0;
    },
  };
}

export async function dropSchema(client: SqlClient, schema: string): Promise<void> {
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/** One PGlite database for a whole test file (starting one takes seconds); tests get schemas in it. */
export function sharedPGlite(): { client: () => Promise<SqlClient>; close: () => Promise<void> } {
  let db: PGlite | undefined;
  let client: SqlClient | undefined;
  return {
    client: async () => {
      if (client === undefined) {
        const template = pgliteTemplate();
        db = await PGlite.create(template === undefined ? {} : { loadDataDir: template });
        client = fromPGlite(db);
      }
      return client;
    },
    close: async () => {
      await db?.close();
    },
  };
}

export { fromPgPool };

/**
 * Storages for a file whose tests each take one on a shared PGlite database and are done with it by the time the next
 * is asked for: one migrated schema, emptied and handed on (`recycledSchemas`; the storage before is closed first),
 * instead of a schema migrated (and its statements prepared again) for each. On PGlite a migration costs more than a
 * short case's own statements. `close` (after the file) closes the last storage and the database.
 */
export function storagesInTurn(): {
  storage(clock: Clock, secretBox?: SecretBox): Promise<StorageInSchema>;
  close(): Promise<void>;
} {
  const pglite = sharedPGlite();
  let schemas: ReturnType<typeof recycledSchemas> | undefined;
  let current: StorageInSchema | undefined;
  const release = async () => {
    const done = current;
    current = undefined;
    await done?.cleanup();
  };
  return {
    storage: async (clock, secretBox) => {
      await release();
      schemas ??= recycledSchemas(await pglite.client());
      current = await schemas.storage(clock, secretBox);
      return current;
    },
    close: async () => {
      await release();
      await schemas?.dropAll();
      await pglite.close();
    },
  };
}

/** What a subscription needs before it can be stored: a panel, a target on it, a plan and a customer. */
export interface SaleCatalog {
  readonly panel: Panel;
  readonly target: Target;
  readonly plan: Plan;
  readonly customer: Customer;
}

/** Stores a Marzban panel with one vless target, a 30-day plan at 1 USD and a customer. */
export async function seedSaleCatalog(storage: StoragePort): Promise<SaleCatalog> {
  const panel = await storage.panels.create({
    kind: 'marzban',
    name: 'p',
    baseUrl: 'https://p.example.com',
    credentials: { type: 'token', token: 't' },
  });
  const target = await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 't', protocol: 'vless' });
  const plan = await storage.plans.create({
    name: 'plan',
    family: 'f',
    price: { amount: 1, currency: 'USD' },
    durationDays: 30,
    trafficBytes: null,
  });
  const customer = await storage.customers.create({ email: 'c@example.com' });
  return { panel, target, plan, customer };
}

/** A pending 30-day subscription `id` of the catalog's customer on its target, as `subscriptions.create` takes it. */
export function pendingSubscriptionInput(
  catalog: SaleCatalog,
  id: string,
  extra: Partial<NewSubscription> = {},
): NewSubscription & { id: string } {
  return {
    id,
    customerId: catalog.customer.id,
    orderId: null,
    planId: catalog.plan.id,
    panelId: catalog.panel.id,
    targetId: catalog.target.id,
    remote: deriveRemoteIdentity(id, 0, { secret: 'storage-postgres-test-secret' }),
    trafficLimitBytes: null,
    expiresAt: null,
    durationDays: 30,
    startOnFirstUse: false,
    ...extra,
  };
}
