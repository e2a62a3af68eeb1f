/**
 * What every multi-process test on PostgreSQL sets up the same way: a migrated schema (from the pool of them) on the server at
 * `PANELKIT_TEST_DATABASE_URL`, the parent's storage and shop (plan, target, the simulated panel served on
 * 127.0.0.1), engine replicas started as OS processes against it, and everything closed and given back afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import type { StoragePort } from '@panelkit/sdk/storage';
import { ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage, fromPgPool, migrate } from '@panelkit/storage-postgres';
import { takeMigratedSchema } from '../../../../../packages/storage-postgres/test/support/schema-pool.js';
import type { RunningSimulator } from '@panelkit/panel-adapters/testing';
import type { PanelKindRig } from '../kinds.js';
import { openShop, type Shop } from '../shop.js';
import type { EngineReplicaConfig } from './engine-replica.js';
import { startReplica, type ReplicaProcess } from './process.js';

/** The server the multi-process tests run on, or `undefined` (they skip). */
export const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'] || undefined;
/** Why the multi-process tests skip, or `false` when they run. */
export const SKIP_REASON: string | false = DATABASE_URL === undefined ? 'PANELKIT_TEST_DATABASE_URL is not set' : false;

const ENGINE_REPLICA = new URL('./engine-replica.ts', import.meta.url);
const START = '2026-03-01T00:00:00.000Z';

/** A parent shop on a fresh schema, and the replicas it starts. */
export interface PostgresRig {
  readonly clock: ManualClock;
  readonly schema: string;
  readonly storage: StoragePort;
  readonly shop: Shop;
  /** Starts one engine replica process per name (its worker id), all on this schema and panel. */
  startReplicas(names: readonly string[], config?: Partial<EngineReplicaConfig>): Promise<ReplicaProcess[]>;
  /** Closes the replicas, the shop and the storage, and gives the schema back. */
  close(): Promise<void>;
}

/**
 * Opens the rig for a panel kind. `serve` puts something in front of the simulator (a switch that takes
 * it down); by default the shop serves the simulator itself.
 */
export async function openPostgresRig(
  kind: { label: string; make: (clock: ManualClock) => PanelKindRig },
  options: { serve?: (rig: PanelKindRig) => Promise<RunningSimulator> } = {},
): Promise<PostgresRig> {
  if (DATABASE_URL === undefined) throw new Error('PANELKIT_TEST_DATABASE_URL is not set');
  const clock = new ManualClock(START);
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
  const client = fromPgPool(pool);
  const { schema, giveBack } = await takeMigratedSchema(client, { clock });
  const storage = createPostgresStorage({ client, schema, clock });
  const rig = kind.make(clock);
  const server = options.serve === undefined ? undefined : await options.serve(rig);
  const shop = await openShop({ clock, storage, rig, ...(server === undefined ? {} : { server }) });
  const replicas: ReplicaProcess[] = [];
  return {
    clock,
    schema,
    storage,
    shop,
    async startReplicas(names, config = {}) {
      const started = await Promise.all(
        names.map((name) =>
          startReplica(name, ENGINE_REPLICA, {
            databaseUrl: DATABASE_URL,
            schema,
            kind: kind.label,
            origin: shop.server.origin,
            now: START,
            workerId: name,
            ...config,
          } satisfies EngineReplicaConfig),
        ),
      );
      replicas.push(...started);
      return started;
    },
    async close() {
      await Promise.all(replicas.map((r) => r.close()));
      await shop.close();
      await server?.close();
      await storage.close();
      await giveBack();
      await pool.end();
    },
  };
}

/** A fresh, migrated schema for one `describe` block (see {@link useMigratedSchema}). */
export interface MigratedSchema {
  readonly schema: string;
  /** The parent's pool on the server (2 connections), open from `beforeAll` to `afterAll`. */
  pool(): pg.Pool;
  /** Replica processes the tests start: closed in `afterAll`, before the schema is dropped. */
  readonly replicas: ReplicaProcess[];
}

/**
 * Registers the `beforeAll` that migrates a fresh schema named `<prefix>_<random>` and the `afterAll` that
 * closes the replicas pushed onto `replicas`, drops the schema and ends the pool. Call it inside the
 * `describe` block (skipped with it when there is no server).
 */
export function useMigratedSchema(prefix: string): MigratedSchema {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  const replicas: ReplicaProcess[] = [];
  let pool: pg.Pool | undefined;
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
    await migrate(fromPgPool(pool), { schema });
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    await pool?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool?.end();
  });
  return {
    schema,
    replicas,
    pool() {
      if (pool === undefined) throw new Error('the schema is not migrated yet (use it from a test, not the describe body)');
      return pool;
    },
  };
}
