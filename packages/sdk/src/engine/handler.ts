import type { ClaimedJob, Job } from '../domain/job.js';
import type { Panel } from '../domain/panel.js';
import { toPanelkitError } from '../errors.js';
import type { PanelkitError } from '../errors.js';
import type { CallContext } from '../ports/panel.js';
import type { PanelHandle } from './adapters.js';
import type { EngineContext } from './context.js';
import type { JobRetryPolicy } from './policy.js';

/** Points in a job's run where a worker can be observed (or frozen, to simulate a crash). */
export type WorkerStep = 'claimed' | 'panel_called' | 'storage_written';

/** What a handler gets besides its jobs. */
export interface HandlerEnv {
  readonly ctx: EngineContext;
  readonly workerId: string;
  readonly signal: AbortSignal;
  /** The panel of the jobs' route as the worker read it for their claim, when it did (one read a claim, not one a batch). */
  readonly handle?: PanelHandle;
  /**
   * Makes one panel call through the panel's concurrency queue. A job's `first` call is not made
   * once the worker is stopping (the job goes back to the queue untouched); later calls of a job
   * that has begun are, so it can finish.
   */
  call<T>(
    handle: PanelHandle,
    idempotencyKey: string,
    fn: (ctx: CallContext) => Promise<T>,
    options?: { first?: boolean; attempt?: number },
  ): Promise<T>;
  /** Reports reaching a step; resolves when the worker may go on. */
  step(step: WorkerStep, job: Job): Promise<void>;
}

/** Where a job runs: on which panel's queue, and with which others it may share one panel call. */
export interface JobRoute {
  panelId: string;
  /** Jobs with the same batch key may be run together in one `run` call. */
  batchKey?: string;
  /**
   * The panel as the handler read it for this claim (`panels.get`'s row, e.g. from `subscriptions.getManyWithPlaces`),
   * so the worker does not read it again; absent, the worker reads it.
   */
  panel?: Panel;
}

/**
 * A job's run: done, or failed with `error`. `completed`: the handler completed the job itself, under its lease, in the
 * transaction that wrote what the job did (`true`: its lease was held; `false`: lost, nothing completed), and the
 * worker writes nothing more for it.
 */
export type JobOutcome = { ok: true; completed?: boolean } | { ok: false; error: PanelkitError };

export interface JobHandler {
  readonly type: string;
  /** Runs in the worker's process without a panel (a host job): `route` is not asked. */
  readonly local?: boolean;
  /**
   * A local type whose jobs without a serial key, of one claim, are run together: one `run` call for up to the
   * policy's `maxBatchSize` of them (a host job type with `runMany`).
   */
  readonly runsTogether?: boolean;
  /** How this type retries and when it is given up; default the engine policy's `jobRetry`. */
  readonly retry?: JobRetryPolicy;
  /**
   * Called once per claim with this type's claimed jobs, before any is routed: reads what `route` needs for all
   * of them at once (one statement, not one a job). Optional; a throw is ignored (`route` reads for itself).
   */
  prepare?(ctx: EngineContext, jobs: readonly Job[]): Promise<void>;
  /** `null` when the job has nothing left to do (it is completed at once). */
  route(ctx: EngineContext, job: Job): Promise<JobRoute | null>;
  /** Runs the jobs (one, or a batch sharing a batch key); one outcome per job, by job id. */
  run(env: HandlerEnv, jobs: readonly ClaimedJob[]): Promise<Map<string, JobOutcome>>;
  /**
   * Runs one job, as `run` would for it alone: the worker calls it for a group of one job when the handler has it (a
   * host job: every one runs alone), without a map of outcomes.
   */
  runOne?(env: HandlerEnv, claimed: ClaimedJob): Promise<JobOutcome>;
  /** Called once, before the job is marked dead, when it failed for good. */
  onDead?(ctx: EngineContext, job: Job, error: PanelkitError): Promise<void>;
}

/** Runs `fn` for one job and turns its throw into an outcome. */
export async function outcomeOf(fn: () => Promise<void>, toError: (e: unknown) => PanelkitError): Promise<JobOutcome> {
  try {
    await fn();
    return { ok: true };
  } catch (error) {
    return { ok: false, error: toError(error) };
  }
}

/** A `run` that takes the jobs one at a time through `one`. */
export function eachAlone(one: (env: HandlerEnv, job: Job) => Promise<void>) {
  return async (env: HandlerEnv, jobs: readonly ClaimedJob[]): Promise<Map<string, JobOutcome>> => {
    const outcomes = new Map<string, JobOutcome>();
    for (const { job } of jobs) outcomes.set(job.id, await outcomeOf(() => one(env, job), toPanelkitError));
    return outcomes;
  };
}
