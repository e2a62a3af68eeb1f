import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage, fromPgPool, migrate } from '../src/index.js';
import type { SqlClient } from '../src/index.js';
import { DATABASE_URL, newPool, pendingSubscriptionInput, seedSaleCatalog, SKIP_REAL_SERVER, uniqueSchema } from './helpers.js';
import { takeMigratedSchema } from './support/schema-pool.js';

/**
 * Waits until the activity counters of the backend that last wrote `schema` have reached the statistics (PostgreSQL
 * flushes a backend's counters when it goes idle, at most once a second, and an idle backend's within ten): until the migrations' records table counts
 * as many inserts as it holds rows. Read before that, a fresh migration's counters are zeros or not, by timing alone.
 */
async function countersFlushed(client: SqlClient, schema: string): Promise<void> {
  for (let tries = 0; ; tries++) {
    const { rows } = await client.query<{ flushed: boolean }>(
      `SELECT (SELECT n_tup_ins FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'panelkit_migrations')
                  = (SELECT count(*) FROM "${schema}".panelkit_migrations) AS flushed`,
      [schema],
    );
    if (rows[0]?.flushed === true) return;
    if (tries === 300) throw new Error(`the counters of ${schema} did not reach the statistics within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * What a test could see of a schema, its name left out: every relation's kind, size, planner figures and statistics,
 * every column, constraint, index and trigger, every sequence's value, the rows of every table (the migrations'
 * records without their `applied_at`) and the tables' activity counters.
 */
async function seen(client: SqlClient, schema: string): Promise<string[]> {
  await countersFlushed(client, schema);
  const { rows } = await client.query<{ line: string }>(
    `WITH rel AS (SELECT c.* FROM pg_class c WHERE c.relnamespace = $1::text::regnamespace)
     SELECT concat_ws(' ', 'relation', relname, relkind, pg_relation_size(oid), relpages, reltuples, relallvisible,
                      (SELECT count(*) FROM pg_statistic s WHERE s.starelid = rel.oid)) AS line FROM rel
     UNION ALL
     SELECT concat_ws(' ', 'column', rel.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attstattarget)
       FROM pg_attribute a JOIN rel ON rel.oid = a.attrelid WHERE a.attnum > 0 AND NOT a.attisdropped
     UNION ALL
     SELECT concat_ws(' ', 'constraint', conname, replace(pg_get_constraintdef(oid), $1::text || '.', '')) FROM pg_constraint WHERE connamespace = $1::text::regnamespace
     UNION ALL
     SELECT concat_ws(' ', 'index', rel.relname, replace(pg_get_indexdef(i.indexrelid), $1::text || '.', '')) FROM pg_index i JOIN rel ON rel.oid = i.indrelid
     UNION ALL
     SELECT concat_ws(' ', 'trigger', t.tgname, t.tgenabled) FROM pg_trigger t JOIN rel ON rel.oid = t.tgrelid WHERE NOT t.tgisinternal
     UNION ALL
     SELECT concat_ws(' ', 'sequence', sequencename, last_value) FROM pg_sequences WHERE schemaname = $1::text
     UNION ALL
     SELECT concat_ws(' ', 'counters', relname, n_tup_ins, n_tup_upd, n_tup_del, n_live_tup, n_dead_tup, n_mod_since_analyze)
       FROM pg_stat_user_tables WHERE schemaname = $1::text`,
    [schema],
  );
  const tables = await client.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 AND tablename <> 'panelkit_migrations'`,
    [schema],
  );
  const counts = await Promise.all(
    tables.rows.map(async ({ name }) => {
      const { rows: n } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}"."${name}"`);
      return `rows ${name} ${n[0]?.n}`;
    }),
  );
  const { rows: records } = await client.query<{ line: string }>(
    `SELECT version || ' ' || coalesce(name, '') AS line FROM "${schema}".panelkit_migrations ORDER BY version`,
  );
  return [...rows.map((r) => r.line), ...counts, ...records.map((r) => `migration ${r.line}`)].sort();
}

describe.skipIf(SKIP_REAL_SERVER)('the pool of migrated schemas on the real server', () => {
  const pool = newPool(4);
  const client = fromPgPool(pool);
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  /** A pool of this file's own, which no other test file takes from. */
  const tag = `schema-pool-test-${randomBytes(4).toString('hex')}`;
  afterAll(async () => {
    await pool.end();
  });

  it('hands a schema a test wrote to, analysed and ran sequences on back exactly as a fresh migration leaves one', async () => {
    const fresh = uniqueSchema();
    // Migrated on a connection of its own, whose counters are flushed as soon as it is done.
    const migrating = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
    await migrate(fromPgPool(migrating), { schema: fresh, clock });
    await migrating.query('SELECT pg_stat_force_next_flush()');
    await migrating.end();
    const expected = await seen(client, fresh);
    await client.query(`DROP SCHEMA "${fresh}" CASCADE`);

    const first = await takeMigratedSchema(client, { clock, tag });
    expect(await seen(client, first.schema)).toEqual(expected);
    // The test's own connections, closed (their backends gone) before the schema is given back, as `giveBack` asks.
    const used = new pg.Pool({ connectionString: DATABASE_URL, max: 2, application_name: tag });
    const own = fromPgPool(used);
    const storage = createPostgresStorage({ client: own, schema: first.schema, clock });
    const catalog = await seedSaleCatalog(storage);
    for (let i = 0; i < 30; i++) await storage.subscriptions.create(pendingSubscriptionInput(catalog, `sub-${i}`));
    await own.query(`DELETE FROM "${first.schema}".subscriptions WHERE id LIKE 'sub-1%'`);
    await own.query(`SELECT nextval('"${first.schema}".figure_inbox_seq_seq') FROM generate_series(1, 5)`);
    await own.query(`ANALYZE "${first.schema}".customers`);
    await own.query(`ANALYZE "${first.schema}".jobs`);
    await storage.close();
    await used.end();
    for (;;) {
      const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`, [
        tag,
      ]);
      if (rows[0]?.n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await first.giveBack();

    const second = await takeMigratedSchema(client, { clock, tag });
    expect(second.schema).toBe(first.schema);
    expect(await seen(client, second.schema)).toEqual(expected);
    await second.giveBack();
  });

  it('never hands out a schema whose tables a test changed: it is dropped and another made', async () => {
    const first = await takeMigratedSchema(client, { clock, tag });
    await client.query(`ALTER TABLE "${first.schema}".customers ADD COLUMN nickname text`);
    await first.giveBack();
    const second = await takeMigratedSchema(client, { clock, tag });
    expect(second.schema).not.toBe(first.schema);
    const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = $1`, [first.schema]);
    expect(rows[0]?.n).toBe(0);
    await second.giveBack();
  });

  it('hands one spare to one taker at a time, however many take at once', async () => {
    const taken = await Promise.all([1, 2, 3].map(() => takeMigratedSchema(client, { clock, tag })));
    expect(new Set(taken.map((t) => t.schema)).size).toBe(3);
    for (const t of taken) await t.giveBack();
  });

  it('never hands out a spare of other migrations', async () => {
    const other = await takeMigratedSchema(client, { clock, tag: `${tag}-other` });
    await other.giveBack();
    const mine = await takeMigratedSchema(client, { clock, tag });
    expect(mine.schema).not.toBe(other.schema);
    await mine.giveBack();
  });
});
