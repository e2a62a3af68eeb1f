/**
 * The link's one statement alone (`linkTokens.scopeRefreshingDevice`), on a schema bench/sublink kept (`--keep`):
 * its text and parameters as storage-postgres builds them, sent as the storage sends them (a named, prepared
 * statement) for `--count` buyers from `--from` in a random order, on `--connections` connections at once (the shop's
 * pool: 10), with its backends' CPU (/proc/<pid>/schedstat, to the nanosecond) and the wall time a statement, the
 * server's WAL meanwhile (every session's), and the `devices` rows updated and how many of them HOT. Before the run
 * the devices asked are put back as seen in 2020 (`--mode write`: each statement writes its refresh, as bench/sublink's
 * `on` steps do) or a moment ago (`read`: each is spared its write), and the table rewritten (`VACUUM FULL`: pages
 * filled as bench/sublink seeds them); `--mode off`: the link's read without a device (`scopeWithSubscriptions`).
 * `--checkpoint`: a `CHECKPOINT` first (each page's first write after it logs the whole page); `--text FILE`: another
 * text timed in its place with the same parameters (`{{schema}}` for the schema; `--print` writes the storage's);
 * `--async-commit`: the senders' sessions with `synchronous_commit = off`; `--explain`: one statement's
 * `EXPLAIN (ANALYZE, BUFFERS, WAL)` after the timed ones.
 *
 *   node --conditions=@panelkit/source --import tsx bench/sublink/refresh-statement.ts --schema bench_sublink_x \
 *     [--mode write|read|off] [--from 0] [--count 2000] [--connections 1] [--checkpoint] [--text FILE] [--print] \
 *     [--async-commit] [--explain]
 */
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { parseDeviceHeaders } from '../../packages/sdk/src/index.js';
import { scopeRefreshingDevice } from '../../packages/storage-postgres/src/repositories/link-device-refresh.js';
import { linkTokenRepository } from '../../packages/storage-postgres/src/repositories/link-tokens.js';
import { headersFor } from './app-headers.js';

const { values } = parseArgs({
  options: {
    server: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    schema: { type: 'string' },
    mode: { type: 'string', default: 'write' },
    from: { type: 'string', default: '0' },
    count: { type: 'string', default: '2000' },
    explain: { type: 'boolean', default: false },
    connections: { type: 'string', default: '1' },
    /** A `CHECKPOINT` right before the timed statements: each page's first write after it logs the whole page. */
    checkpoint: { type: 'boolean', default: false },
    /** Another text to time in its place (same parameters; `{{schema}}` for the schema), e.g. a candidate rewrite. */
    text: { type: 'string' },
    /** Print the statement's text and stop. */
    print: { type: 'boolean', default: false },
    /** The senders' sessions with `synchronous_commit = off` (what the write would cost without waiting for its flush). */
    'async-commit': { type: 'boolean', default: false },
  },
});
if (values.schema === undefined || !/^bench_[a-z0-9_]{1,30}$/.test(values.schema)) throw new Error('--schema bench_…');
const schema = `"${values.schema}"`;
const FROM = Number(values.from);
const COUNT = Number(values.count);
const SECRET = 'bench-sublink-secret-bench-sublink-secret';

type Query = (text: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;
const pg = createRequire(new URL('../../examples/shop/package.json', import.meta.url))('pg') as {
  Client: new (url: string) => { connect(): Promise<void>; end(): Promise<void>; query: Query };
};
const open = async () => {
  const client = new pg.Client(values.server);
  await client.connect();
  return { client, pid: Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0]!['pid']) };
};
const { client: db } = await open();
/** The connections the statements are sent on, each one after another (bench/sublink's shop: a pool of 10). */
const senders = await Promise.all(Array.from({ length: Number(values.connections) }, open));
if (values['async-commit']) for (const { client } of senders) await client.query('SET synchronous_commit = off');

// The statement's text and parameters, captured from the repository with a runner that only records them.
let captured: { text: string; params: unknown[] } | null = null;
const recorder = {
  run: async (_name: string, fn: (tx: { db: { query: Query }; now: Date }) => Promise<unknown>) =>
    fn({
      db: {
        query: async (text: string, params: unknown[] = []) => {
          captured = { text, params };
          return { rows: [] };
        },
      },
      now: new Date(),
    }),
};
const context = { runner: recorder, schema, secretBox: undefined } as never;
const read = scopeRefreshingDevice(context);
const readOff = linkTokenRepository(context).scopeWithSubscriptions;
const statementFor = async (i: number, seenAfter: Date) => {
  const customerId = `cus_bench_${i}`;
  const nonce = createHash('sha256').update(`nonce:${customerId}`).digest('base64url').slice(0, 22);
  const token = createHmac('sha256', SECRET).update(`subscription-link:${customerId}:${nonce}`).digest('base64url').slice(0, 32);
  const device = parseDeviceHeaders(headersFor('on', i, i % 2 === 0 ? 'a' : 'b'));
  if (values.mode === 'off') {
    await readOff(createHash('sha256').update(token).digest('hex'), { limit: 100 });
    return captured!;
  }
  await read(createHash('sha256').update(token).digest('hex'), {
    limit: 100,
    statuses: ['active', 'limited'],
    device: { ...device, hwid: device.hwid! },
    seenAfter,
  });
  return captured!;
};

