import type { Job, JobState } from '@panelkit/sdk';
import { dec } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';

export function jobFromRow(r: Row): Job {
  return {
    id: dec.text(r['id']),
    type: dec.text(r['type']),
    payload: dec.json(r['payload']),
    dedupeKey: dec.textOrNull(r['dedupe_key']),
    serialKey: dec.textOrNull(r['serial_key']),
    batchKey: dec.textOrNull(r['batch_key']),
    priority: dec.int(r['priority']),
    runAt: dec.time(r['run_at']),
    maxAttempts: dec.int(r['max_attempts']),
    state: dec.text(r['state']) as JobState,
    attempts: dec.int(r['attempts']),
    lastError: r['last_error'] === null ? null : dec.json(r['last_error']),
    failingSince: dec.timeOrNull(r['failing_since']),
    parkedOn: dec.textOrNull(r['parked_on']),
    lockedBy: dec.textOrNull(r['locked_by']),
    leaseToken: dec.textOrNull(r['lease_token']),
    leaseExpiresAt: dec.timeOrNull(r['lease_expires_at']),
    result: r['result'] === null ? null : dec.json(r['result']),
    createdAt: dec.time(r['created_at']),
    updatedAt: dec.time(r['updated_at']),
    finishedAt: dec.timeOrNull(r['finished_at']),
  };
}

/**
 * The state a running job goes back to when its attempt ends without success: `queued`, or
 * `cancelled` when a queued job with the same dedupe key appeared meanwhile (that one already
 * stands for the work). Used inside `UPDATE … AS j`.
 */
export function requeueState(schema: string): string {
  return `CASE WHEN j.dedupe_key IS NOT NULL AND EXISTS (
      SELECT 1 FROM ${schema}.jobs AS twin WHERE twin.dedupe_key = j.dedupe_key AND twin.state = 'queued'
    ) THEN 'cancelled' ELSE 'queued' END`;
}

/** A timestamp column as milliseconds since the epoch (`float8`): a number for the driver, not a date string to parse. */
const epochMs = (alias: string, column: string) => `(extract(epoch FROM ${alias}.${column}) * 1000)::float8 AS ${column}`;

/**
 * What a claim returns of each job it marks running (`RETURNING` or a select list, for the row alias `alias`): the
 * columns a queued job can differ in, its timestamps as epoch milliseconds. The claim itself set the rest (`state`,
 * `locked_by`, `lease_token`, `updated_at`), and a queued job has no `result` or `finished_at` (every way back to the queue clears
 * them). Decoding every column of every claimed row, four date strings among them, was the largest part of a
 * worker's own CPU a job after the garbage collector (bench/queue).
 */
export function claimedColumns(alias: string): string {
  return [
    ...['id', 'type', 'payload', 'dedupe_key', 'serial_key', 'batch_key', 'priority', 'max_attempts', 'attempts'].map(
      (c) => `${alias}.${c}`,
    ),
    ...['last_error', 'parked_on'].map((c) => `${alias}.${c}`),
    ...['run_at', 'failing_since', 'lease_expires_at', 'created_at'].map((c) => epochMs(alias, c)),
  ].join(', ');
}

/** A job a claim marked running, from a row of {@link claimedColumns}; `lockedBy`, `leaseToken` and `updatedAt` as the claim set them. */
export function claimedJobFromRow(r: Row, lockedBy: string, leaseToken: string, updatedAt: Date): Job {
  return {
    id: r['id'] as string,
    type: r['type'] as string,
    payload: dec.json(r['payload']),
    dedupeKey: r['dedupe_key'] as string | null,
    serialKey: r['serial_key'] as string | null,
    batchKey: r['batch_key'] as string | null,
    priority: dec.int(r['priority']),
    runAt: new Date(r['run_at'] as number),
    maxAttempts: dec.int(r['max_attempts']),
    state: 'running',
    attempts: dec.int(r['attempts']),
    lastError: r['last_error'] === null ? null : dec.json(r['last_error']),
    failingSince: r['failing_since'] === null ? null : new Date(r['failing_since'] as number),
    parkedOn: r['parked_on'] as string | null,
    lockedBy,
    leaseToken,
    leaseExpiresAt: new Date(r['lease_expires_at'] as number),
    result: null,
    createdAt: new Date(r['created_at'] as number),
    updatedAt: new Date(updatedAt.getTime()),
    finishedAt: null,
  };
}
