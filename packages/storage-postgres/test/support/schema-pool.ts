import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { Clock } from '@panelkit/sdk';
import { migrate } from '../../src/index.js';
import type { SqlClient, SqlQueryable } from '../../src/index.js';

/**
 * Migrated schemas shared by every test file and process on one PostgreSQL database, kept in the database itself
 * (`panelkit_test_pool.spares`). Migrating a fresh schema cost 0.55 s of CPU (client and server) for the engine's
 * tables and 0.25 s more for the shop's, and dropping it 0.1 s; taking a spare back to a fresh migration's state cost
 * 0.05 s when its tables were never written, 0.15-0.2 s when they were (truncating a table truncates every table whose
 * foreign keys point at it), on a loaded 2-core machine. A spare is:
 * - taken by one caller at a time: claimed with `FOR UPDATE SKIP LOCKED` and marked taken, so parallel test workers
 *   and processes never share one (a caller passes its name on to its replica processes, as it did its own schema);
 * - keyed by a digest of the migrations' sources (and of this file): a spare migrated by other code is never taken,
 *   and is dropped by a caller with another key once it has been free for ten minutes;
 * - checked and emptied when taken, not when given back, so nothing that happens while it waits (autovacuum
 *   analysing the emptied tables) changes what the taker gets: a spare whose tables, columns, constraints, indexes,
 *   functions, triggers, types, policies or sequences differ from what its migration made is dropped; else every table
 *   that has held a row or been analysed is truncated (its size and statistics as new), the rows the migrations wrote
 *   (their own records) put back, every sequence set back to where the migration left it, every relation's planner
 *   figures (`relpages`, `reltuples`: truncating leaves its indexes' unlike a fresh index's) put back, and the truncated
 *   tables' activity counters reset (before the rows are put back, which count as the migration's did). What it
 *   cannot tell from a fresh migration: its migrations records' `applied_at` is when the spare was migrated (tests of
 *   migrating itself keep fresh schemas: `uniqueSchema()` and `migrate`), and activity counters that a connection still
 *   open when the spare was given back reports later.
 * A spare taken and never given back (a run killed) is dropped an hour later by the next caller.
 */

/** Migrations a spare gets beside the engine's (the shop's tables, in a schema of their own). */
export interface ExtraMigrations {
  /** Source files whose text decides what `migrate` makes; part of the pool's key. */
  readonly sources: readonly URL[];
  /** The schemas it makes for engine schema `schema`, unquoted. */
  schemas(schema: string): string[];
  /** Migrates them, after the engine's schema `schema` is migrated. */
  migrate(client: SqlClient, schema: string, now: Date): Promise<void>;
}

/** Options of {@link takeMigratedSchema}. */
export interface TakeOptions {
  /** The clock a fresh migration records `applied_at` with (a spare keeps its own). */
  clock?: Clock;
  /** More migrations the schema must have (the shop's). */
  extra?: ExtraMigrations;
  /** Another pool within the database (the pool's own tests), kept apart from every other caller's. */
  tag?: string;
}

/** A migrated schema taken from the pool. */
export interface TakenSchema {
  /** The engine schema's name (the extra migrations' schemas are named from it). */
  readonly schema: string;
  /** Gives it back for the next taker: call it once everything that used it (pools, replica processes) has closed. */
  giveBack(): Promise<void>;
}

/** What a fresh migration left in a spare, recorded when it was made. */
interface FreshState {
  /** {@link CATALOG_DIGEST} of its schemas. */
  digest: string;
  /** Tables that held rows (the migrations' records), each with its columns and rows as JSON, in physical order. */
  seeded: Array<{ table: string; columns: string[]; rows: string }>;
  /** Every sequence, qualified, with its `last_value` (`null`: never called). */
  sequences: Record<string, string | null>;
  /** Every relation's planner figures (`relpages`, `reltuples`, `relallvisible`), as JSON rows. */
  figures: string;
}

