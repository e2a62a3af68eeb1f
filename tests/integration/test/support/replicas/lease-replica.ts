/**
 * A replica module (see `process.ts`) whose system clock is off by `skewMs`: `Date` itself is shifted in
 * this process, as on a host whose clock drifted, and the storage is built with its defaults (the system
 * clock). Its commands are the job-lease calls of `StoragePort.jobs`.
 */
import pg from 'pg';
import type { Lease } from '@panelkit/sdk';
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';
import { skewDate } from './skewed-date.js';

/** What the parent passes to a lease replica. */
export interface LeaseReplicaConfig {
  databaseUrl: string;
  schema: string;
  /** How far this process's clock is off, in ms (positive: ahead). */
  skewMs: number;
  /** `PostgresStorageOptions.leaseClock`; absent: the storage's default. */
  leaseClock?: 'database' | 'clock';
}

export async function setup(config: LeaseReplicaConfig) {
  skewDate(config.skewMs);
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
  const storage = createPostgresStorage({
    client: fromPgPool(pool),
    schema: config.schema,
    ...(config.leaseClock === undefined ? {} : { leaseClock: config.leaseClock }),
  });
  return {
    now: async () => new Date().toISOString(),
    claim: async (type: string, leaseMs: number): Promise<Lease | null> => {
      const [claimed] = await storage.jobs.claim({ workerId: `skew${config.skewMs}`, limit: 1, leaseMs, types: [type] });
      return claimed === undefined ? null : claimed.lease;
    },
    heartbeat: async (lease: Lease, leaseMs: number) => (await storage.jobs.heartbeat([lease], leaseMs)).length,
    complete: (lease: Lease) => storage.jobs.complete(lease),
    reap: () => storage.jobs.reapExpired(),
    close: async () => void (await pool.end()),
  };
}
