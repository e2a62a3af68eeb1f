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
