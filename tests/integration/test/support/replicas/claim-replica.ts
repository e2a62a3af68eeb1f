/**
 * A replica module (see `process.ts`) that claims jobs from one PostgreSQL schema in a loop, as many
 * workers' claims would, and reports every claim it made. Its storage is built with the defaults.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';

/** What the parent passes to a claim replica. */
export interface ClaimReplicaConfig {
  databaseUrl: string;
  schema: string;
}

/** One claim as the replica saw it: each job's id and batch key. */
export type ClaimRecord = { id: string; batchKey: string | null }[];

export async function setup(config: ClaimReplicaConfig) {
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
  const storage = createPostgresStorage({ client: fromPgPool(pool), schema: config.schema });
  const name = process.env['PANELKIT_REPLICA_NAME'] ?? 'claimer';
  return {
    /**
     * Claims (`limit`, `batchLimit`) until `emptyClaims` claims in a row found nothing, holding each
     * claim's leases for `holdMs` before completing them (so claims of the replicas overlap). Returns
     * every claim made, and how many completions were refused (a lost lease; none expected).
     */
    claimUntilEmpty: async (limit: number, batchLimit: number, holdMs: number, emptyClaims: number) => {
      const claims: ClaimRecord[] = [];
      let refused = 0;
      for (let empty = 0; empty < emptyClaims; ) {
        const claimed = await storage.jobs.claim({ workerId: name, limit, batchLimit, leaseMs: 60_000 });
        if (claimed.length === 0) {
          empty++;
          await sleep(5);
          continue;
        }
        empty = 0;
        claims.push(claimed.map(({ job }) => ({ id: job.id, batchKey: job.batchKey })));
        await sleep(holdMs);
        for (const { lease } of claimed) if (!(await storage.jobs.complete(lease))) refused++;
      }
      return { claims, refused };
    },
    close: async () => void (await pool.end()),
  };
}