const write = values.mode === 'write';
// Put the devices asked back as seen in 2020 (write) or a moment ago (read), then let autovacuum's work settle.
await db.query(`UPDATE ${schema}.devices SET last_seen_at = $1 WHERE subscription_id = ANY($2::text[])`, [
  write ? new Date('2020-01-01T00:00:00Z') : new Date(),
  Array.from({ length: COUNT }, (_, k) => `sub_bench_${FROM + k}`),
]);
// `VACUUM FULL`: the table rewritten as bench/sublink seeds it (each page filled to the table's fillfactor), so no
// refresh finds room left by the reset's old row versions.
await db.query(`VACUUM FULL ${schema}.devices`);
await db.query(`ANALYZE ${schema}.devices`);
const updates = async () => {
  const { rows } = await db.query(
    `SELECT n_tup_upd AS upd, n_tup_hot_upd AS hot FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'devices'`,
    [values.schema],
  );
  return { upd: Number(rows[0]!['upd']), hot: Number(rows[0]!['hot']) };
};
await db.query('SELECT pg_stat_clear_snapshot()');
const updatesBefore = await updates();
const seenAfter = new Date(Date.now() - 3_600_000);
const runStarted = new Date();
const other = values.text === undefined ? undefined : readFileSync(values.text, 'utf8').replaceAll('{{schema}}', schema);
if (values.print) {
  console.log((await statementFor(FROM, seenAfter)).text);
  process.exit(0);
}
// One after another: each capture is the last statement recorded.
const statements: Array<{ text: string; params: unknown[] }> = [];
for (let k = 0; k < COUNT; k++) {
  const { text, params } = await statementFor(FROM + k, seenAfter);
  statements.push({ text: other ?? text, params });
}
// In a random order, as the apps ask (buyers spread over the table's pages).
for (let k = statements.length - 1; k > 0; k--) {
  const j = Math.floor(Math.random() * (k + 1));
  [statements[k], statements[j]] = [statements[j]!, statements[k]!];
}
if (values.checkpoint) await db.query('CHECKPOINT');
const walBefore = (await db.query('SELECT pg_current_wal_insert_lsn() AS lsn')).rows[0]!['lsn'] as string;
/** CPU seconds a backend has run, to the nanosecond (/proc's schedstat: the scheduler's own count, not ticks). */
const ranSeconds = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
const cpuOf = () => senders.reduce((sum, { pid }) => sum + ranSeconds(pid), 0);
const cpuBefore = cpuOf();
const started = performance.now();
let written = 0;
let next = 0;
await Promise.all(
  senders.map(async ({ client }) => {
    while (next < statements.length) {
      const { text, params } = statements[next++]!;
      const { rows } = await client.query(
        { name: other === undefined ? 'bench_link_refresh' : 'bench_link_other', text, values: params } as never,
        undefined,
      );
      if (rows[0]?.['id'] == null || (values.mode !== 'off' && rows[0]['dv_id'] == null)) throw new Error('no device in the answer');
      if (values.mode !== 'off' && new Date(rows[0]['dv_last_seen_at'] as string).getTime() >= runStarted.getTime()) written += 1;
    }
  }),
);
const wallMs = performance.now() - started;
const cpuMs = (cpuOf() - cpuBefore) * 1000;
const walBytes = Number(
  (await db.query('SELECT pg_current_wal_insert_lsn() - $1::pg_lsn AS bytes', [walBefore])).rows[0]!['bytes'] as string,
);
const plans = (await senders[0]!.client.query('SELECT generic_plans, custom_plans FROM pg_prepared_statements')).rows;
console.log(`prepared as the storage sends it: ${JSON.stringify(plans)}`);
// The statistics reach the view once the backend reports them (at most a second later, on the next idle).
await new Promise((resolve) => setTimeout(resolve, 1500));
await db.query('SELECT pg_stat_clear_snapshot()');
const updatesAfter = await updates();
console.log(`devices: ${updatesAfter.upd - updatesBefore.upd} rows updated, ${updatesAfter.hot - updatesBefore.hot} of them HOT`);
console.log(
  `${values.mode}: ${COUNT} statements on ${senders.length} connections, ${written} written; backend CPU ${(cpuMs / COUNT).toFixed(3)} ms, wall ${(wallMs / COUNT).toFixed(3)} ms a statement; ` +
    `the server's WAL meanwhile (every session's) ${(walBytes / COUNT / 1024).toFixed(1)} KB a statement`,
);
if (values.explain) {
  const { text, params } = statements[0]!;
  if (write) await db.query(`UPDATE ${schema}.devices SET last_seen_at = '2020-01-01' WHERE subscription_id = $1`, [`sub_bench_${FROM}`]);
  const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS, WAL) ${text}`, params);
  console.log(rows.map((r) => r['QUERY PLAN']).join('\n'));
}
await db.end();
for (const { client } of senders) await client.end();
