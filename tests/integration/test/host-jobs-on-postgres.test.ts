/**
 * Issue 31: host jobs across OS processes on one PostgreSQL. Three processes each enqueue the same
 * causes (each cause its own transaction, keyed by the cause) and ask for the same periodic slot, then
 * all run their workers at once. Each cause must give one job and each job run once: one row per job in
 * `host_job_runs`, which every run writes to.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresStorage, fromPgPool, migrate } from '@panelkit/storage-postgres';
import { ManualClock } from '@panelkit/sdk/testing';
import { DATABASE_URL, SKIP_REASON } from './support/replicas/postgres-rig.js';
import { startReplica, type ReplicaProcess } from './support/replicas/process.js';
import type { HostJobReplicaConfig } from './support/replicas/host-job-replica.js';

const START = '2026-03-01T10:20:00.000Z';
const CAUSES = Array.from({ length: 40 }, (_, i) => `event-${i}`);

describe.skipIf(SKIP_REASON !== false)(`host jobs across processes${SKIP_REASON === false ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  it('three processes enqueue the same 40 causes and one hourly slot: 41 jobs, each run once', { timeout: 120_000 }, async () => {
    const schema = `pk_it_${randomBytes(6).toString('hex')}`;
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
    const clock = new ManualClock(START);
    await migrate(fromPgPool(pool), { schema, clock });
    await pool.query(`CREATE TABLE "${schema}".host_job_runs (job_id text NOT NULL, cause text NOT NULL, worker text NOT NULL)`);
    const storage = createPostgresStorage({ client: fromPgPool(pool), schema, clock });
    const replicas: ReplicaProcess[] = [];
    try {
      const module = new URL('./support/replicas/host-job-replica.ts', import.meta.url);
      replicas.push(
        ...(await Promise.all(
          ['a', 'b', 'c'].map((id) =>
            startReplica(`host-${id}`, module, {
              databaseUrl: DATABASE_URL!,
              schema,
              now: START,
              workerId: `host-${id}`,
            } satisfies HostJobReplicaConfig),
          ),
        )),
      );
      expect(new Set(replicas.map((r) => r.pid)).size).toBe(3);

      const created = await Promise.all(replicas.map((r) => r.call<number>('enqueue', CAUSES)));
      expect(created.reduce((a, b) => a + b, 0)).toBe(CAUSES.length);
      const won = await Promise.all(replicas.map((r) => r.call<boolean>('periodic', START)));
      expect(won.filter(Boolean)).toHaveLength(1);

      const claimedBy = [0, 0, 0];
      for (let round = 0; round < 100; round++) {
        const claimed = await Promise.all(replicas.map((r) => r.call<number>('runOnce')));
        for (const [i, n] of claimed.entries()) claimedBy[i]! += n;
        if (claimed.every((n) => n === 0)) break;
      }
      expect(claimedBy.reduce((a, b) => a + b, 0)).toBe(CAUSES.length + 1);
      // The work was shared: more than one process ran some of it.
      expect(claimedBy.filter((n) => n > 0).length).toBeGreaterThan(1);

      const { rows } = await pool.query<{ cause: string; runs: number }>(
        `SELECT cause, count(*)::int AS runs FROM "${schema}".host_job_runs GROUP BY cause ORDER BY cause`,
      );
      expect(rows.filter((r) => r.runs !== 1)).toEqual([]);
      expect(rows.map((r) => r.cause).sort()).toEqual([...CAUSES, 'hourly:2026-03-01T10:00:00.000Z'].sort());
      const succeeded = await storage.jobs.list({ type: 'it.record', state: 'succeeded' }, { limit: 100 });
      expect(succeeded.items).toHaveLength(CAUSES.length + 1);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
      await storage.close();
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    }
  });
});