const REGISTRY = 'panelkit_test_pool';
/** A spare taken for longer than this is taken to be abandoned (its run was killed) and dropped. */
const ABANDONED_AFTER = '1 hour';
/** A spare of other migrations left free this long is dropped (not at once: a run of other code may be going on). */
const STALE_AFTER = '10 minutes';

/**
 * One line per object in the schemas `$1` (an array of names) that a test could change and a fresh migration fixes:
 * relations and their options, columns, constraints, indexes, functions, triggers, types, policies, sequences' limits,
 * rules, extended statistics, and foreign keys into them from elsewhere; digested in one value.
 */
const CATALOG_DIGEST = `
  WITH ns AS (SELECT oid, nspname, nspacl FROM pg_namespace WHERE nspname = ANY($1::text[])),
  rel AS (SELECT c.* FROM pg_class c JOIN ns ON ns.oid = c.relnamespace),
  lines (line) AS (
    SELECT 'schema ' || nspname || ' ' || coalesce(nspacl::text, '') FROM ns
    UNION ALL
    SELECT concat_ws(' ', 'relation', oid::regclass, relkind, relpersistence, relrowsecurity, relforcerowsecurity, relreplident,
                     reloptions::text, relacl::text, relowner::regrole, obj_description(oid))
      FROM rel
    UNION ALL
    SELECT concat_ws(' ', 'column', a.attrelid::regclass, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                     a.attcollation, a.attidentity, a.attgenerated, a.attstattarget, pg_get_expr(d.adbin, d.adrelid))
      FROM pg_attribute a JOIN rel ON rel.oid = a.attrelid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT concat_ws(' ', 'constraint', co.conrelid::regclass, co.conname, pg_get_constraintdef(co.oid), co.convalidated)
      FROM pg_constraint co WHERE co.connamespace IN (SELECT oid FROM ns) OR co.confrelid IN (SELECT oid FROM rel)
    UNION ALL
    SELECT concat_ws(' ', 'index', pg_get_indexdef(i.indexrelid), i.indisvalid, i.indisclustered)
      FROM pg_index i JOIN rel ON rel.oid = i.indrelid
    UNION ALL
    SELECT concat_ws(' ', 'function', p.oid::regprocedure, md5(p.prosrc), p.proconfig::text, p.provolatile, p.prosecdef, p.proowner::regrole)
      FROM pg_proc p WHERE p.pronamespace IN (SELECT oid FROM ns)
    UNION ALL
    SELECT concat_ws(' ', 'trigger', pg_get_triggerdef(t.oid), t.tgenabled)
      FROM pg_trigger t JOIN rel ON rel.oid = t.tgrelid WHERE NOT t.tgisinternal
    UNION ALL
    SELECT concat_ws(' ', 'type', t.oid::regtype, t.typtype) FROM pg_type t WHERE t.typnamespace IN (SELECT oid FROM ns)
    UNION ALL
    SELECT concat_ws(' ', 'enum', e.enumtypid::regtype, e.enumlabel, e.enumsortorder)
      FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typnamespace IN (SELECT oid FROM ns)
    UNION ALL
    SELECT concat_ws(' ', 'policy', pol.polrelid::regclass, pol.polname, pol.polcmd, pg_get_expr(pol.polqual, pol.polrelid))
      FROM pg_policy pol JOIN rel ON rel.oid = pol.polrelid
    UNION ALL
    SELECT concat_ws(' ', 'sequence', s.seqrelid::regclass, s.seqtypid, s.seqstart, s.seqincrement, s.seqmax, s.seqmin, s.seqcache, s.seqcycle)
      FROM pg_sequence s JOIN rel ON rel.oid = s.seqrelid
    UNION ALL
    SELECT concat_ws(' ', 'rule', r.ev_class::regclass, r.rulename, pg_get_ruledef(r.oid), r.ev_enabled)
      FROM pg_rewrite r JOIN rel ON rel.oid = r.ev_class
    UNION ALL
    SELECT concat_ws(' ', 'statistics', x.stxname, pg_get_statisticsobjdef(x.oid))
      FROM pg_statistic_ext x WHERE x.stxnamespace IN (SELECT oid FROM ns)
  )
  SELECT md5(string_agg(line, E'\\n' ORDER BY line)) FROM lines`;

