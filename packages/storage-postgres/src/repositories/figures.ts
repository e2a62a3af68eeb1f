import { NotFoundError } from '@panelkit/sdk';
import type { FigureCalendarKind, FigureCell } from '@panelkit/sdk/rules';
import {
  parseFigureBucket,
  parseFigureBucketSpans,
  parseFigureCellQuery,
  parseFigureCells,
  parseFigureCursor,
  parseFigureCustomerIds,
  parseFigureLimit,
  parseFigureMeta,
  parseFoldedBuyers,
} from '@panelkit/sdk/storage';
import type { FigureBucketSpan, FigureCellQuery, FigureMeta, FigureRepository, FoldedBuyer } from '@panelkit/sdk/storage';
import type { SqlQueryable } from '../client.js';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import { decodeFigureCells, encodeFigureCells } from './figure-cells-codec.js';
import { CHECKPOINT_TABLE_NAME, bucketTotalsStatement } from './figure-checkpoints.js';
import { ROLLUP_TABLE_NAMES, applyStatement, cellFromRow, cellsStatement, sortedByKey } from './figure-rollups.js';
import { readBuyerRows } from './figure-sources.js';

/** A call of one statement that fails only on what the database refuses: no `BEGIN` alone, no savepoint in a transaction. */
const ONE_STATEMENT = { autocommit: true, optimistic: true } as const;
const READ = { read: true } as const;

/** Throws `NotFoundError` for the first of `ids` (checked, in id order) that `known` lacks. */
function requireKnown(ids: readonly string[], known: unknown): void {
  const found = new Set((known as string[] | null) ?? []);
  const missing = ids.find((id) => !found.has(id));
  if (missing !== undefined) throw new NotFoundError('customer', missing);
}

/**
 * The owner figures' read models on PostgreSQL (storage port 29, migrations 39 and 41). The inbox is written by the
 * triggers of migration 39 inside each write's own statement; `take` deletes the oldest rows no other transaction
 * holds (`SKIP LOCKED`), so concurrent folds take disjoint rows; `lockBuyers` locks the folded state rows in id order;
 * every other write is one statement (`apply` one upsert a rollup table and one for the buckets' checkpoints, as CTEs).
 */
