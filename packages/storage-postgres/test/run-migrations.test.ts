import { ConfigurationError, ConflictError } from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { fromPgPool, runMigrations } from '../src/index.js';
import type { RunMigrationsOptions, SqlClient, VersionedMigration } from '../src/index.js';
import { SKIP_REAL_SERVER, dropSchema, newPool, sharedPGlite, uniqueSchema } from './helpers.js';

/** Three migrations that build `t` step by step; each leaves a trace of its order in `log`. */
const STEPS: readonly VersionedMigration[] = [
  { version: 1, name: 'log', statements: (s) => [`CREATE TABLE ${s}.log (n integer NOT NULL)`, `INSERT INTO ${s}.log VALUES (1)`] },
  { version: 2, name: 't', statements: (s) => [`CREATE TABLE ${s}.t (id integer PRIMARY KEY)`, `INSERT INTO ${s}.log VALUES (2)`] },
  { version: 3, name: 't_note', statements: (s) => [`ALTER TABLE ${s}.t ADD COLUMN note text`, `INSERT INTO ${s}.log VALUES (3)`] },
];

function options(schema: string, migrations = STEPS): RunMigrationsOptions {
  return { schema, table: 'test_migrations', lockKey: `panelkit.test.migrate:${schema}`, migrations };
}

async function logOf(client: SqlClient, schema: string): Promise<number[]> {
  const { rows } = await client.query<{ n: number }>(`SELECT n FROM "${schema}".log ORDER BY n`);
  return rows.map((r) => r.n);
}

describe('runMigrations', () => {
  const pglite = sharedPGlite();
  afterAll(() => pglite.close());

  it('applies the migrations in order, once, and records each with its name and the clock', async () => {
    const client = await pglite.client();
    const schema = uniqueSchema();
    const clock = new ManualClock('2031-01-02T03:04:05.000Z');
    expect(await runMigrations(client, { ...options(schema, STEPS.slice(0, 2)), clock })).toEqual({ from: 0, to: 2, applied: [1, 2] });
    expect(await runMigrations(client, { ...options(schema), clock })).toEqual({ from: 2, to: 3, applied: [3] });
    expect(await runMigrations(client, { ...options(schema), clock })).toEqual({ from: 3, to: 3, applied: [] });
    expect(await logOf(client, schema)).toEqual([1, 2, 3]);
    const { rows } = await client.query(`SELECT version, name, applied_at FROM "${schema}".test_migrations ORDER BY version`);
    expect(rows).toEqual(STEPS.map((m) => ({ version: m.version, name: m.name, applied_at: clock.now() })));
    await dropSchema(client, schema);
  });

  it('refuses a schema newer than its migrations, with the given message, and changes nothing', async () => {
    const client = await pglite.client();
    const schema = uniqueSchema();
    await runMigrations(client, options(schema));
    const older = {
      ...options(schema, STEPS.slice(0, 2)),
      tooNewMessage: (found: number, latest: number) => `at ${found}, know ${latest}`,
    };
    await expect(runMigrations(client, older)).rejects.toSatisfy(
      (e) => ConfigurationError.is(e) && (e as Error).message === 'at 3, know 2',
    );
    expect(await logOf(client, schema)).toEqual([1, 2, 3]);
    await dropSchema(client, schema);
  });

  it('rolls back the whole run when a statement fails', async () => {
    const client = await pglite.client();
    const schema = uniqueSchema();
    const broken: VersionedMigration = {
      version: 4,
      name: 'broken',
      statements: (s) => [`INSERT INTO ${s}.log VALUES (4)`, 'SELECT nope'],
    };
    await expect(runMigrations(client, options(schema, [...STEPS, broken]))).rejects.toThrow();
    const { rows } = await client.query<{ present: unknown }>('SELECT to_regnamespace($1) IS NOT NULL AS present', [schema]);
    expect(rows[0]?.present).toBe(false);
  });

  it('rejects migrations out of order before touching the database', async () => {
    const client = await pglite.client();
    const schema = uniqueSchema();
    await expect(runMigrations(client, options(schema, [STEPS[1]!, STEPS[0]!]))).rejects.toSatisfy((e) => ConfigurationError.is(e));
    await expect(runMigrations(client, options(schema, [STEPS[0]!, STEPS[0]!]))).rejects.toSatisfy((e) => ConfigurationError.is(e));
    const { rows } = await client.query<{ present: unknown }>('SELECT to_regnamespace($1) IS NOT NULL AS present', [schema]);
    expect(rows[0]?.present).toBe(false);
  });

  it('adopts a table from before names were recorded: adds a nullable name, keeps its rows, goes on from its version', async () => {
    const client = await pglite.client();
    const schema = uniqueSchema();
    await client.query(`CREATE SCHEMA "${schema}"`);
    await client.query(`CREATE TABLE "${schema}".test_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL)`);
    for (const statement of STEPS[0]!.statements(`"${schema}"`)) await client.query(statement);
    await client.query(`INSERT INTO "${schema}".test_migrations (version, applied_at) VALUES (1, now())`);
    expect(await runMigrations(client, options(schema))).toEqual({ from: 1, to: 3, applied: [2, 3] });
    expect(await runMigrations(client, options(schema))).toEqual({ from: 3, to: 3, applied: [] });
    const { rows } = await client.query(`SELECT version, name FROM "${schema}".test_migrations ORDER BY version`);
    expect(rows).toEqual([
      { version: 1, name: null },
      { version: 2, name: 't' },
      { version: 3, name: 't_note' },
    ]);
    // A replica of the older release, writing no name, still can.
    await client.query(`INSERT INTO "${schema}".test_migrations (version, applied_at) VALUES (99, now())`);
    expect(await logOf(client, schema)).toEqual([1, 2, 3]);
    await dropSchema(client, schema);
  });
});