/**
 * What a spare holds now, in one row: its catalog's digest, the tables a test touched (that hold or held rows, or
 * were analysed: a fresh table has no pages, `reltuples` -1 and no statistics), and every sequence's `last_value`.
 */
const STATE = `
  SELECT (${CATALOG_DIGEST}) AS digest,
         (SELECT coalesce(array_agg(c.oid::regclass::text ORDER BY c.oid), '{}')
            FROM pg_class c
           WHERE c.relnamespace IN (SELECT oid FROM pg_namespace WHERE nspname = ANY($1::text[])) AND c.relkind = 'r'
             AND (pg_relation_size(c.oid) > 0 OR c.reltuples >= 0 OR EXISTS (SELECT FROM pg_statistic s WHERE s.starelid = c.oid))) AS touched,
         (SELECT EXISTS (SELECT FROM pg_statistic s JOIN pg_class c ON c.oid = s.starelid
                          WHERE c.relnamespace IN (SELECT oid FROM pg_namespace WHERE nspname = ANY($1::text[])))) AS analysed,
         (SELECT coalesce(json_object_agg(format('%I.%I', schemaname, sequencename), last_value::text), '{}')
            FROM pg_sequences WHERE schemaname = ANY($1::text[]))::text AS sequences`;

interface State {
  digest: string;
  touched: string[];
  analysed: boolean;
  sequences: string;
}

/** The pool's key: a digest of every source whose text decides what a spare holds. */
function poolKey(options: TakeOptions): string {
  const src = new URL('../../src/', import.meta.url);
  const migrations = new URL('migrations/', src);
  const files = [
    new URL(import.meta.url),
    ...readdirSync(migrations)
      .sort()
      .map((name) => new URL(name, migrations)),
    new URL('migrate.ts', src),
    new URL('run-migrations.ts', src),
    new URL('internal/migrations-table.ts', src),
    ...(options.extra?.sources ?? []),
  ];
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file.pathname}\n`).update(readFileSync(file)).update('\n');
  if (options.tag !== undefined) hash.update(`tag ${options.tag}`);
  return hash.digest('hex').slice(0, 32);
}

const ready = new WeakSet<SqlClient>();
const swept = new Set<string>();

/** Creates the registry when the database has none (once per client). */
async function ensureRegistry(client: SqlClient): Promise<void> {
  if (ready.has(client)) return;
  const { rows } = await client.query<{ present: boolean }>(`SELECT to_regclass('${REGISTRY}.spares') IS NOT NULL AS present`);
  if (rows[0]?.present !== true) {
    await client.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('${REGISTRY}', 0))`);
      await tx.query(`CREATE SCHEMA IF NOT EXISTS ${REGISTRY}`);
      await tx.query(
        `CREATE TABLE IF NOT EXISTS ${REGISTRY}.spares (
           name text PRIMARY KEY,
           key text NOT NULL,
           schemas text[] NOT NULL,
           fresh jsonb,
           taken_at timestamptz,
           returned_at timestamptz
         )`,
      );
    });
  }
  ready.add(client);
}

/** Drops spares of other keys left free for a while, and spares held for an hour (their runs were killed); once a process. */
async function sweep(client: SqlClient, key: string): Promise<void> {
  if (swept.has(key)) return;
  swept.add(key);
  const { rows } = await client.query<{ schemas: string[] }>(
    `DELETE FROM ${REGISTRY}.spares WHERE name IN (
       SELECT name FROM ${REGISTRY}.spares
        WHERE (key <> $1 AND taken_at IS NULL AND returned_at < now() - interval '${STALE_AFTER}')
           OR taken_at < now() - interval '${ABANDONED_AFTER}'
          FOR UPDATE SKIP LOCKED)
     RETURNING schemas`,
    [key],
  );
  for (const { schemas } of rows) await dropSchemas(client, schemas);
}

