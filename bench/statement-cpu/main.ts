/**
 * bench/statement-cpu: this process's CPU a PostgreSQL statement through storage-postgres's driver glue
 * (`fromPgPool`: named statements, booked row decoders, `BEGIN` riding with the first statement) beside two floors,
 * the same statements as named prepared queries of node-postgres: on a bare `pg.Client`, and on a `pg.Pool`.
 *
 * Cases, each statement's text built per call as the repositories build theirs (a template literal around the
 * schema, so a fresh string every call):
 *
 * - `select`: `SELECT * FROM items WHERE id = $1`, one row of 14 columns (text, integers, timestamptz, jsonb).
 * - `claim`: a claim-like CTE of some 1 500 characters (`FOR UPDATE SKIP LOCKED`, then `UPDATE … RETURNING`), one row.
 * - `tx`: a transaction of an `UPDATE` and a `SELECT`, then `COMMIT` (figures are a transaction's, not a statement's):
 *   `fromPgPool` sends `BEGIN` with the first (3 round trips), node-postgres each on its own (4).
 *
 * CPU is `process.cpuUsage()` (user + system, every thread of the process) over `--n` runs one after another,
 * the three alternated `--rounds` times; the medians of the rounds are printed (CPU, its system part, wall), in µs a
 * statement (a transaction for `tx`).
 *
 *   node --conditions=@panelkit/source --import tsx bench/statement-cpu/main.ts [--n 3000] [--rounds 5] [--case select,claim,tx]
 *   (PANELKIT_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test; --schema, default bench_statement_cpu;
 *   --way, some of `pg.Client named,pg.Pool named,fromPgPool`, e.g. one alone under `--cpu-prof`)
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { fromPgPool, type SqlClient } from '@panelkit/storage-postgres';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '5' },
    case: { type: 'string', default: 'select,claim,tx' },
    schema: { type: 'string', default: 'bench_statement_cpu' },
    way: { type: 'string', default: 'pg.Client named,pg.Pool named,fromPgPool' },
  },
});
const N = Number(args.n);
const ROUNDS = Number(args.rounds);
const URL = process.env['PANELKIT_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = args.schema;
const ROWS = 64;

const columns = `id, state, type, priority, attempts, max_attempts, run_at, locked_by, lease_token, lease_expires_at,
  payload, serial_key, created_at, updated_at`;

/** One round's work: runs the case once (one statement, or one transaction for `tx`). */
type Run = (i: number) => Promise<unknown>;

/** How each of the three ways sends a text with values: alone, or as a transaction of several. */
interface Way {
  one(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
  transaction(statements: Array<[string, unknown[]]>): Promise<unknown>;
}

const selectText = () => `SELECT * FROM ${schema}.items WHERE id = $1`;
const claimText = () => `WITH window_jobs AS (
    SELECT i.id, i.ctid, i.serial_key FROM ${schema}.items AS i
    WHERE i.state = 'queued' AND i.run_at <= $1::timestamptz AND i.type = ANY($2::text[])
      AND (i.serial_key IS NULL OR NOT EXISTS (
        SELECT 1 FROM ${schema}.items AS r WHERE r.serial_key = i.serial_key AND r.state = 'running'))
    ORDER BY i.priority, i.run_at, i.id
    LIMIT $3
    FOR UPDATE OF i SKIP LOCKED
  ), picked AS (
    SELECT w.id, w.ctid, w.serial_key FROM window_jobs AS w
    WHERE w.serial_key IS NULL OR w.serial_key NOT IN (
      SELECT k.serial_key FROM ${schema}.items AS k WHERE k.state = 'running' AND k.serial_key IS NOT NULL)
  ), claimed AS (
    UPDATE ${schema}.items AS j SET attempts = j.attempts + 1, locked_by = $4, lease_token = $5::text,
      lease_expires_at = clock_timestamp() + $6::integer * interval '1 millisecond', updated_at = $1::timestamptz
    WHERE j.ctid = ANY (ARRAY(SELECT p.ctid FROM picked AS p WHERE p.serial_key IS NULL))
    RETURNING j.id, j.state, j.type, j.priority, j.attempts, j.max_attempts, j.run_at, j.locked_by, j.lease_token,
      j.lease_expires_at, j.payload, j.serial_key, j.created_at, j.updated_at
  )
  SELECT NULL::text AS pick, NULL AS pick_id, NULL AS pick_key, c.* FROM claimed AS c
  UNION ALL
  SELECT 'keyed', p.id, p.serial_key, n.* FROM picked AS p
    LEFT JOIN (SELECT ${columns} FROM ${schema}.items AS n WHERE false) AS n ON true
  WHERE p.serial_key IS NOT NULL`;
const updateText = () => `UPDATE ${schema}.items SET updated_at = $2::timestamptz, attempts = attempts + 1 WHERE id = $1`;

function runs(way: Way): Record<string, Run> {
  const now = new Date('2026-11-29T08:00:00Z').toISOString();
  return {
    select: (i) => way.one(selectText(), [`job-${i % ROWS}`]),
    claim: (i) => way.one(claimText(), [now, ['bench.a', 'bench.b'], 1, 'worker-1', `token-${i}`, 60_000]),
    tx: (i) =>
      way.transaction([
        [updateText(), [`job-${i % ROWS}`, now]],
        [selectText(), [`job-${i % ROWS}`]],
      ]),
  };
}

/** node-postgres's named query config: the name is the floor's (the storage names a statement by its text's hash). */
const namedQuery = (names: Map<string, string>, text: string, values: unknown[]) => {
  let name = names.get(text);
  if (name === undefined) {
    name = `bench_${names.size}`;
    names.set(text, name);
  }
  return { name, text, values };
};

function bareWay(client: pg.Client): Way {
  const names = new Map<string, string>();
  return {
    one: (text, values) => client.query(namedQuery(names, text, values)),
    async transaction(statements) {
      await client.query('BEGIN');
      for (const [text, values] of statements) await client.query(namedQuery(names, text, values));
      await client.query('COMMIT');
    },
  };
}

function poolWay(pool: pg.Pool): Way {
  const names = new Map<string, string>();
  return {
    one: (text, values) => pool.query(namedQuery(names, text, values)),
    async transaction(statements) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        for (const [text, values] of statements) await client.query(namedQuery(names, text, values));
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    },
  };
}

