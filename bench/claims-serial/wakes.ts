/**
 * Wakes: how many claims a queued job costs with R started workers, each on its own replica (its own pool and
 * listening connection), when every commit wakes every worker (before issue 60) beside one idle worker woken a job.
 *
 *   node --conditions=@panelkit/source --import tsx bench/claims-serial/wakes.ts [--replicas 1,2,4] [--jobs 200]
 *
 * Runs against PANELKIT_TEST_DATABASE_URL, in fresh schemas, all replicas in this process. `every` strips
 * `ClaimRequest.awaitWakeMs` from the workers' claims, so no worker counts idle and every commit tells every worker
 * (what happened before); `one` passes it. Jobs are queued one commit at a time, each after the last one ran, so
 * every commit finds the workers asleep; the workers poll once a minute, so every job ran on a wake. Prints claims a
 * job (empty ones apart), the median time from the commit to the job's handler, and this process's CPU a job.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createPanelkit, defineHostJob } from '@panelkit/sdk';
import { JsonObjectSchema } from '@panelkit/sdk/schemas';
import type { StoragePort } from '@panelkit/sdk/storage';
import { createPostgresStorage, fromPgPool, migrate } from '@panelkit/storage-postgres';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    replicas: { type: 'string', default: '1,2,4' },
    jobs: { type: 'string', default: '200' },
  },
});
const replicaCounts = values.replicas.split(',').map(Number);
const jobs = Number(values.jobs);
const url = process.env['PANELKIT_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Figures {
  claims: number;
  empty: number;
  medianMs: number;
  cpuMs: number;
}

async function run(mode: 'every' | 'one', replicas: number): Promise<Figures> {
  const schema = `pk_bench_wakes_${randomBytes(4).toString('hex')}`;
  const pools = Array.from({ length: replicas + 1 }, () => new pg.Pool({ connectionString: url, max: 2 }));
  await migrate(fromPgPool(pools[0]!), { schema });
  const writer = createPostgresStorage({ client: fromPgPool(pools[0]!), schema });
  let claims = 0;
  let empty = 0;
  const ran = new Map<string, number>();
  let heard: (() => void) | undefined;
  const job = defineHostJob({
    type: 'bench.wake',
    payload: JsonObjectSchema,
    async run(_payload, { job }) {
      ran.set(job.id, performance.now());
      heard?.();
    },
  });
  const storages: StoragePort[] = [];
  const workers = pools.slice(1).map((pool) => {
    const storage = createPostgresStorage({ client: fromPgPool(pool), schema });
    storages.push(storage);
    const counted: StoragePort = new Proxy(storage, {
      get(target, property) {
        if (property !== 'jobs') return Reflect.get(target, property, target);
        return {
          ...target.jobs,
          claim: async (request: Parameters<StoragePort['jobs']['claim']>[0]) => {
            const { awaitWakeMs, ...rest } = request;
            const claimed = await target.jobs.claim(mode === 'one' ? request : rest);
            claims++;
            if (claimed.length === 0) empty++;
            return claimed;
          },
        };
      },
    });
    const kit = createPanelkit({
      storage: counted,
      panels: () => {
        throw new Error('host jobs only');
      },
      policy: { identity: { secret: 'bench-wakes-secret-0123456789', prefix: 'pk' } },
    });
    return kit.createWorker({ hostJobs: [job], engineJobs: false, pollIntervalMs: 60_000 });
  });
  for (const w of workers) w.start();
  // Every worker has made its first claims and sleeps: a few quiet moments after start.
  await new Promise((done) => setTimeout(done, 1000));
  const [claimsBefore, emptyBefore] = [claims, empty];
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < jobs; i++) {
    const { job: queued } = await writer.jobs.enqueue({ type: 'bench.wake', payload: {} });
    const committed = performance.now();
    await new Promise<void>((done) => {
      heard = () => ran.has(queued.id) && done();
      heard();
    });
    latencies.push(ran.get(queued.id)! - committed);
    // The taker's next claim (it finds nothing and sleeps again) before the next commit.
    await new Promise((done) => setTimeout(done, 20));
  }
  const used = process.cpuUsage(cpu);
  await Promise.all(workers.map((w) => w.stop()));
  for (const s of [writer, ...storages]) await s.close();
  await pools[0]!.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await Promise.all(pools.map((p) => p.end()));
  latencies.sort((a, b) => a - b);
  return {
    claims: (claims - claimsBefore) / jobs,
    empty: (empty - emptyBefore) / jobs,
    medianMs: latencies[Math.floor(latencies.length / 2)]!,
    cpuMs: (used.user + used.system) / 1000 / jobs,
  };
}

console.log(
  `wakes: ${jobs} jobs queued one commit at a time; every = each commit wakes every worker (before), one = one idle worker a job\n`,
);
for (const replicas of replicaCounts) {
  for (const mode of ['every', 'one'] as const) {
    const f = await run(mode, replicas);
    console.log(
      `  ${String(replicas)} replica(s)  ${mode.padEnd(5)}  ${f.claims.toFixed(2)} claims a job (${f.empty.toFixed(2)} empty)  ` +
        `commit→handler median ${f.medianMs.toFixed(2)} ms  this process's CPU ${f.cpuMs.toFixed(2)} ms a job`,
    );
  }
}
