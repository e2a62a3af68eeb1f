/**
 * bench/host-jobs: host jobs on PostgreSQL. Enqueues N jobs, each in its own transaction with a cause
 * key (as an event enqueues its notice), then runs them with a no-op handler through one worker and
 * through two workers on two pools; also the same N enqueued again (every key already used: nothing
 * written). Figures: jobs a second for each phase.
 *
 *   PANELKIT_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
 *     node --conditions=@panelkit/source --import tsx bench/host-jobs/main.ts [jobs]
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPanelkit, defineHostJob, enqueueHostJob } from '@panelkit/sdk';
import { JsonObjectSchema } from '@panelkit/sdk/schemas';
import type { StoragePort } from '@panelkit/sdk/storage';
import { createPostgresStorage, fromPgPool, migrate } from '@panelkit/storage-postgres';

const N = Number(process.argv[2] ?? 2_000);
const URL = process.env['PANELKIT_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

let ran = 0;
const noop = defineHostJob({
  type: 'bench.noop',
  payload: JsonObjectSchema,
  async run() {
    ran++;
  },
});

function kitOn(storage: StoragePort) {
  return createPanelkit({
    storage,
    panels: () => {
      throw new Error('no panels');
    },
    policy: { identity: { secret: 'bench-host-jobs-secret-0123456789', prefix: 'pk' } },
  });
}

async function enqueueAll(storage: StoragePort, round: string): Promise<{ ms: number; created: number }> {
  const started = performance.now();
  let created = 0;
  // 8 at a time: a host under load, each cause its own transaction.
  for (let i = 0; i < N; i += 8) {
    const batch = Array.from({ length: Math.min(8, N - i) }, (_, j) =>
      storage.transaction((tx) => enqueueHostJob(tx, noop, { n: i + j }, { key: `${round}:${i + j}` })),
    );
    for (const r of await Promise.all(batch)) if (r.created) created++;
  }
  return { ms: performance.now() - started, created };
}

async function main() {
  const schema = `bench_hj_${randomBytes(4).toString('hex')}`;
  const pools = [new pg.Pool({ connectionString: URL, max: 8 }), new pg.Pool({ connectionString: URL, max: 8 })];
  await migrate(fromPgPool(pools[0]!), { schema });
  const storages = pools.map((pool) => createPostgresStorage({ client: fromPgPool(pool), schema }));
  const kits = storages.map(kitOn);
  const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000)} jobs/s (${Math.round(ms)} ms)`;
  try {
    for (const [label, workers] of [
      ['one worker', 1],
      ['two workers, two pools', 2],
    ] as const) {
      const round = label.replace(/\W+/g, '-');
      const enqueued = await enqueueAll(storages[0]!, round);
      const repeat = await enqueueAll(storages[0]!, round);
      ran = 0;
      const started = performance.now();
      await Promise.all(kits.slice(0, workers).map((kit) => kit.createWorker({ hostJobs: [noop], engineJobs: false }).drain()));
      const runMs = performance.now() - started;
      if (ran !== N || enqueued.created !== N || repeat.created !== 0)
        throw new Error(`counts off: ${ran} ${enqueued.created} ${repeat.created}`);
      console.log(`${label}: enqueue ${rate(N, enqueued.ms)}; repeat enqueue ${rate(N, repeat.ms)}; run ${rate(N, runMs)}`);
    }
  } finally {
    for (const s of storages) await s.close();
    await pools[0]!.query(`DROP SCHEMA "${schema}" CASCADE`);
    for (const p of pools) await p.end();
  }
}

await main();