export function figureRepository({ runner, schema }: RepositoryContext): FigureRepository {
  const inbox = `${schema}.figure_inbox`;
  const buyers = `${schema}.figure_buyers`;
  const customers = `${schema}.customers`;

  /** Checked ids put in the inbox in one statement, none unless every one is a customer. */
  const markChecked = async (db: SqlQueryable, ids: readonly string[]) => {
    if (ids.length === 0) return;
    const { rows } = await db.query(
      `WITH known AS (SELECT id FROM ${customers} WHERE id = ANY($1::text[])),
       marked AS (INSERT INTO ${inbox} (customer_id)
         SELECT id FROM known WHERE (SELECT count(*) FROM known) = cardinality($1::text[]) ORDER BY id)
       SELECT array_agg(id) AS known FROM known`,
      [ids],
    );
    requireKnown(ids, rows[0]?.['known']);
  };

  return {
    mark: (customerIds: readonly string[]) =>
      runner.run('figures.mark', ({ db }) => markChecked(db, parseFigureCustomerIds(customerIds)), ONE_STATEMENT),

    take: (limit: number) =>
      runner.run(
        'figures.take',
        async ({ db }) => {
          const n = parseFigureLimit(limit);
          const { rows } = await db.query(
            `DELETE FROM ${inbox} WHERE seq IN (SELECT seq FROM ${inbox} ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED)
             RETURNING customer_id`,
            [n],
          );
          const ids = [...new Set(rows.map((r) => dec.text(r['customer_id'])))];
          return ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        },
        ONE_STATEMENT,
      ),

    pending: () =>
      runner.run(
        'figures.pending',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT count(*) AS n FROM ${inbox}`);
          return dec.int(rows[0]!['n']);
        },
        READ,
      ),

    lockBuyers: (customerIds: readonly string[]) =>
      runner.run('figures.lockBuyers', async ({ db }): Promise<FoldedBuyer[]> => {
        const ids = parseFigureCustomerIds(customerIds);
        if (ids.length === 0) return [];
        // The meta row first (the lock order of a fold): held to commit, it keeps a rebuild's clear (which takes it
        // FOR UPDATE) from running between this fold's reads and its writes, and keeps the fold's meta write current.
        // NO KEY UPDATE, not SHARE: two folds sharing it would deadlock on their final meta update.
        await db.query(`SELECT 1 FROM ${schema}.figure_meta FOR NO KEY UPDATE`);
        // A missing state row is inserted first, so the lock below has a row to hold (only customers get one).
        await db.query(
          `INSERT INTO ${buyers} (customer_id)
             SELECT c.id FROM ${customers} c WHERE c.id = ANY($1::text[]) ORDER BY c.id
           ON CONFLICT (customer_id) DO NOTHING`,
          [ids],
        );
        const { rows } = await db.query(
          `SELECT customer_id, definitions_version, cells FROM ${buyers}
            WHERE customer_id = ANY($1::text[]) ORDER BY customer_id FOR UPDATE`,
          [ids],
        );
        const held = new Map(rows.map((r) => [dec.text(r['customer_id']), r]));
        return ids.map((id) => {
          const r = held.get(id);
          if (r === undefined) throw new NotFoundError('customer', id);
          return { customerId: id, definitionsVersion: dec.int(r['definitions_version']), cells: decodeFigureCells(dec.json(r['cells'])) };
        });
      }),

    sources: (customerIds: readonly string[]) =>
      runner.run('figures.sources', ({ db }) => readBuyerRows(db, schema, parseFigureCustomerIds(customerIds)), READ),

    apply: (cells: readonly FigureCell[]) =>
      runner.run(
        'figures.apply',
        async ({ db }) => {
          const checked = parseFigureCells(cells);
          if (checked.length === 0) return;
          const { sql, params } = applyStatement(schema, checked);
          await db.query(sql, params);
        },
        ONE_STATEMENT,
      ),

    putBuyers: (folded: readonly FoldedBuyer[]) =>
      runner.run(
        'figures.putBuyers',
        async ({ db }) => {
          const checked = parseFoldedBuyers(folded);
          if (checked.length === 0) return;
          const ids = checked.map((b) => b.customerId);
          const { rows } = await db.query(
            `WITH known AS (SELECT id FROM ${customers} WHERE id = ANY($1::text[])),
             put AS (INSERT INTO ${buyers} (customer_id, definitions_version, cells)
               SELECT u.id, u.version, u.cells FROM unnest($1::text[], $2::integer[], $3::jsonb[]) WITH ORDINALITY AS u(id, version, cells, n)
                WHERE (SELECT count(*) FROM known) = cardinality($1::text[]) ORDER BY u.n
               ON CONFLICT (customer_id) DO UPDATE SET definitions_version = EXCLUDED.definitions_version, cells = EXCLUDED.cells)
             SELECT array_agg(id) AS known FROM known`,
            [ids, checked.map((b) => b.definitionsVersion), checked.map((b) => enc.json(encodeFigureCells(b.cells)))],
          );
          requireKnown(ids, rows[0]?.['known']);
        },
        ONE_STATEMENT,
      ),

    cells: (query: FigureCellQuery) =>
      runner.run(
        'figures.cells',
        async ({ db }) => {
          const q = parseFigureCellQuery(query);
          const { sql, params } = cellsStatement(schema, q);
          const { rows } = await db.query(sql, params);
          return sortedByKey(rows.map((r) => cellFromRow(q.table, r)));
        },
        READ,
      ),

    bucketSums: (spans: readonly FigureBucketSpan[]) =>
      runner.run(
        'figures.bucketSums',
        async ({ db }) => {
          const parsed = parseFigureBucketSpans(spans);
          if (parsed.length === 0) return [];
          // Each span an index range scan of the primary key (bucket first); only the sums leave the server.
          const { rows } = await db.query(
            `SELECT s.first AS bucket, b.currency, b.metric, sum(b.value) AS value
               FROM unnest($1::bigint[], $2::bigint[]) AS s(first, stop)
               JOIN ${schema}.figure_buckets b ON b.bucket >= s.first AND b.bucket < s.stop
              GROUP BY s.first, b.currency, b.metric HAVING sum(b.value) <> 0`,
            [parsed.map((s) => s.first), parsed.map((s) => s.end)],
          );
          return sortedByKey(rows.map((r) => cellFromRow('buckets', r)));
        },
        READ,
      ),

    bucketTotals: (beforeBucket: number) =>
      runner.run(
        'figures.bucketTotals',
        async ({ db }) => {
          const before = parseFigureBucket(beforeBucket);
          const { sql, params } = bucketTotalsStatement(schema, before);
          const { rows } = await db.query(sql, params);
          return sortedByKey(rows.map((r) => cellFromRow('buckets', { ...r, bucket: before - 1 })));
        },
        READ,
      ),

    meta: () =>
      runner.run(
        'figures.meta',
        async ({ db }): Promise<FigureMeta | null> => {
          const { rows } = await db.query(`SELECT * FROM ${schema}.figure_meta`);
          const r = rows[0];
          if (r === undefined) return null;
          return {
            timeZone: dec.text(r['time_zone']),
            calendar: dec.text(r['calendar']) as FigureCalendarKind,
            definitionsVersion: dec.int(r['definitions_version']),
            foldedAt: dec.timeOrNull(r['folded_at']),
            rebuildCursor: dec.textOrNull(r['rebuild_cursor']),
          };
        },
        READ,
      ),

    setMeta: (meta: FigureMeta) =>
      runner.run(
        'figures.setMeta',
        async ({ db }) => {
          const m = parseFigureMeta(meta);
          await db.query(
            `INSERT INTO ${schema}.figure_meta (time_zone, calendar, definitions_version, folded_at, rebuild_cursor)
             VALUES ($1, $2, $3, $4::timestamptz, $5)
             ON CONFLICT (singleton) DO UPDATE SET time_zone = EXCLUDED.time_zone, calendar = EXCLUDED.calendar,
               definitions_version = EXCLUDED.definitions_version, folded_at = EXCLUDED.folded_at,
               rebuild_cursor = EXCLUDED.rebuild_cursor`,
            [m.timeZone, m.calendar, m.definitionsVersion, enc.timeOrNull(m.foldedAt), m.rebuildCursor],
          );
        },
        ONE_STATEMENT,
      ),

    clear: () =>
      runner.run(
        'figures.clear',
        async ({ db }) => {
          // Waits for a fold in flight (its `lockBuyers` holds the meta row) and holds off the next one until commit.
          await db.query(`SELECT 1 FROM ${schema}.figure_meta FOR UPDATE`);
          const deletes = [...ROLLUP_TABLE_NAMES, CHECKPOINT_TABLE_NAME, 'figure_buyers'].map(
            (name, i) => `d${i} AS (DELETE FROM ${schema}.${name})`,
          );
          // A statement of its own after the lock, so its snapshot holds what that fold committed.
          await db.query(`WITH ${deletes.join(', ')} SELECT 1`);
        },
        { optimistic: true },
      ),

    markAll: (after: string, limit: number) =>
      runner.run(
        'figures.markAll',
        async ({ db }) => {
          const from = parseFigureCursor(after);
          const n = parseFigureLimit(limit);
          const { rows } = await db.query(
            `WITH page AS (SELECT id FROM ${customers} WHERE id > $1 ORDER BY id LIMIT $2),
             marked AS (INSERT INTO ${inbox} (customer_id) SELECT id FROM page ORDER BY id)
             SELECT max(id) AS last FROM page`,
            [from, n],
          );
          return dec.textOrNull(rows[0]?.['last']);
        },
        ONE_STATEMENT,
      ),
  };
}
