/**
 * Host jobs: job types a host (a shop) defines for its own side effects — a notification, a
 * broadcast copy, a backup — run by the engine's worker with the engine's guarantees: enqueued in
 * the host's `storage.transaction` together with the change that causes them (an outbox), claimed
 * under leases with fenced lease tokens, serialised by serial key, retried with bounded backoff,
 * given up as `dead` (listed, retryable by an admin) like any engine job.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { ClaimedJob, Job, Lease, NewJob } from '../domain/job.js';
import { parseInput } from '../domain/validate.js';
import { ConfigurationError, InternalError, PanelkitError } from '../errors.js';
import { MAX_ROWS_PER_CALL } from '../ports/storage.js';
import type { JobEnqueueResult, JobRepository, StoragePort, StorageTransaction, TickRepository } from '../ports/storage.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { HandlerEnv, JobHandler, JobOutcome } from './handler.js';
import { JOB_TYPES } from './job-types.js';
import type { JobRetryPolicy } from './policy.js';

/** What a host job's `run` gets besides its payload. */
export interface HostJobContext {
  /** The job as claimed: `attempts` counts this run, `id` is stable across its retries (an idempotency key for the outside world). */
  readonly job: Job;
  /** Aborted when the worker stops and gives up waiting for the job; stop what you can. */
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Runs `fn` in a storage transaction that completes this job last, under its lease (`jobs.completeMany`): the job has
   * succeeded exactly when that transaction commits, and the worker writes nothing more for it. For the job's last
   * write, which its completion then rides with (on PostgreSQL in the `COMMIT`'s round trip: one round trip fewer than
   * the worker's completion after `run`). A lease lost meanwhile completes nothing; `fn`'s writes commit all the same
   * (the worker reports the lease lost, as it would have). At most once a run (`ConfigurationError` after a commit);
   * once it has committed the job is done, and a throw of `run` after it is logged, not retried.
   * `completeHostJobsWith` does it for several jobs of a `runMany` call in one transaction. On every context a worker
   * gives; absent on one a host's test makes by hand.
   */
  readonly completeWith?: <T>(fn: (tx: StorageTransaction) => Promise<T>) => Promise<T>;
}

/** One job of a `runMany` call: its payload, parsed, and what `run` would get with it. */
export interface HostJobItemRun<P> {
  readonly payload: P;
  readonly context: HostJobContext;
}

/** How a host job type retries; every field has a default. */
export interface HostJobRetry {
  /** Runs in all before the job is `dead`. Default 10. */
  maxAttempts?: number;
  /** Delay cap before jitter for the first retry. Default 1 s. */
  baseDelayMs?: number;
  /** No computed delay exceeds this (a `RetryLaterError`'s wait still does). Default 10 min. */
  maxDelayMs?: number;
  /** How long a job may keep failing, from its first failure, before it is given up. Default 24 h. */
  giveUpAfterMs?: number;
}

/** What `defineHostJob` takes. */
export interface HostJobSpec<S extends z.ZodType> {
  /** Dotted lower-case name, e.g. `shop.notification`; must not be one of the engine's `JOB_TYPES`. */
  type: string;
  /** Validates the payload when enqueued and again when run. Its output must be JSON. */
  payload: S;
  /**
   * Does the work. Runs at least once: after a crash or a lost lease it runs again with the same
   * `job.id`, so make the side effect idempotent (or record it, as a broadcast copy does, before
   * the call that cannot be taken back). Throw to fail the attempt: a `PanelkitError` not marked
   * retryable (e.g. `ValidationError`) gives the job up at once; `RetryLaterError` waits as asked.
   */
  run(payload: z.output<S>, context: HostJobContext): Promise<void>;
  /**
   * Runs several jobs of this type in one call, in place of `run` for each: the worker hands it the jobs of this type
   * without a serial key that one claim brought (at most the policy's `maxBatchSize`), so what they read and write can
   * be read and written once for all of them (one transaction, one statement for many rows). Each item's
   * `context.job` is its own. Runs at least once, as `run` does. Resolve with the jobs that failed, by job id, each
   * with what it would have thrown from `run` (nothing, or an empty map: all succeeded); a throw fails every job of the
   * call. Each failed job is retried (or given up) on its own, as from `run`. A job whose payload no longer parses
   * fails alone. A job claimed alone, or with a serial key, goes to `run`.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a `runMany` that fails nothing alone returns nothing, as `run` does
  runMany?(items: readonly HostJobItemRun<z.output<S>>[]): Promise<ReadonlyMap<string, unknown> | void>;
  /** Jobs with the same serial key never run at once anywhere in the deployment. */
  serialKey?(payload: z.output<S>): string | null;
  /** Called once when the job is given up, before it is marked `dead`; a throw retries the job later. */
  onDead?(payload: z.output<S>, error: PanelkitError, job: Job): Promise<void>;
  retry?: HostJobRetry;
}

/** A host job type, ready to enqueue (`enqueueHostJob`) and to hand to `kit.createWorker({ hostJobs })`. */
export interface HostJobDefinition<S extends z.ZodType = z.ZodType> extends HostJobSpec<S> {
  readonly retry: Required<HostJobRetry>;
}

const DEFAULT_HOST_RETRY: Required<HostJobRetry> = {
  maxAttempts: 10,
  baseDelayMs: 1000,
  maxDelayMs: 10 * 60_000,
  giveUpAfterMs: 24 * 60 * 60_000,
};

const ENGINE_TYPES = new Set<string>(Object.values(JOB_TYPES));

/** Defines a host job type; `ConfigurationError` for a bad type name or retry setting. */
export function defineHostJob<S extends z.ZodType>(spec: HostJobSpec<S>): HostJobDefinition<S> {
  if (!/^[a-z_]+(\.[a-z_]+)+$/.test(spec.type) || spec.type.length > 100)
    throw new ConfigurationError(`host job type "${spec.type}" must be dotted lower-case words, e.g. shop.notification`);
  if (ENGINE_TYPES.has(spec.type)) throw new ConfigurationError(`host job type "${spec.type}" is one of the engine's`);
  const retry = { ...DEFAULT_HOST_RETRY, ...spec.retry };
  for (const [name, value] of Object.entries(retry)) {
    if (!Number.isInteger(value) || value < 1) throw new ConfigurationError(`retry.${name} of ${spec.type} must be a positive integer`);
  }
  if (retry.maxAttempts > 999) throw new ConfigurationError(`retry.maxAttempts of ${spec.type} must be at most 999`);
  return { ...spec, retry };
}

/** When and how `enqueueHostJob` enqueues. */
export interface HostJobEnqueueOptions {
  /**
   * The cause's idempotency key: a job type and key are enqueued at most once, ever (whatever the
   * first one's state now), so a cause replayed or raced from several replicas enqueues one job.
   */
  key?: string;
  /** At most one queued job per dedupe key: a second enqueue merges into it (see `JobRepository.enqueue`). */
  dedupeKey?: string;
  /** Not before then; default now. */
  runAt?: Date;
  /** Lower runs first; default 0. */
  priority?: number;
}

/** The job id a host job type and cause key always get: what makes `key` enqueue at most once. */
export function hostJobId(type: string, key: string): string {
  return `hjob_${createHash('sha256').update(`${type}\u0000${key}`).digest('base64url').slice(0, 32)}`;
}

/** The stored job of a host job of `definition`: its payload validated (`ValidationError` on bad input). */
function hostJobRow<S extends z.ZodType>(definition: HostJobDefinition<S>, payload: z.input<S>, options: HostJobEnqueueOptions): NewJob {
  const parsed = parseInput(definition.payload, payload, `${definition.type} payload`) as z.output<S>;
  const job: NewJob = {
    type: definition.type,
    payload: parsed as NewJob['payload'],
    dedupeKey: options.dedupeKey === undefined ? null : `${definition.type}:${options.dedupeKey}`,
    serialKey: definition.serialKey?.(parsed) ?? null,
    priority: options.priority ?? 0,
    runAt: options.runAt,
    // One attempt held back, as for the engine's jobs: a worker that dies on the last real
    // attempt leaves it to be reaped and given up (with `onDead`) rather than lost.
    maxAttempts: definition.retry.maxAttempts + 1,
  };
  if (options.key !== undefined) job.id = hostJobId(definition.type, options.key);
  return job;
}

/**
 * Enqueues a host job, its payload validated (`ValidationError`, nothing written, on bad input).
 * Pass the `tx` of the `storage.transaction` that writes the cause, so the job exists if and only
 * if the cause committed.
 */
export async function enqueueHostJob<S extends z.ZodType>(
  storage: { readonly jobs: Pick<JobRepository, 'enqueue'> },
  definition: HostJobDefinition<S>,
  payload: z.input<S>,
  options: HostJobEnqueueOptions = {},
): Promise<JobEnqueueResult> {
  return storage.jobs.enqueue(hostJobRow(definition, payload, options));
}

/** One job of `enqueueHostJobs`: what `enqueueHostJob` takes for it. */
export interface HostJobItem<S extends z.ZodType = z.ZodType> {
  payload: z.input<S>;
  options?: HostJobEnqueueOptions;
}

/**
 * Enqueues many host jobs of one type, each as `enqueueHostJob` would, through `jobs.enqueueMany`: one call (one
 * statement on PostgreSQL) a {@link MAX_ROWS_PER_CALL} jobs instead of one a job. Every payload is validated before
 * anything is written (`ValidationError`, nothing written). Results in the order given. Pass the `tx` of the cause's
 * transaction: the jobs then exist if and only if it committed, all of them even beyond one call's rows.
 */
export async function enqueueHostJobs<S extends z.ZodType>(
  storage: { readonly jobs: Pick<JobRepository, 'enqueueMany'> },
  definition: HostJobDefinition<S>,
  items: readonly HostJobItem<S>[],
): Promise<JobEnqueueResult[]> {
  const rows = items.map((item) => hostJobRow(definition, item.payload, item.options ?? {}));
  const results: JobEnqueueResult[] = [];
  for (let i = 0; i < rows.length; i += MAX_ROWS_PER_CALL)
    results.push(...(await storage.jobs.enqueueMany(rows.slice(i, i + MAX_ROWS_PER_CALL))));
  return results;
}

/** What `enqueuePeriodicHostJob` needs of a storage. */
export interface PeriodicStorage {
  /** Runs `fn` in one transaction (a `StoragePort`'s `transaction`): the slot and its job commit together. */
  transaction<T>(fn: (tx: { readonly jobs: Pick<JobRepository, 'enqueue'>; readonly ticks: TickRepository }) => Promise<T>): Promise<T>;
}

/** The slot a periodic job is due in: `every` long, shifted by `offsetMs` from the epoch (UTC). */
export function periodicSlot(now: Date, everyMs: number, offsetMs = 0): Date {
  return new Date(Math.floor((now.getTime() - offsetMs) / everyMs) * everyMs + offsetMs);
}

/**
 * Per storage, the latest slot of each periodic job type this process saw settled: won by one of its calls, or found
 * won by another replica, each after its transaction committed. A slot is only ever won once and never one earlier
 * than a slot won, so asking for that slot or an earlier one again can only lose: such a call answers at once, with
 * no transaction (a replica calls each type every tick, several times a slot).
 */
const settledSlots = new WeakMap<PeriodicStorage, Map<string, number>>();

/**
 * Leaderless periodic work: call on every replica on an interval (or from the scheduler's tick).
 * Of all replicas calling for the same slot, exactly one enqueues the slot's job (won through
 * `ticks.tryAcquire` in the same transaction); a slot earlier than one already won is never run.
 * Returns the slot and whether this call enqueued it. A slot this process already saw settled is not asked again.
 */
export async function enqueuePeriodicHostJob<S extends z.ZodType>(
  storage: PeriodicStorage,
  definition: HostJobDefinition<S>,
  schedule: { everyMs: number; offsetMs?: number; now: Date; payload: (slot: Date) => z.input<S> },
): Promise<{ slot: Date; enqueued: boolean }> {
  if (!Number.isInteger(schedule.everyMs) || schedule.everyMs < 1000)
    throw new ConfigurationError(`everyMs of ${definition.type} must be an integer of at least 1000`);
  const slot = periodicSlot(schedule.now, schedule.everyMs, schedule.offsetMs);
  const name = `host:${definition.type}`;
  let settled = settledSlots.get(storage);
  if (settled === undefined) settledSlots.set(storage, (settled = new Map()));
  const seen = settled.get(name);
  if (seen !== undefined && seen >= slot.getTime()) return { slot, enqueued: false };
  const enqueued = await storage.transaction(async (tx) => {
    if (!(await tx.ticks.tryAcquire(name, slot))) return false;
    await enqueueHostJob(tx, definition, schedule.payload(slot), { key: `slot:${slot.toISOString()}` });
    return true;
  });
  settled.set(name, Math.max(settled.get(name) ?? slot.getTime(), slot.getTime()));
  return { slot, enqueued };
}

/** A run's job as `completeHostJobsWith` completes it: whether it did (`undefined`: not asked, or not committed). */
interface RunCompletion {
  readonly storage: StoragePort;
  readonly lease: Lease;
  completed: boolean | undefined;
}

/** The completion of each context a worker handed a host job's `run` or `runMany`. */
const runCompletions = new WeakMap<HostJobContext, RunCompletion>();

/**
 * Runs `fn` in one storage transaction that completes the jobs of `contexts` last (each under its lease, in one
 * `jobs.completeMany`), as `HostJobContext.completeWith` does for one: for a `runMany` call whose last write is
 * shared by its jobs. Each job has succeeded exactly when the transaction commits; one whose lease was lost completes
 * nothing. `ConfigurationError` for a context no worker gave, contexts of two storages, or a job completed already.
 */
export async function completeHostJobsWith<T>(contexts: readonly HostJobContext[], fn: (tx: StorageTransaction) => Promise<T>): Promise<T> {
  const runs = [
    ...new Set(
      contexts.map((context) => {
        const run = runCompletions.get(context);
        if (run === undefined)
          throw new ConfigurationError("completeHostJobsWith takes the contexts a worker gave a host job's run or runMany");
        return run;
      }),
    ),
  ];
  const storage = runs[0]?.storage;
  if (storage === undefined) throw new ConfigurationError('completeHostJobsWith needs at least one job to complete');
  if (runs.some((run) => run.storage !== storage)) throw new ConfigurationError('completeHostJobsWith: the jobs are of two storages');
  if (runs.some((run) => run.completed === true)) throw new ConfigurationError('completeHostJobsWith: a job was completed already');
  const { result, held } = await storage.transaction(async (tx) => {
    const result = await fn(tx);
    const held: Lease[] = [];
    for (let i = 0; i < runs.length; i += MAX_ROWS_PER_CALL)
      held.push(...(await tx.jobs.completeMany(runs.slice(i, i + MAX_ROWS_PER_CALL).map((run) => run.lease))));
    return { result, held };
  });
  const done = new Set(held.map((lease) => `${lease.jobId}\u0000${lease.token}`));
  for (const run of runs) run.completed = done.has(`${run.lease.jobId}\u0000${run.lease.token}`);
  return result;
}

/**
 * A run's outcome: it succeeded, or failed with `failure.error`; either way, once its `completeWith` committed, done
 * (`completed`: the worker writes nothing more), a failure after it only logged.
 */
function outcomeOfRun(env: HandlerEnv, context: HostJobContext, failure?: { error: unknown }): JobOutcome {
  const completed = runCompletions.get(context)?.completed;
  if (completed === undefined) return failure === undefined ? SUCCEEDED : { ok: false, error: hostError(failure.error) };
  if (failure !== undefined)
    env.ctx.logger.warn(
      { err: failure.error, jobId: context.job.id, type: context.job.type },
      'a host job failed after its completion committed',
    );
  return { ok: true, completed };
}

/** Every succeeded host job's outcome (one object, not one a job). */
const SUCCEEDED: JobOutcome = { ok: true };

/**
 * A host handler's throw as a job error: a `PanelkitError` as it is; anything else (a network
 * error, a bug) is retried, its name and the start of its message kept for the dead-job view.
 */
function hostError(error: unknown): PanelkitError {
  if (PanelkitError.is(error)) return error;
  const what = error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : typeof error;
  return new InternalError(`host job failed (${what})`, { cause: error, retryable: true });
}

/** The worker's handler for a host job type: runs locally (no panel), with the type's own retry policy. */
export function hostJobHandler(definition: HostJobDefinition): JobHandler {
  const retry: JobRetryPolicy = {
    maxAttempts: definition.retry.maxAttempts,
    baseDelayMs: definition.retry.baseDelayMs,
    maxDelayMs: definition.retry.maxDelayMs,
    maxRetryAfterMs: Number.MAX_SAFE_INTEGER,
    giveUpAfterMs: definition.retry.giveUpAfterMs,
  };
  const payloadOf = (job: Job) => parseInput(definition.payload, job.payload, `${definition.type} payload`);
  const contextOf = (env: HandlerEnv, { job, lease }: ClaimedJob): HostJobContext => {
    const context: HostJobContext = {
      job,
      signal: env.signal,
      clock: env.ctx.clock,
      logger: env.ctx.logger,
      completeWith: (fn) => completeHostJobsWith([context], fn),
    };
    runCompletions.set(context, { storage: env.ctx.storage, lease, completed: undefined });
    return context;
  };
  const runOne = async (env: HandlerEnv, claimed: ClaimedJob): Promise<JobOutcome> => {
    let context: HostJobContext | undefined;
    try {
      const payload = payloadOf(claimed.job);
      context = contextOf(env, claimed);
      await definition.run(payload, context);
      return outcomeOfRun(env, context);
    } catch (error) {
      return context === undefined ? { ok: false, error: hostError(error) } : outcomeOfRun(env, context, { error });
    }
  };
  const runMany = definition.runMany;
  return {
    type: definition.type,
    local: true,
    ...(runMany === undefined ? {} : { runsTogether: true }),
    retry,
    route: async () => null,
    async run(env, jobs) {
      const outcomes = new Map<string, JobOutcome>();
      if (runMany === undefined || jobs.length < 2) {
        for (const claimed of jobs) outcomes.set(claimed.job.id, await runOne(env, claimed));
        return outcomes;
      }
      const items: { payload: unknown; context: HostJobContext }[] = [];
      for (const claimed of jobs) {
        try {
          items.push({ payload: payloadOf(claimed.job), context: contextOf(env, claimed) });
        } catch (error) {
          outcomes.set(claimed.job.id, { ok: false, error: hostError(error) });
        }
      }
      if (items.length === 0) return outcomes;
      let failed: ReadonlyMap<string, unknown> | undefined;
      try {
        failed = (await runMany(items)) ?? undefined;
      } catch (error) {
        for (const { context } of items) outcomes.set(context.job.id, outcomeOfRun(env, context, { error }));
        return outcomes;
      }
      for (const { context } of items) {
        const id = context.job.id;
        outcomes.set(id, outcomeOfRun(env, context, failed?.has(id) === true ? { error: failed.get(id) } : undefined));
      }
      return outcomes;
    },
    runOne,
    async onDead(_ctx, job, error) {
      if (definition.onDead === undefined) return;
      let payload: unknown;
      try {
        payload = payloadOf(job);
      } catch {
        return; // A payload that no longer parses has nothing to compensate.
      }
      await definition.onDead(payload, error, job);
    },
  };
}

/** The handlers for `createWorker`'s `hostJobs`; `ConfigurationError` when two share a type. */
export function hostJobHandlers(definitions: readonly HostJobDefinition[] = []): JobHandler[] {
  const seen = new Set<string>();
  return definitions.map((definition) => {
    if (seen.has(definition.type)) throw new ConfigurationError(`host job type "${definition.type}" is given twice`);
    seen.add(definition.type);
    return hostJobHandler(definition);
  });
}
