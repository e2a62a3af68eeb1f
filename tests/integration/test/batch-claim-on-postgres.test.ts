/**
 * Batch keys across OS processes (issue 34): four replicas claim at once from one PostgreSQL schema that
 * holds a checkout-like queue, 20 targets' provisioning jobs interleaved in claim order (4 of the targets'
 * jobs also carry a serialisation key, as on a 3x-ui Gen A inbound) and jobs without a batch key among
 * them. Each replica claims `limit` 25 with `batchLimit` 10 until nothing is left. No job is claimed
 * twice, every job is claimed and completed, no claim holds more than 25 jobs or 10 of one key, and a
 * key's jobs land together.
 */
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';
import { describe, expect, it } from 'vitest';
import type { ClaimRecord, ClaimReplicaConfig } from './support/replicas/claim-replica.js';
import { startReplica } from './support/replicas/process.js';
import { DATABASE_URL, SKIP_REASON, useMigratedSchema } from './support/replicas/postgres-rig.js';

const CLAIM_REPLICA = new URL('./support/replicas/claim-replica.ts', import.meta.url);
const TARGETS = 20;
const PER_TARGET = 30;
const WITHOUT_KEY = 60;
const LIMIT = 25;
const BATCH_LIMIT = 10;

describe.skipIf(SKIP_REASON !== false)(
  `claims by batch key across processes${SKIP_REASON === false ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    const { schema, pool, replicas } = useMigratedSchema('pk_batch');

    it('four processes claiming at once: each job once, a key’s jobs together, at most batchLimit of a key a claim', {
      timeout: 120_000,
    }, async () => {
      const storage = createPostgresStorage({ client: fromPgPool(pool()), schema });
      const total = TARGETS * PER_TARGET + WITHOUT_KEY;
      const start = Date.now() - 60 * 60_000;
      // Every 11th job has no batch key; the others go round the targets, so a window of 25 holds ~1 of each.
      let keyed = 0;
      for (let i = 0; i < total; i++) {
        const target = i % 11 === 0 ? null : keyed++ % TARGETS;
        await storage.jobs.enqueue({
          type: 'batch.job',
          batchKey: target === null ? null : `batch:t${target}`,
          serialKey: target !== null && target < 4 ? `serial:t${target}` : null,
          runAt: new Date(start + i),
        });
      }
      expect(keyed).toBe(TARGETS * PER_TARGET);

      replicas.push(
        ...(await Promise.all(
          ['a', 'b', 'c', 'd'].map((name) =>
            startReplica(`claimer-${name}`, CLAIM_REPLICA, { databaseUrl: DATABASE_URL!, schema } satisfies ClaimReplicaConfig),
          ),
        )),
      );
      expect(new Set(replicas.map((r) => r.pid)).size).toBe(4);
      const results = await Promise.all(
        replicas.map((r) => r.call<{ claims: ClaimRecord[]; refused: number }>('claimUntilEmpty', LIMIT, BATCH_LIMIT, 20, 20)),
      );

      const claims = results.flatMap((r) => r.claims);
      const claimedIds = claims.flatMap((c) => c.map((j) => j.id));
      expect(results.map((r) => r.refused)).toEqual([0, 0, 0, 0]);
      expect(claimedIds).toHaveLength(total);
      expect(new Set(claimedIds).size).toBe(total);
      // A succeeded job leaves the queue's table for `succeeded_jobs` (migration 32).
      const { rows } = await pool().query(`SELECT state, count(*)::int AS n FROM ${schema}.jobs GROUP BY state`);
      expect(rows).toEqual([]);
      const succeeded = await pool().query(`SELECT count(*)::int AS n FROM ${schema}.succeeded_jobs`);
      expect(succeeded.rows).toEqual([{ n: total }]);

      // Groups: a claim's jobs of one key.
      const groups: number[] = [];
      for (const claim of claims) {
        expect(claim.length).toBeLessThanOrEqual(LIMIT);
        const perKey = new Map<string, number>();
        for (const { batchKey } of claim) if (batchKey !== null) perKey.set(batchKey, (perKey.get(batchKey) ?? 0) + 1);
        for (const n of perKey.values()) expect(n).toBeLessThanOrEqual(BATCH_LIMIT);
        groups.push(...perKey.values());
      }
      const mean = keyed / groups.length;
      // Claimed by claim order alone, a claim of 25 holds ~1.1 jobs of each of the 20 keys.
      expect(mean, `${claims.length} claims, ${groups.length} groups of a key`).toBeGreaterThanOrEqual(BATCH_LIMIT / 2);
    });
  },
);