function storageWay(client: SqlClient): Way {
  return {
    one: (text, values) => client.query(text, values),
    transaction: (statements) =>
      client.transaction(async (db) => {
        for (const [text, values] of statements) await db.query(text, values);
      }),
  };
}

/** µs of this process's CPU (user + system) and of wall a run, over `n` runs one after another. */
async function measure(run: Run, n: number): Promise<{ cpu: number; system: number; wall: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < n; i++) await run(i);
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { cpu: (used.user + used.system) / n, system: used.system / n, wall: (wall * 1000) / n };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function setUp(admin: pg.Client): Promise<void> {
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.query(`CREATE TABLE ${schema}.items (
    id text PRIMARY KEY, state text NOT NULL, type text NOT NULL, priority integer NOT NULL, attempts integer NOT NULL,
    max_attempts integer NOT NULL, run_at timestamptz NOT NULL, locked_by text, lease_token text, lease_expires_at timestamptz,
    payload jsonb NOT NULL, serial_key text, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)`);
  await admin.query(
    `INSERT INTO ${schema}.items
     SELECT 'job-' || g, 'queued', 'bench.a', 0, 0, 25, now() - interval '1 day', NULL, NULL, NULL,
       jsonb_build_object('subscriptionId', 'sub-' || g, 'note', repeat('x', 40)), NULL, now(), now()
     FROM generate_series(0, ${ROWS - 1}) AS g`,
  );
  await admin.query(`CREATE INDEX ON ${schema}.items (priority, run_at, id) WHERE state = 'queued'`);
  // Without statistics the planner takes the claim for costly and compiles it (JIT): tens of ms a run.
  await admin.query(`ANALYZE ${schema}.items`);
}

async function main(): Promise<void> {
  const cases = args.case.split(',');
  const admin = new pg.Client({ connectionString: URL });
  const bare = new pg.Client({ connectionString: URL });
  const floorPool = new pg.Pool({ connectionString: URL, max: 1 });
  const storagePool = new pg.Pool({ connectionString: URL, max: 1 });
  await Promise.all([admin.connect(), bare.connect()]);
  try {
    await setUp(admin);
    const every = {
      'pg.Client named': runs(bareWay(bare)),
      'pg.Pool named': runs(poolWay(floorPool)),
      fromPgPool: runs(storageWay(fromPgPool(storagePool))),
    };
    const chosen = args.way.split(',');
    const ways = Object.fromEntries(Object.entries(every).filter(([way]) => chosen.includes(way)));
    console.log(`n=${N} rounds=${ROUNDS} node ${process.version} load at start ${loadavg()[0]!.toFixed(2)}`);
    console.log('case    | way              | CPU µs | sys µs |  wall | CPU µs of each round');
    for (const name of cases) {
      const results = new Map<string, { cpu: number[]; system: number[]; wall: number[] }>();
      // Warm up each way: JIT, and each statement prepared on its connection.
      for (const [way, run] of Object.entries(ways)) {
        await measure(run[name]!, 500);
        results.set(way, { cpu: [], system: [], wall: [] });
      }
      for (let round = 0; round < ROUNDS; round++) {
        for (const [way, run] of Object.entries(ways)) {
          const { cpu, system, wall } = await measure(run[name]!, N);
          const result = results.get(way)!;
          result.cpu.push(cpu);
          result.system.push(system);
          result.wall.push(wall);
        }
      }
      for (const [way, { cpu, system, wall }] of results) {
        const all = cpu.map((x) => x.toFixed(1)).join(' ');
        const line = `${median(cpu).toFixed(1).padStart(6)} | ${median(system).toFixed(1).padStart(5)} | ${median(wall).toFixed(0).padStart(5)} | ${all}`;
        console.log(`${name.padEnd(7)} | ${way.padEnd(16)} | ${line}`);
      }
    }
    console.log(`load at end ${loadavg()[0]!.toFixed(2)}`);
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await Promise.all([admin.end(), bare.end(), floorPool.end(), storagePool.end()]);
  }
}

await main();
