import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { createPostgresStorage, fromPgPool, migrate } from '@panelkit/storage-postgres';
const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/bench_queue_split', max: 2 });
await migrate(fromPgPool(pool));
const storage = createPostgresStorage({ client: fromPgPool(pool) });
for (let round = 0; round < 3; round++) {
  await pool.query('TRUNCATE panelkit.jobs, panelkit.succeeded_jobs');
  const s = new Session(); s.connect(); await s.post('Profiler.enable'); await s.post('Profiler.setSamplingInterval', { interval: 50 }); await s.post('Profiler.start');
  const c = process.cpuUsage(); const t = performance.now();
  for (let i = 0; i < 20000; i += 1000)
    await storage.jobs.enqueueMany(Array.from({ length: 1000 }, (_, k) => ({ type: 'bench.noop', payload: { n: i + k } })));
  const u = process.cpuUsage(c);
  const { profile } = await s.post('Profiler.stop'); writeFileSync(`/tmp/prof/enq.${round}.cpuprofile`, JSON.stringify(profile));
  console.log(`round ${round}: ${(20000 / (performance.now() - t) * 1000).toFixed(0)}/s, process ${((u.user + u.system) / 20000).toFixed(1)} µs a job`);
}
await storage.close(); await pool.end();
