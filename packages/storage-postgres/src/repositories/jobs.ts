import { ConflictError, NotFoundError } from '@panelkit/sdk';
import { createSortableId } from '@panelkit/sdk/storage';
import { inputKey, parseJobFilter, parseNewJob, timeKey } from '@panelkit/sdk/storage';
import type { Job, JobState, NewJob, PageRequest } from '@panelkit/sdk';
import type { JobEnqueueResult, JobRepository } from '@panelkit/sdk/storage';
import { isUniqueViolation } from '../internal/errors.js';
import { pageNewestFirst } from '../internal/paging.js';
import type { RepositoryContext } from '../internal/runner.js';
import { enc } from '../internal/sql.js';
import { enqueueMany } from './job-enqueue-many.js';
import { jobLeaseOperations } from './job-leases.js';
import { jobFromRow } from './job-rows.js';
import { jobById, listedJobs } from './job-succeeded.js';

interface JobFilter {
  state?: JobState;
  type?: string;
  dedupeKey?: string;
}

/** Enqueueing and admin actions; the lease lifecycle is in `job-leases.ts`. */
export function jobRepository(context: RepositoryContext): JobRepository {
  const { runner, schema } = context;
  const table = `${schema}.jobs`;

  return {
    ...jobLeaseOperations(context),

    /**
     * One statement: an insert that, when a queued job holds the dedupe key, updates that job
     * instead (`ON CONFLICT` on the partial unique index), so concurrent enqueues of one key from
     * any number of replicas leave exactly one queued job. `xmax = 0` tells an insert from an update.
     * With an id given, a first insert does nothing on any conflict (`ON CONFLICT DO NOTHING` waits for
     * a racing insert of that id to commit): a job of that id already there is returned as it is. Optimistic
     * inside a transaction (no savepoint: these statements rarely fail, and when one does the transaction is
     * replayed under savepoints).
     */
    enqueue: (input: NewJob) =>
      runner.run(
        'jobs.enqueue',
        async ({ db, now }): Promise<JobEnqueueResult> => {
          const parsed = parseNewJob(input, 'job');
          if (parsed.id !== undefined) {
            const inserted = await db.query(
              `INSERT INTO ${table}
               (id, type, payload, dedupe_key, serial_key, batch_key, priority, run_at, max_attempts, state, attempts, created_at, updated_at)
             SELECT $1, $2, $3::jsonb, $4, $9, $10, $5, $6::timestamptz, $7, 'queued', 0, $8::timestamptz, $8::timestamptz
             WHERE NOT EXISTS (SELECT 1 FROM ${schema}.succeeded_jobs WHERE id = $1)
             ON CONFLICT DO NOTHING RETURNING *, ${schema}.job_succeeded(id) AS succeeded_meanwhile`,
              [
                parsed.id,
                parsed.type,
                enc.json(parsed.payload),
                parsed.dedupeKey,
                parsed.priority,
                enc.time(parsed.runAt ?? now),
                parsed.maxAttempts,
                enc.time(now),
                parsed.serialKey,
                parsed.batchKey,
              ],
            );
            const row = inserted.rows[0];
            if (row !== undefined && row['succeeded_meanwhile'] !== true) return { job: jobFromRow(row), created: true };
            // The insert waited on a job of this id whose completion moved it to `succeeded_jobs`: not a new job.
            if (row !== undefined) await db.query(`DELETE FROM ${table} WHERE id = $1`, [parsed.id]);
            const existing = await db.query(jobById(schema, 'one'), [parsed.id]);
            if (existing.rows[0] !== undefined) return { job: jobFromRow(existing.rows[0]), created: false };
            // The conflict was a queued twin's dedupe key: merge into it below.
          }
          const { rows } = await db.query(
            `INSERT INTO ${table} AS j
             (id, type, payload, dedupe_key, serial_key, batch_key, priority, run_at, max_attempts, state, attempts, created_at, updated_at)
           VALUES ($1, $2, $3::jsonb, $4, $9, $10, $5, $6::timestamptz, $7, 'queued', 0, $8::timestamptz, $8::timestamptz)
           ON CONFLICT (dedupe_key) WHERE state = 'queued' AND dedupe_key IS NOT NULL
           DO UPDATE SET payload = EXCLUDED.payload, serial_key = EXCLUDED.serial_key, batch_key = EXCLUDED.batch_key,
             run_at = LEAST(j.run_at, EXCLUDED.run_at), updated_at = EXCLUDED.updated_at
           RETURNING *, (xmax = 0) AS inserted`,
            [
              parsed.id ?? createSortableId('job', now.getTime()),
              parsed.type,
              enc.json(parsed.payload),
              parsed.dedupeKey,
              parsed.priority,
              enc.time(parsed.runAt ?? now),
              parsed.maxAttempts,
              enc.time(now),
              parsed.serialKey,
              parsed.batchKey,
            ],
          );
          const row = rows[0]!;
          return { job: jobFromRow(row), created: row['inserted'] === true };
        },
        { optimistic: true },
      ),

    enqueueMany: enqueueMany(context),

    get: (id: string) =>
      runner.run(
        'jobs.get',
        async ({ db }) => {
          const { rows } = await db.query(jobById(schema, 'one'), [inputKey(id, 'job id')]);
          return rows[0] === undefined ? null : jobFromRow(rows[0]);
        },
        { read: true },
      ),

    /** A queued twin already stands for this work: the partial unique index refuses, as a ConflictError. */
    retry: (id: string) =>
      runner.run('jobs.retry', async ({ db, now }) => {
        const key = inputKey(id, 'job id');
        const { rows } = await db.query(`SELECT state FROM ${table} WHERE id = $1 FOR UPDATE`, [key]);
        const succeeded =
          rows[0] === undefined && (await db.query(`SELECT 1 FROM ${schema}.succeeded_jobs WHERE id = $1`, [key])).rows.length > 0;
        if (rows[0] === undefined && !succeeded) throw new NotFoundError('job', key);
        const state = succeeded ? 'succeeded' : rows[0]!['state'];
        if (state !== 'dead' && state !== 'cancelled') {
          throw new ConflictError(`job ${key} is ${String(state)}; only a dead or cancelled job can be retried`);
        }
        try {
          const updated = await db.query(
            `UPDATE ${table} SET state = 'queued', attempts = 0, failing_since = NULL, parked_on = NULL, run_at = $2::timestamptz, result = NULL, finished_at = NULL, updated_at = $2::timestamptz
             WHERE id = $1 RETURNING *`,
            [key, enc.time(now)],
          );
          return jobFromRow(updated.rows[0]!);
        } catch (error) {
          if (isUniqueViolation(error, 'jobs_queued_dedupe_key'))
            throw new ConflictError(`a queued job with the dedupe key of job ${key} already exists`, { cause: error });
          throw error;
        }
      }),

    cancel: (id: string) =>
      runner.run('jobs.cancel', async ({ db, now }) => {
        const { rows } = await db.query(
          `UPDATE ${table} SET state = 'cancelled', finished_at = $2::timestamptz, updated_at = $2::timestamptz WHERE id = $1 AND state = 'queued' RETURNING id`,
          [inputKey(id, 'job id'), enc.time(now)],
        );
        return rows.length > 0;
      }),

    list: (filter: JobFilter, page: PageRequest) =>
      runner.run(
        'jobs.list',
        async ({ db }) => {
          const { state, type, dedupeKey } = parseJobFilter(filter);
          return pageNewestFirst(db, listedJobs(schema, state), jobFromRow, page, {
            where: '($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR type = $2) AND ($3::text IS NULL OR dedupe_key = $3)',
            params: [state ?? null, type ?? null, dedupeKey ?? null],
            key: (j: Job) => timeKey(j.createdAt, j.id),
          });
        },
        { read: true },
      ),
  };
}