async function dropSchemas(client: SqlQueryable, schemas: readonly string[]): Promise<void> {
  await client.query(`DROP SCHEMA IF EXISTS ${schemas.map(ident).join(', ')} CASCADE`);
}

/**
 * A migrated engine schema for one suite on `client`: on the real server (a concurrent client) one taken from the pool
 * ({@link takeMigratedSchema}); on PGlite (a database of the process's own, one connection) a fresh migration, which
 * `giveBack` drops.
 */
export async function migratedSchemaFor(client: SqlClient, clock?: Clock): Promise<TakenSchema> {
  if (client.concurrent) return takeMigratedSchema(client, clock === undefined ? {} : { clock });
  const schema = `pk_test_${randomBytes(6).toString('hex')}`;
  await migrate(client, clock === undefined ? { schema } : { schema, clock });
  return { schema, giveBack: async () => void (await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)) };
}

/**
 * A schema at a fresh migration of the engine's tables (and `options.extra`'s), from the pool when it has a spare of
 * this code's migrations, else migrated now; give it back with `giveBack` (instead of dropping it). `client` must be
 * on the real server; it is used for taking and giving back only.
 */
export async function takeMigratedSchema(client: SqlClient, options: TakeOptions = {}): Promise<TakenSchema> {
  await ensureRegistry(client);
  const key = poolKey(options);
  await sweep(client, key);
  const taken = (await takeSpare(client, key)) ?? (await makeSpare(client, key, options));
  return {
    schema: taken,
    giveBack: async () => {
      await client.query(`UPDATE ${REGISTRY}.spares SET taken_at = NULL, returned_at = now() WHERE name = $1`, [taken]);
    },
  };
}

/** A spare of `key` claimed and taken back to its fresh state, or `null` when none is free. */
async function takeSpare(client: SqlClient, key: string): Promise<string | null> {
  for (;;) {
    const { rows } = await client.query<{ name: string; schemas: string[]; fresh: FreshState }>(
      `UPDATE ${REGISTRY}.spares SET taken_at = now()
        WHERE name = (SELECT name FROM ${REGISTRY}.spares
                       WHERE key = $1 AND taken_at IS NULL AND fresh IS NOT NULL
                       ORDER BY returned_at LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING name, schemas, fresh`,
      [key],
    );
    const spare = rows[0];
    if (spare === undefined) return null;
    try {
      if (await backToFresh(client, spare.schemas, spare.fresh)) return spare.name;
    } catch {}
    // Changed beyond emptying (or it failed): dropped, and the next spare tried.
    await dropSchemas(client, spare.schemas);
    await client.query(`DELETE FROM ${REGISTRY}.spares WHERE name = $1`, [spare.name]);
  }
}

/**
 * Takes `schemas` back to the state `fresh` recorded: `false` when their catalog differs from it (nothing changed).
 * One statement reads the state; one resets the touched tables' activity counters; one transaction truncates them,
 * forgets their statistics, sets the sequences back, puts the migrations' rows back and the planner figures.
 */
