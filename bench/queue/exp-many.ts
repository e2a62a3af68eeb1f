import pg from 'pg';
import { createPostgresStorage, fromPgPool, migrate } from '@panelkit/storage-postgres';
const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', max: 4 });
const schema = 'qexp_' + Math.random().toString(36).slice(2, 8);
await migrate(fromPgPool(pool), { schema });
const storage = createPostgresStorage({ client: fromPgPool(pool), schema });
const rows = (k: number) => Array.from({ length: 1000 }, (_, i) => ({ type: 'bench.noop', payload: { n: k * 1000 + i } }));
async function time(label: string) {
  const c0 = process.cpuUsage(); const t0 = performance.now();
  for (let k = 0; k < 5; k++) await storage.jobs.enqueueMany(rows(k));
  const c = process.cpuUsage(c0);
  console.log(label, ((performance.now() - t0) / 5).toFixed(1), 'ms a call; node CPU', ((c.user + c.system) / 5000).toFixed(1), 'ms a call');
}
await time('warm');
await time('with trigger');
await pool.query(`ALTER TABLE ${schema}.jobs DISABLE TRIGGER jobs_queued_notify`);
await time('no trigger');
await pool.query(`DROP SCHEMA ${schema} CASCADE`);
await storage.close(); await pool.end();
