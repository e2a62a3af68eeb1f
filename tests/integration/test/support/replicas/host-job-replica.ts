/**
 * A replica module (see `process.ts`) for host jobs: one process's pool, PostgreSQL storage, engine and
 * worker running one host job type whose every run writes a row to `host_job_runs` (a table the parent
 * made beside the engine's), so the parent counts how many times each job really ran.
 */
import pg from 'pg';
import { z } from 'zod';
import { createPanelkit, defineHostJob, enqueueHostJob, enqueuePeriodicHostJob } from '@panelkit/sdk';
// Not from `@panelkit/sdk/testing`: this runs in a child process without the vitest runner that entry needs.
import { ManualClock } from '../../../../../packages/sdk/src/testing/manual-clock.js';
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';

/** What the parent passes to a host job replica. */
export interface HostJobReplicaConfig {
  databaseUrl: string;
  schema: string;
  now: string;
  workerId: string;
}

export async function setup(config: HostJobReplicaConfig) {
  const clock = new ManualClock(config.now);
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 4 });
  const storage = createPostgresStorage({ client: fromPgPool(pool), schema: config.schema, clock });
  const kit = createPanelkit({
    storage,
    clock,
    panels: () => {
      throw new Error('no panels in this test');
    },
    policy: { identity: { secret: 'host-job-replica-secret-0123456789', prefix: 'pk' } },
  });
  const record = defineHostJob({
    type: 'it.record',
    payload: z.object({ cause: z.string() }),
    async run(payload, { job }) {
      // A pause between claim and effect widens the window in which another process could run it too.
      await new Promise((resolve) => setTimeout(resolve, 5));
      await pool.query(`INSERT INTO "${config.schema}".host_job_runs (job_id, cause, worker) VALUES ($1, $2, $3)`, [
        job.id,
        payload.cause,
        config.workerId,
      ]);
    },
  });
  const worker = kit.createWorker({ id: config.workerId, claimLimit: 5, hostJobs: [record] });
  return {
    /** Each cause in its own transaction, with the cause as its key (as an event enqueues its notices). */
    enqueue: async (causes: string[]) => {
      let created = 0;
      await Promise.all(
        causes.map(async (cause) => {
          const result = await storage.transaction((tx) => enqueueHostJob(tx, record, { cause }, { key: cause }));
          if (result.created) created++;
        }),
      );
      return created;
    },
    periodic: async (nowIso: string) => {
      const result = await enqueuePeriodicHostJob(storage, record, {
        everyMs: 3_600_000,
        now: new Date(nowIso),
        payload: (slot) => ({ cause: `hourly:${slot.toISOString()}` }),
      });
      return result.enqueued;
    },
    runOnce: () => worker.runOnce(),
    close: async () => {
      await worker.stop({ timeoutMs: 1_000 });
      await storage.close();
      await pool.end();
    },
  };
}