async function backToFresh(client: SqlClient, schemas: string[], fresh: FreshState): Promise<boolean> {
  const { rows } = await client.query<State>(STATE, [schemas]);
  const state = rows[0] as State;
  if (state.digest !== fresh.digest) return false;
  const sequences = JSON.parse(state.sequences) as Record<string, string | null>;
  const moved = Object.entries(fresh.sequences).filter(([name, value]) => sequences[name] !== value);
  if (state.touched.length === 0 && moved.length === 0 && !state.analysed) return true;
  const truncated = [...new Set([...state.touched, ...fresh.seeded.map((s) => s.table)])];
  if (truncated.length > 0) {
    await client.query(`SELECT pg_stat_reset_single_table_counters(t::regclass) FROM unnest($1::text[]) AS t`, [truncated]);
  }
  const script = [
    "SET LOCAL lock_timeout = '10s'",
    ...(truncated.length === 0 ? [] : [`TRUNCATE ${truncated.join(', ')} CASCADE`]),
    ...(state.analysed
      ? [
          `DELETE FROM pg_statistic WHERE starelid IN
             (SELECT oid FROM pg_class WHERE relnamespace IN (SELECT oid FROM pg_namespace WHERE nspname IN (${schemas.map(literal).join(', ')})))`,
        ]
      : []),
    ...moved.map(([name, value]) =>
      value === null
        ? `SELECT setval(${literal(name)}, seqstart, false) FROM pg_sequence WHERE seqrelid = ${literal(name)}::regclass`
        : `SELECT setval(${literal(name)}, ${literal(value)}::bigint, true)`,
    ),
    ...fresh.seeded.map(
      ({ table, columns, rows: json }) =>
        `INSERT INTO ${table} (${columns.join(', ')}) OVERRIDING SYSTEM VALUE
         SELECT ${columns.join(', ')} FROM json_populate_recordset(NULL::${table}, ${literal(json)})`,
    ),
    `UPDATE pg_class c SET relpages = f.relpages, reltuples = f.reltuples, relallvisible = f.relallvisible
       FROM json_to_recordset(${literal(fresh.figures)}) AS f (name text, relpages int, reltuples real, relallvisible int)
      WHERE c.oid = f.name::regclass
        AND (c.relpages, c.reltuples, c.relallvisible) IS DISTINCT FROM (f.relpages, f.reltuples, f.relallvisible)`,
  ];
  await client.transaction(async (tx) => {
    await tx.query(script.join(';\n'));
  });
  return true;
}

/** Migrates a new spare, taken by the caller, and records its fresh state. */
async function makeSpare(client: SqlClient, key: string, options: TakeOptions): Promise<string> {
  const name = `pk_pool_${randomBytes(6).toString('hex')}`;
  const schemas = [name, ...(options.extra?.schemas(name) ?? [])];
  // Recorded as taken before it exists: a run killed while migrating leaves a row the sweep finds.
  await client.query(`INSERT INTO ${REGISTRY}.spares (name, key, schemas, taken_at) VALUES ($1, $2, $3, now())`, [name, key, schemas]);
  const clock = options.clock;
  await migrate(client, { schema: name, ...(clock === undefined ? {} : { clock }) });
  await options.extra?.migrate(client, name, clock?.now() ?? new Date());
  const fresh = await freshState(client, schemas);
  await client.query(`UPDATE ${REGISTRY}.spares SET fresh = $2 WHERE name = $1`, [name, JSON.stringify(fresh)]);
  return name;
}

/** What `schemas` hold right after their migration: catalog digest, the rows written, the sequences' values. */
async function freshState(client: SqlClient, schemas: string[]): Promise<FreshState> {
  const { rows } = await client.query<State>(STATE, [schemas]);
  const state = rows[0] as State;
  const seeded: FreshState['seeded'] = [];
  for (const table of state.touched) {
    const { rows: columns } = await client.query<{ name: string }>(
      `SELECT quote_ident(attname) AS name FROM pg_attribute
        WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
      [table],
    );
    const { rows: json } = await client.query<{ rows: string | null }>(`SELECT json_agg(t)::text AS rows FROM ${table} AS t`);
    const data = json[0]?.rows ?? null;
    if (data !== null)
      seeded.push({
        table,
        columns: columns.map((c) => c.name),
        rows: data,
      });
  }
  const { rows: figures } = await client.query<{ json: string }>(
    `SELECT json_agg(json_build_object('name', c.oid::regclass::text, 'relpages', c.relpages, 'reltuples', c.reltuples,
                                       'relallvisible', c.relallvisible))::text AS json
       FROM pg_class c WHERE c.relnamespace IN (SELECT oid FROM pg_namespace WHERE nspname = ANY($1::text[]))`,
    [schemas],
  );
  return {
    digest: state.digest,
    seeded,
    sequences: JSON.parse(state.sequences) as Record<string, string | null>,
    figures: figures[0]?.json ?? '[]',
  };
}

function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
