import { z } from 'zod';
import { IdSchema, JsonObjectSchema, JsonValueSchema } from './common.js';
import type { SerializedError } from '../errors.js';

/**
 * Every state a durable job can be in: `queued` → `running` → `succeeded`, back to `queued` on a
 * retryable failure, `dead` when given up, `cancelled` when superseded or cancelled.
 */
export const JOB_STATES = ['queued', 'running', 'succeeded', 'dead', 'cancelled'] as const;
/** Validates a {@link JobState}. */
export const JobStateSchema = z.enum(JOB_STATES);
/** One of {@link JOB_STATES}. */
export type JobState = z.infer<typeof JobStateSchema>;

/**
 * Validates a `SerializedError` (an error as `toJSON()` wrote it), e.g. a job's `lastError`. Typed by hand:
 * a declaration file cannot spell the inferred type of a schema that refers to itself (`cause`), and
 * writes `any` in its place.
 */
export const SerializedErrorSchema: z.ZodType<SerializedError> = z.object({
  name: z.string(),
  code: z.string(),
  message: z.string(),
  retryable: z.boolean(),
  details: z.record(z.string(), z.unknown()).optional(),
  get cause() {
    return SerializedErrorSchema.optional();
  },
});

/**
 * The bounds of a job's fields and the defaults of a new one: what `NewJobSchema` checks, and what the storages' hand
 * check of a row (`parseNewJob`) checks without zod.
 */
export const JOB_FIELD_RULES = {
  /** Dotted lower-case words. */
  type: /^[a-z_]+(\.[a-z_]+)*$/,
  typeMaxLength: 100,
  /** Dedupe, serial and batch keys: 1 to this many characters. */
  keyMaxLength: 300,
  /** Priorities lie in `[-priorityBound, priorityBound]`. */
  priorityBound: 1000,
  maxAttemptsBound: 1000,
  defaultPriority: 0,
  defaultMaxAttempts: 10,
} as const;
const RULES = JOB_FIELD_RULES;

const jobFields = {
  id: IdSchema,
  /** What the job does, e.g. `subscription.provision`; the worker routes on it. */
  type: z.string().regex(RULES.type).max(RULES.typeMaxLength),
  payload: JsonObjectSchema,
  /** At most one queued and one running job per key. */
  dedupeKey: z.string().min(1).max(RULES.keyMaxLength).nullable(),
  /**
   * Jobs with the same serialisation key never run at once anywhere in the deployment (work a panel
   * must see one at a time, e.g. `panel:<panelId>|target:<remoteRef>`); `null` runs freely. See
   * `JobRepository.claim`.
   */
  serialKey: z.string().min(1).max(RULES.keyMaxLength).nullable(),
  /**
   * Jobs with the same batch key are claimed together: a claim that takes one also takes the key's other
   * due jobs, up to `ClaimRequest.batchLimit`, for one batch write (the engine's provisioning jobs carry
   * their target's, `subscription.provision|target:<targetId>`). Global like dedupe keys, so start it with
   * the job type. `null` is claimed on its own. See `JobRepository.claim`.
   */
  batchKey: z.string().min(1).max(RULES.keyMaxLength).nullable(),
  /** Lower runs first. */
  priority: z.number().int().min(-RULES.priorityBound).max(RULES.priorityBound),
  runAt: z.date(),
  maxAttempts: z.number().int().min(1).max(RULES.maxAttemptsBound),
};

/** A durable unit of work as stored, with its attempts, last error and lease. */
export const JobSchema = z.object({
  ...jobFields,
  state: JobStateSchema,
  attempts: z.number().int().nonnegative(),
  lastError: SerializedErrorSchema.nullable(),
  /**
   * When the job's current run of failed (or parked) attempts began; `null` until its first one, and
   * again after an admin's retry. The engine gives a job up a set time after it (`giveUpAfterMs`).
   */
  failingSince: z.date().nullable(),
  /**
   * The panel this queued job is parked on (it waits, without spending attempts, while that panel is
   * down; `unpark` wakes it when it recovers). `null` when not parked.
   */
  parkedOn: z.string().nullable(),
  lockedBy: z.string().nullable(),
  leaseToken: z.string().nullable(),
  leaseExpiresAt: z.date().nullable(),
  result: JsonValueSchema.nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  finishedAt: z.date().nullable(),
});
/** A job as stored (see `JobSchema`). */
export type Job = z.infer<typeof JobSchema>;

/** Validates a job to enqueue: runs now, priority 0, at most 10 attempts unless given. */
export const NewJobSchema = z.object({
  ...jobFields,
  id: IdSchema.optional(),
  payload: JsonObjectSchema.default({}),
  dedupeKey: jobFields.dedupeKey.default(null),
  serialKey: jobFields.serialKey.default(null),
  batchKey: jobFields.batchKey.default(null),
  priority: jobFields.priority.default(RULES.defaultPriority),
  /** Defaults to now. */
  runAt: z.date().optional(),
  maxAttempts: jobFields.maxAttempts.default(RULES.defaultMaxAttempts),
});
/** Input of `jobs.enqueue`. */
export type NewJob = z.input<typeof NewJobSchema>;

/** Proof of ownership of a running job: complete, fail and heartbeat only work with it. */
export interface Lease {
  readonly jobId: string;
  readonly token: string;
}

/** A job handed to a worker by `jobs.claim`, with the lease that proves the worker owns it. */
export interface ClaimedJob {
  readonly job: Job;
  readonly lease: Lease;
}
