import { createSortableId, jsonCopy, parseNewJobs, queuedJob } from '@panelkit/sdk/storage';
import type { Job, JsonObject, NewJob } from '@panelkit/sdk';
import type { JobEnqueueResult, JobRepository } from '@panelkit/sdk/storage';
import { isUniqueViolation } from '../internal/errors.js';
import type { RepositoryContext } from '../internal/runner.js';
import { enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';
import { writeUnread } from '../internal/unread-writes.js';
import { jobFromRow } from './job-rows.js';
import { jobById } from './job-succeeded.js';

/** One job the call writes: the call's rows that name the same id or dedupe key folded into one, as `enqueue` one after another would. */
interface Slot {
  id: string;
  /** Whether the caller named the id (a job of that id already stored is answered as it is). */
  named: boolean;
  type: string;
  payload: JsonObject;
  dedupeKey: string | null;
  serialKey: string | null;
  batchKey: string | null;
  priority: number;
  runAt: Date;
  maxAttempts: number;
  /** The payload as the insert sent it, copied as JSON would parse back: what a read would give, none of the caller's objects. */
  sent?: JsonObject;
  /** The stored row, when it is not what the call wrote (a named id found stored, a merge into a queued twin). */
  row?: Row;
  /** Whether the call wrote the job (set once its statement ran). */
  created?: boolean;
}

/**
 * The job a slot's insert stored, as the row reads back: built here rather than read back, since every column of an
 * inserted row is the slot's or the insert's constant. The payload is `sent`, as the JSON sent would parse back.
 */
function insertedJob(slot: Slot, now: Date): Job {
  return queuedJob({ ...slot, payload: slot.sent as Job['payload'] }, now);
}

const COLUMNS =
  'id, type, payload, dedupe_key, serial_key, batch_key, priority, run_at, max_attempts, state, attempts, created_at, updated_at';

/**
 * `jobs.enqueueMany`: the call's rows folded in order (a later row with an earlier one's id is that job; one with an
 * earlier one's dedupe key merges into it: its payload and keys, the earlier run time), then one `INSERT … SELECT
 * FROM unnest(…)` with `enqueue`'s `ON CONFLICT` merge into a queued twin, its rows in dedupe-key order so concurrent
 * calls lock the keys they share in one order (no deadlock). Rows naming their id first go through `ON CONFLICT DO
 * NOTHING` as in `enqueue` (one statement more, only then), and an id found stored is answered as it is.
 */
export function enqueueMany(context: RepositoryContext): JobRepository['enqueueMany'] {
  const { runner, schema } = context;
  const table = `${schema}.jobs`;

  /**
   * The slots as one JSON array of row tuples (the columns of `rowsFrom`), sorted by dedupe key (then id) when any has
   * a key: the order the insert takes its rows, and so locks their keys, in. Rows without a key lock none: their order
   * is the call's. One `JSON.stringify` for the call rather than nine array literals escaped element by element by the
   * driver; each slot's payload copied as that text would parse back (cheaper than parsing it: the ids and types are
   * not rebuilt).
   */
  function insertParams(slots: readonly Slot[], now: Date): unknown[] {
    const sorted = slots.some((s) => s.dedupeKey !== null)
      ? [...slots].sort((a, b) => compareKeys(a.dedupeKey, b.dedupeKey) || compareKeys(a.id, b.id))
      : slots;
    const json = JSON.stringify(
      sorted.map((s) => [
        s.id,
        s.type,
        s.payload,
        s.dedupeKey,
        s.serialKey,
        s.batchKey,
        s.priority,
        // Most jobs are due now: sent as null, the insert's now (`$2`), not a date string each.
        s.runAt === now ? null : enc.time(s.runAt),
        s.maxAttempts,
      ]),
    );
    for (const slot of sorted) slot.sent = jsonCopy(slot.payload);
    return [json, enc.time(now)];
  }

  const rowsFrom = `SELECT r.v->>0 AS id, r.v->>1 AS type, r.v->2 AS payload, r.v->>3 AS dedupe_key, r.v->>4 AS serial_key,
      r.v->>5 AS batch_key, (r.v->>6)::integer AS priority, coalesce((r.v->>7)::timestamptz, $2::timestamptz) AS run_at,
      (r.v->>8)::integer AS max_attempts, 'queued' AS state, 0 AS attempts, $2::timestamptz AS created_at, $2::timestamptz AS updated_at
    FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS r(v, n)
    ORDER BY r.n`;

  return (inputs: readonly NewJob[]) =>
    runner.run(
      'jobs.enqueueMany',
      async ({ db, now }): Promise<JobEnqueueResult[]> => {
        const parsed = parseNewJobs(inputs);
        const slots: Slot[] = [];
        const byId = new Map<string, Slot>();
        const byKey = new Map<string, Slot>();
        /** Each row's slot, and whether the row itself would have created it. */
        const answers: { slot: Slot; first: boolean }[] = [];
        for (const row of parsed) {
          const runAt = row.runAt ?? now;
          const same =
            (row.id === undefined ? undefined : byId.get(row.id)) ?? (row.dedupeKey === null ? undefined : byKey.get(row.dedupeKey));
          if (same !== undefined) {
            if (row.id === undefined || byId.get(row.id) !== same) {
              Object.assign(same, { payload: row.payload, serialKey: row.serialKey, batchKey: row.batchKey });
              if (runAt.getTime() < same.runAt.getTime()) same.runAt = runAt;
            }
            answers.push({ slot: same, first: false });
            continue;
          }
          const slot: Slot = {
            id: row.id ?? createSortableId('job', now.getTime()),
            named: row.id !== undefined,
            type: row.type,
            payload: row.payload,
            dedupeKey: row.dedupeKey,
            serialKey: row.serialKey,
            batchKey: row.batchKey,
            priority: row.priority,
            runAt,
            maxAttempts: row.maxAttempts,
          };
          slots.push(slot);
          byId.set(slot.id, slot);
          if (slot.dedupeKey !== null) byKey.set(slot.dedupeKey, slot);
          answers.push({ slot, first: true });
        }
        if (slots.length === 0) return [];

        const named = slots.filter((s) => s.named);
        if (named.length > 0 && db.defer !== undefined) {
          // In a transaction, deferred on the guess that every named job is new (a cause's first enqueue, as an audit
          // outbox's): one that is not (stored, succeeded, or a queued twin's dedupe key) fails the statement, and the
          // transaction is replayed with nothing deferred, where the call answers as below.
          db.defer(
            `WITH inserted AS (INSERT INTO ${table} (${COLUMNS}) SELECT * FROM (${rowsFrom}) AS r
               WHERE NOT EXISTS (SELECT 1 FROM ${schema}.succeeded_jobs AS s WHERE s.id = r.id)
               RETURNING ${schema}.job_succeeded(id) AS succeeded_meanwhile)
             SELECT CASE WHEN count(*) = $3::integer AND NOT coalesce(bool_or(succeeded_meanwhile), false) THEN 0
               ELSE ('jobs.enqueueMany: a named job was not new (' || count(*) || ' of ' || $3::integer || ' written)')::integer END
             FROM inserted`,
            [...insertParams(named, now), named.length],
          );
          for (const slot of named) slot.created = true;
        } else if (named.length > 0) {
          const inserted = await db.query(
            `INSERT INTO ${table} (${COLUMNS}) SELECT * FROM (${rowsFrom}) AS r
             WHERE NOT EXISTS (SELECT 1 FROM ${schema}.succeeded_jobs AS s WHERE s.id = r.id)
             ON CONFLICT DO NOTHING RETURNING id, ${schema}.job_succeeded(id) AS succeeded_meanwhile`,
            insertParams(named, now),
          );
          // An insert that waited on a job of its id whose completion moved it to `succeeded_jobs` is undone: not new.
          const meanwhile = inserted.rows.filter((r) => r['succeeded_meanwhile'] === true).map((r) => String(r['id']));
          if (meanwhile.length > 0) await db.query(`DELETE FROM ${table} WHERE id = ANY($1::text[])`, [meanwhile]);
          const insertedIds = new Set(inserted.rows.filter((r) => r['succeeded_meanwhile'] !== true).map((r) => String(r['id'])));
          for (const id of insertedIds) byId.get(id)!.created = true;
          const missed = named.filter((s) => !insertedIds.has(s.id)).map((s) => s.id);
          if (missed.length > 0) {
            const existing = await db.query(jobById(schema, 'many'), [missed]);
            // A job of that id is stored: answered as it is. The others met a queued twin's dedupe key: merged below.
            for (const r of existing.rows) Object.assign(byId.get(String(r['id']))!, { row: r, created: false });
          }
        }

        const rest = slots.filter((s) => s.row === undefined && s.created !== true);
        if (rest.length > 0 && rest.every((s) => s.dedupeKey === null)) {
          // Nothing to merge into (ids are fresh or were inserted above): every row is inserted, and none is sent back
          // (in a transaction, the insert rides on the next statement's round trip or the `COMMIT`'s).
          await writeUnread(db, `INSERT INTO ${table} (${COLUMNS}) ${rowsFrom}`, insertParams(rest, now));
          for (const slot of rest) slot.created = true;
        } else if (rest.length > 0) {
          const { rows } = await db.query(
            `INSERT INTO ${table} AS j (${COLUMNS}) ${rowsFrom}
             ON CONFLICT (dedupe_key) WHERE state = 'queued' AND dedupe_key IS NOT NULL
             DO UPDATE SET payload = EXCLUDED.payload, serial_key = EXCLUDED.serial_key, batch_key = EXCLUDED.batch_key,
               run_at = LEAST(j.run_at, EXCLUDED.run_at), updated_at = EXCLUDED.updated_at
             RETURNING j.id, j.dedupe_key, (j.xmax = 0) AS inserted`,
            insertParams(rest, now),
          );
          // A merged row comes back under its twin's id: found by its dedupe key, unique among the call's slots.
          const merged = new Map<string, Slot>();
          for (const r of rows) {
            const key = r['dedupe_key'];
            const slot = (key === null ? undefined : byKey.get(String(key))) ?? byId.get(String(r['id']))!;
            slot.created = r['inserted'] === true;
            if (!slot.created) merged.set(String(r['id']), slot);
          }
          // Only a merged row is read back whole (this transaction holds it since the insert).
          if (merged.size > 0) {
            const stored = await db.query(`SELECT * FROM ${table} WHERE id = ANY($1::text[])`, [[...merged.keys()]]);
            for (const r of stored.rows) merged.get(String(r['id']))!.row = r;
          }
        }
        return answers.map(({ slot, first }) => ({
          job: slot.row === undefined ? insertedJob(slot, now) : jobFromRow(slot.row),
          created: first && slot.created === true,
        }));
      },
      // A racing insert of a named id between the two statements: the next attempt finds it stored.
      { optimistic: true, retryOn: (error) => isUniqueViolation(error, 'jobs_pkey') },
    );
}

/** Code-point order, `null` last: the order rows lock their keys in. */
function compareKeys(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
