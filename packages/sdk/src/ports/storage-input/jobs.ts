import { ID_MAX_LENGTH } from '../../domain/common.js';
import { JOB_FIELD_RULES as RULES, NewJobSchema } from '../../domain/job.js';
import type { Job, NewJob } from '../../domain/job.js';
import { parseInput } from '../../domain/validate.js';
import type { z } from 'zod';
import { inputRows } from './checks.js';
import { jsonObject } from './hand-checks.js';

/** A job to enqueue as `NewJobSchema` parses it: its defaults filled in, unknown fields dropped. */
export type ParsedNewJob = z.output<typeof NewJobSchema>;

function isString(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= max;
}

function isInteger(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** The key as the schema reads it (absent is `null`), or `false` when the hand check cannot accept it. */
function keyOf(value: unknown): string | null | false {
  return value === undefined || value === null ? null : isString(value, RULES.keyMaxLength) ? value : false;
}

/**
 * The row as `NewJobSchema` would parse it, checked by hand (zod costs ~1.2 µs a row, and more in a process's first
 * calls), or `undefined` for any row it does not accept: zod then decides, so a bad row's error is zod's own and the
 * hand check can only ever be stricter than the schema, never looser.
 */
function handParsed(value: unknown): ParsedNewJob | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return undefined;
  const row = value as Record<string, unknown>;
  const { id, type, payload, priority, runAt, maxAttempts } = row;
  if (typeof type !== 'string' || type.length > RULES.typeMaxLength || !RULES.type.test(type)) return undefined;
  if (id !== undefined && !isString(id, ID_MAX_LENGTH)) return undefined;
  const dedupeKey = keyOf(row['dedupeKey']);
  const serialKey = keyOf(row['serialKey']);
  const batchKey = keyOf(row['batchKey']);
  if (dedupeKey === false || serialKey === false || batchKey === false) return undefined;
  if (priority !== undefined && !isInteger(priority, -RULES.priorityBound, RULES.priorityBound)) return undefined;
  if (maxAttempts !== undefined && !isInteger(maxAttempts, 1, RULES.maxAttemptsBound)) return undefined;
  if (runAt !== undefined && !(runAt instanceof Date && !Number.isNaN(runAt.getTime()))) return undefined;
  const copied = payload === undefined ? {} : jsonObject(payload);
  if (copied === undefined) return undefined;
  const parsed: ParsedNewJob = {
    type,
    payload: copied,
    dedupeKey,
    serialKey,
    batchKey,
    priority: (priority as number | undefined) ?? RULES.defaultPriority,
    maxAttempts: (maxAttempts as number | undefined) ?? RULES.defaultMaxAttempts,
  };
  if (id !== undefined) parsed.id = id;
  if (runAt !== undefined) parsed.runAt = runAt;
  return parsed;
}

/**
 * Parses a job to enqueue as `NewJobSchema` does, the same result and, for a bad row, the same `ValidationError`
 * (`invalid <what>: …`, zod's issues): a hand check of the fixed row shape first, zod only for a row it refuses.
 * The payload is a fresh object; its values are the caller's.
 */
export function parseNewJob(input: NewJob, what: string): ParsedNewJob {
  return handParsed(input) ?? parseInput(NewJobSchema, input, what);
}

/**
 * Parses the rows of a `jobs.enqueueMany` call: at most `MAX_ROWS_PER_CALL`, each as {@link parseNewJob} (a bad row
 * `i` is `invalid job <i>: …`), or a `ValidationError`.
 */
export function parseNewJobs(inputs: readonly NewJob[]): ParsedNewJob[] {
  const rows = inputRows(inputs, 'jobs');
  const parsed: ParsedNewJob[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) parsed[i] = handParsed(rows[i]) ?? parseInput(NewJobSchema, rows[i], `job ${i}`);
  return parsed;
}

/** What a new job takes from its enqueue call: the parsed row, its id and run time settled. */
export type QueuedJobFields = Pick<
  Job,
  'id' | 'type' | 'payload' | 'dedupeKey' | 'serialKey' | 'batchKey' | 'priority' | 'runAt' | 'maxAttempts'
>;

/** A job as an enqueue stores it: `fields`, queued, never tried, held by no worker, created and updated `now`. */
export function queuedJob(fields: QueuedJobFields, now: Date): Job {
  return {
    id: fields.id,
    type: fields.type,
    payload: fields.payload,
    dedupeKey: fields.dedupeKey,
    serialKey: fields.serialKey,
    batchKey: fields.batchKey,
    priority: fields.priority,
    runAt: fields.runAt,
    maxAttempts: fields.maxAttempts,
    state: 'queued',
    attempts: 0,
    lastError: null,
    failingSince: null,
    parkedOn: null,
    lockedBy: null,
    leaseToken: null,
    leaseExpiresAt: null,
    result: null,
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
  };
}
