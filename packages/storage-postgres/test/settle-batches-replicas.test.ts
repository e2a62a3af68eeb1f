import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Lease } from '@panelkit/sdk';
import { bundledEntry } from '../../../scripts/test-support/bundled-entry.js';
import { createPostgresStorage, fromPgPool } from '../src/index.js';
import { DATABASE_URL, SKIP_REAL_SERVER, newPool } from './helpers.js';
import type { Settled } from './support/batch-settler.js';
import { takeMigratedSchema } from './support/schema-pool.js';

const pools: ReturnType<typeof newPool>[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
});

/** A `support/batch-settler.ts` process holding `leases`; `go()` makes it settle them and answers what it settled. */
async function startSettler(schema: string, leases: Lease[], reverse: boolean): Promise<{ go: () => Promise<Settled[]> }> {
  const entry = await bundledEntry(resolve(import.meta.dirname, 'support/batch-settler.ts'));
  const child = fork(entry, [], {
    env: { ...process.env, DATABASE_URL: DATABASE_URL!, SCHEMA: schema },
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = (type: string) =>
    new Promise<{ type: string; settled?: Settled[] }>((done, fail) => {
      const onMessage = (m: { type: string; settled?: Settled[] }) => {
        if (m.type !== type) return;
        child.off('message', onMessage);
        done(m);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => fail(new Error(`the settler exited with ${code} before ${type}`)));
    });
  const ready = next('ready');
  child.send({ type: 'leases', leases, reverse });
  await ready;
  return {
    async go() {
      const answer = next('settled');
      child.send({ type: 'go' });
      return (await answer).settled!;
    },
  };
}

describe.skipIf(SKIP_REAL_SERVER)('batched settling across OS processes (real PostgreSQL)', () => {
  // Two workers' processes settle batches that overlap by half, in opposite orders, each batch a completeMany or a
  // settleMany: every job is settled by exactly one of them, once, and its row is what that one wrote.
  it('two processes settling overlapping batches of the same leases settle each job exactly once', { timeout: 60_000 }, async () => {
    const pool = newPool(2);
    pools.push(pool);
    const client = fromPgPool(pool);
    const { schema, giveBack } = await takeMigratedSchema(client);
    const storage = createPostgresStorage({ client, schema });
    try {
      const TOTAL = 600;
      for (let i = 0; i < TOTAL; i += 300) {
        await storage.jobs.enqueueMany(
          Array.from({ length: 300 }, (_, j) => ({ type: 'test.settle', payload: { n: i + j }, dedupeKey: `settle:${i + j}` })),
        );
      }
      const claimed = [...(await storage.jobs.claim({ workerId: 'w', limit: 1000, leaseMs: 600_000 }))];
      expect(claimed).toHaveLength(TOTAL);
      const leases = claimed.map((c) => c.lease);
      const [a, b] = await Promise.all([startSettler(schema, leases.slice(0, 400), false), startSettler(schema, leases.slice(200), true)]);
      const [byA, byB] = await Promise.all([a.go(), b.go()]);
      const all = [...byA, ...byB];
      expect(all.map((s) => s.jobId).sort()).toEqual(leases.map((l) => l.jobId).sort());
      expect(new Set(all.map((s) => s.jobId)).size).toBe(TOTAL);
      const STATES = { succeeded: 'succeeded', retry: 'queued', dead: 'dead', released: 'queued', parked: 'queued' } as const;
      const attempts = { succeeded: 1, retry: 1, dead: 1, released: 0, parked: 0 } as const;
      const { rows } = await pool.query(`SELECT id, state, attempts, parked_on, lease_token FROM "${schema}".jobs
         UNION ALL SELECT id, 'succeeded', attempts, parked_on, NULL FROM "${schema}".succeeded_jobs`);
      const row = new Map(rows.map((r) => [String(r.id), r]));
      for (const s of all) {
        expect(row.get(s.jobId)).toMatchObject({ state: STATES[s.outcome], attempts: attempts[s.outcome], lease_token: null });
        if (s.outcome !== 'parked') expect(row.get(s.jobId)!.parked_on).toBeNull();
      }
      // Both had jobs of their own to settle, and the overlap went to both sides' batches.
      expect(byA.length).toBeGreaterThanOrEqual(200);
      expect(byB.length).toBeGreaterThanOrEqual(200);
    } finally {
      await storage.close();
      await giveBack();
    }
  });
});