/**
 * `client` whose transactions' first `CREATE SCHEMA` is refused with `refusal` the first `times` times, as
 * PostgreSQL refuses a replica whose catalog cache missed the schema another replica created while it waited.
 */
function refusingCreateSchema(client: SqlClient, refusal: object, times: number): { client: SqlClient; attempts: () => number } {
  let attempts = 0;
  const refusing: SqlClient = {
    concurrent: client.concurrent,
    query: (text, params) => client.query(text, params),
    transaction: (fn) =>
      client.transaction((db) => {
        attempts++;
        if (attempts > times) return fn(db);
        return fn({
          query: (text, params) =>
            text.startsWith('CREATE SCHEMA') ? Promise.reject(Object.assign(new Error('refused'), refusal)) : db.query(text, params),
        });
      }),
  };
  return { client: refusing, attempts: () => attempts };
}

describe('runMigrations when another replica changed the catalog meanwhile', () => {
  const pglite = sharedPGlite();
  afterAll(() => pglite.close());
  const staleSchema = { code: '23505', schema: 'pg_catalog', table: 'pg_namespace', constraint: 'pg_namespace_nspname_index' };

  it('runs again in a new transaction when the schema change was refused for a catalog name', async () => {
    const schema = uniqueSchema();
    const { client, attempts } = refusingCreateSchema(await pglite.client(), staleSchema, 2);
    expect(await runMigrations(client, options(schema))).toEqual({ from: 0, to: 3, applied: [1, 2, 3] });
    expect(attempts()).toBe(3);
    expect(await logOf(client, schema)).toEqual([1, 2, 3]);
    await dropSchema(client, schema);
  });

  it('gives up after a few runs, and never runs again for a refusal of its own tables', async () => {
    const schema = uniqueSchema();
    const always = refusingCreateSchema(await pglite.client(), staleSchema, Number.POSITIVE_INFINITY);
    await expect(runMigrations(always.client, options(schema))).rejects.toSatisfy((e) => ConflictError.is(e));
    expect(always.attempts()).toBe(4);
    const own = refusingCreateSchema(await pglite.client(), { code: '23505', schema, table: 'log', constraint: 'log_pkey' }, 1);
    await expect(runMigrations(own.client, options(schema))).rejects.toSatisfy((e) => ConflictError.is(e));
    expect(own.attempts()).toBe(1);
  });
});

/** Separate pools are separate connections, so the advisory lock is really contended. PGlite is one connection. */
describe.skipIf(SKIP_REAL_SERVER !== false)(
  `runMigrations on one PostgreSQL server${SKIP_REAL_SERVER === false ? '' : ` (skipped: ${SKIP_REAL_SERVER})`}`,
  () => {
    const pools: pg.Pool[] = [];
    afterAll(async () => {
      await Promise.all(pools.map((p) => p.end()));
    });

    it('two replicas running at once: each migration is applied once', async () => {
      const schema = uniqueSchema();
      const clients = [newPool(1), newPool(1)].map((p) => {
        pools.push(p);
        return fromPgPool(p);
      });
      const results = await Promise.all(clients.map((client) => runMigrations(client, options(schema))));
      expect(results.flatMap((r) => r.applied).sort((a, b) => a - b)).toEqual([1, 2, 3]);
      expect(results.map((r) => r.to)).toEqual([3, 3]);
      expect(await logOf(clients[0]!, schema)).toEqual([1, 2, 3]);
      await dropSchema(clients[0]!, schema);
    });
  },
);
