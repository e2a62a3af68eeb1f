import type { ClaimedJob, Job, Lease } from '../domain/job.js';
import type { Panel } from '../domain/panel.js';
import { createId } from '../domain/ids.js';
import { ConflictError, PanelAuthError, PanelkitError, RetryLaterError, StorageUnavailableError, toPanelkitError } from '../errors.js';
import { abortableSleep, backoffDelay } from '../retry.js';
import { isShutdownError } from './adapters.js';
import type { PanelHandle } from './adapters.js';
import { BatchGathering } from './batch-gathering.js';
import { Completions } from './completions.js';
import type { EngineContext } from './context.js';
import { giveUpAt, isKnownDown, stayedDownError } from './outage.js';
import type { HostJobDefinition } from './host-jobs.js';
import type { HandlerEnv, JobHandler, JobOutcome, JobRoute, WorkerStep } from './handler.js';

/** Options of `kit.createWorker`; every field has a default. */
export interface WorkerOptions {
  /** Names this worker in leases and events. Default a random id. */
  id?: string;
  /**
   * Most jobs claimed at once, and held at once by `start()` (running, or waiting in the worker's local queue for a
   * free slot), 1…1000. Default 100. While it holds jobs, `start()` claims again once `maxBatchSize` jobs' room (or half
   * of this limit, if less) is free. A job whose handler is done no longer takes room while its settlement is written
   * (grouped with the others'), up to as many such jobs again: the next claim overlaps those writes.
   */
  claimLimit?: number;
  /**
   * Most jobs running at once (started, their handler not yet done; a finished job's settlement is written meanwhile,
   * grouped with the others'); the rest of what was claimed waits in the worker's local queue and starts as running
   * jobs finish, a batch key's jobs together. Jobs still waiting there when `stop()` begins
   * go back to the queue at once (their attempt not counted), not when their lease runs out. Default: no bound but
   * the claims' (every claimed job starts at once, and `start()` holds at most `claimLimit`).
   */
  concurrency?: number;
  /**
   * How long `start()` waits between empty polls. Default 1 s (with jitter). On a storage that signals queued jobs
   * (`StoragePort.jobsQueued`: the memory and PostgreSQL storages) the worker also claims as soon as a job due now is
   * committed, on any replica (on PostgreSQL one sleeping worker is woken a job, not every worker), or a dedupe or
   * serialisation key a queued job waits on is freed; the poll still finds what no signal announces: jobs that come due
   * later (a retry's backoff, a parked job's recheck, a scheduled run), and signals lost while the storage's listening
   * connection was down.
   */
  pollIntervalMs?: number;
  /** How often held leases are extended. Default a third of the lease. */
  heartbeatIntervalMs?: number;
  /**
   * The host's own job types (`defineHostJob`), run beside the engine's with the same leases,
   * serial keys, retries and dead-job handling.
   */
  hostJobs?: readonly HostJobDefinition[];
  /** `false`: run only `hostJobs` (e.g. a bot process that sends its own messages). Default true. */
  engineJobs?: boolean;
  /**
   * Called when a job reaches a step; the job goes on when it resolves. For tracing, and in
   * tests a promise that never resolves stands for a worker that died at that step.
   */
  onStep?: (step: WorkerStep, job: Job) => void | Promise<void>;
}

/**
 * Runs durable jobs (provisioning, updates, removals) under leases. Start one or more per process;
 * replicas sharing a storage never run a job twice at once.
 */
export interface Worker {
  /** The id this worker claims jobs under (`WorkerOptions.id` or a random one). */
  readonly id: string;
  /** Claims due jobs once, runs them through the per-panel queues, and settles each. Returns how many were claimed. */
  runOnce(): Promise<number>;
  /** Extends the leases of the jobs this worker holds now (it also does so every `heartbeatIntervalMs`). */
  heartbeat(): Promise<void>;
  /** `runOnce` until nothing due is left. Returns how many jobs were claimed in all. */
  drain(): Promise<number>;
  /** Polls and runs jobs in the background until `stop()`. */
  start(): void;
  /**
   * Stops claiming, lets running jobs finish for up to `timeoutMs` (default 10 s), then aborts
   * them; every job not finished is handed back to the queue without counting the attempt.
   */
  stop(options?: { timeoutMs?: number }): Promise<void>;
}

interface Group {
  handler: JobHandler;
  /** `null` for a local (host) job. */
  route: JobRoute | null;
  jobs: ClaimedJob[];
  /** The route's panel as read for the claim. */
  handle?: PanelHandle;
}

/**
 * Whether a failed job waits and runs again. Beyond errors marked retryable: a conflict or an
 * unavailable storage passes, and refused panel credentials are the shop's to fix (a rotated
 * token, a changed password), so the customer's job waits for that within its attempts rather
 * than being refunded on the spot.
 */
function isRetryable(error: PanelkitError): boolean {
  return error.retryable || ConflictError.is(error) || StorageUnavailableError.is(error) || PanelAuthError.is(error);
}

/**
 * One claim's jobs in the worker's hands: `done` settles once every one of them has run or gone back unstarted (one
 * promise a claim, not one a job: bench/queue), and fails with the first run that failed.
 */
interface ClaimRun {
  readonly done: Promise<void>;
  /** `jobs` of the claim have run (or gone back). */
  ran(jobs: number): void;
  failed(error: unknown): void;
}

function claimRun(jobs: number): ClaimRun {
  let left = jobs;
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const done = new Promise<void>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return {
    done,
    ran(n) {
      left -= n;
      if (left === 0) resolve();
    },
    failed: reject,
  };
}

/** Claimed jobs that start together from the local queue: one job, or a batch key's jobs of one claim. */
interface Unit {
  jobs: ClaimedJob[];
  /** The claim the unit came in. */
  claim: ClaimRun;
}

/** A claim's jobs as local-queue units, in claim order: jobs of one batch key join the unit of its first one. */
function unitsOf(claimed: readonly ClaimedJob[]): ClaimedJob[][] {
  const units: ClaimedJob[][] = [];
  const byBatchKey = new Map<string, ClaimedJob[]>();
  for (const item of claimed) {
    const key = item.job.batchKey;
    const open = key === null ? undefined : byBatchKey.get(key);
    if (open !== undefined) {
      open.push(item);
      continue;
    }
    const unit = [item];
    units.push(unit);
    if (key !== null) byBatchKey.set(key, unit);
  }
  return units;
}

/**
 * A worker that runs the engine's and the host's durable jobs with `handlers`. Each claim fetches up to
 * `claimLimit` jobs into a local queue, started as slots free (`concurrency`; unset, every claimed job starts at
 * once); a batch key's jobs of one claim start together, one serial key's jobs one after another. A job's slot frees
 * when its handler returns: completions and failures (retries, parking, dead jobs) are written in groups under each
 * job's own lease, so a job whose lease was lost is not settled. `stop()` hands the unstarted jobs back at once.
 */
export function createWorker(ctx: EngineContext, handlers: readonly JobHandler[], options: WorkerOptions = {}): Worker {
  const id = options.id ?? createId('wrk');
  const byType = new Map(handlers.map((h) => [h.type, h]));
  const types = [...byType.keys()];
  const claimLimit = options.claimLimit ?? 100;
  const concurrency = Math.max(1, options.concurrency ?? Number.POSITIVE_INFINITY);
  /**
   * The least room the `start()` loop claims into while it holds jobs: one batch (`maxBatchSize`), or half
   * the claim limit when that is less. A claim of whatever room the last settled jobs left took a target's
   * due jobs a few at a time, each piece its own batch (bench/scale: ~6 jobs a claim, a target's 50 jobs in
   * up to 11 creates).
   */
  const claimRoom = Math.min(ctx.policy.maxBatchSize, Math.ceil(claimLimit / 2));
  const held = new Map<string, Lease>();
  const abort = new AbortController();
  /** Aborted when `stop()` begins: panel calls not yet started are not made. */
  const gate = new AbortController();
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let stopping = false;
  let running: Promise<void> | undefined;
  const inFlight = new Set<Promise<number>>();
  /** Wakes the `start()` loop when jobs settle and there is room to claim, or when jobs were queued. */
  let wake: (() => void) | undefined;
  const pollAbort = new AbortController();
  /** The storage said jobs were queued since the `start()` loop's last claim began: claim again before sleeping. */
  let queued = false;
  /**
   * Whether a claim now may find a due job that no signal will announce: the `start()` loop's last claim took all it
   * asked for (or asked nothing, or failed), or the storage does not signal queued jobs. Only then do settling jobs
   * wake the loop; otherwise the claim would be an empty one (bench/rush: three a lone purchase), and what is queued
   * meanwhile wakes it (`queued`), as does a key freed while a queued job waits on it (storage port 37: the storage
   * signals that too, so settling a keyed job is no reason to claim again).
   */
  let mayBeDue = true;
  /** Ends the `start()` loop's subscription to `storage.jobsQueued`. */
  let unsubscribe: (() => void) | undefined;
  const completions = new Completions(ctx.storage);
  /** Claimed jobs not started yet, in claim order: a batch key's jobs are one unit. */
  const waiting: Unit[] = [];
  /** How many jobs `waiting` holds. */
  let waitingJobs = 0;
  /** The started jobs still running (a job whose lease was lost still takes its slot until it ends). */
  const active = new Set<string>();
  /** Per serialisation key, the last group started with it: the next one of that key runs after it, whatever its claim. */
  const lanes = new Map<string, Promise<void>>();

  const env: HandlerEnv = {
    ctx,
    workerId: id,
    signal: abort.signal,
    async call(handle, key, fn, options = {}) {
      // One attempt: a failed call fails its job, whose retries are durable, backed off and honour
      // `Retry-After` (`settle`); retrying here too would multiply the attempts a panel sees.
      const answer = await ctx.panels.call(handle, key, fn, {
        signal: abort.signal,
        gate: options.first === true ? gate.signal : undefined,
        attempt: options.attempt,
        retry: false,
      });
      // The job's own work (its storage writes) waits for the loop's next turn: every panel answer that came in
      // meanwhile has then started its queue's next call, so the panels are never kept waiting on this process's
      // bookkeeping (bench/provisioning: ~2 ms of a panel's idle time every 25 ms round with one create an order).
      await new Promise<void>((resolve) => setImmediate(resolve));
      return answer;
    },
    async step(step, job) {
      await options.onStep?.(step, job);
    },
  };

  /**
   * Lets a job's lease go from this worker's hands. When `claimRoom` comes free the `start()` loop is
   * woken to claim more, so the panels' queues never run dry while the last jobs of a claim finish (a
   * claim boundary cost ~120 ms of idle panels in bench/provisioning).
   */
  function release(job: Job): void {
    free(job.id);
    if (held.delete(job.id) && hasRoom() && mayBeDue) wake?.();
  }

  /** A `pump()` is due at the end of this turn. */
  let pumpDue = false;

  /**
   * The job has run (or is settled without running): its slot goes to the next waiting job. The slots freed in one
   * turn (a group's jobs, the jobs whose handlers returned together) are filled by one `pump()`, one `dispatch`.
   */
  function free(jobId: string): void {
    if (!active.delete(jobId)) return;
    if (hasRoom() && mayBeDue) wake?.();
    if (pumpDue) return;
    pumpDue = true;
    queueMicrotask(() => {
      pumpDue = false;
      pump();
    });
  }

  /**
   * Starts waiting units while fewer than `concurrency` jobs run (always one when none runs, however large), the units
   * started together going through one `dispatch` (one read of each panel, one `prepare` a handler).
   */
  function pump(): void {
    // A claim that came back after `stop()` began: its jobs go back at once too.
    if (stopping) return void giveBackWaiting();
    const started: Unit[] = [];
    let busy = active.size;
    while (waiting.length > 0 && (busy === 0 || busy + waiting[0]!.jobs.length <= concurrency)) {
      const unit = waiting.shift()!;
      waitingJobs -= unit.jobs.length;
      started.push(unit);
      busy += unit.jobs.length;
    }
    if (started.length === 0) return;
    const jobs = started.flatMap((u) => u.jobs);
    for (const { job } of jobs) active.add(job.id);
    const run = dispatch(jobs);
    // Usually one claim's units: one callback for the lot.
    const byClaim = new Map<ClaimRun, number>();
    for (const unit of started) byClaim.set(unit.claim, (byClaim.get(unit.claim) ?? 0) + unit.jobs.length);
    run.then(
      () => {
        for (const [claim, n] of byClaim) claim.ran(n);
      },
      (error: unknown) => {
        for (const claim of byClaim.keys()) claim.failed(error);
      },
    );
  }

  /** Hands back, at once and in one write, every job still waiting in the local queue (`stop()`). */
  async function giveBackWaiting(): Promise<void> {
    const units = waiting.splice(0);
    waitingJobs = 0;
    const jobs = units.flatMap((u) => u.jobs);
    for (const { job } of jobs) held.delete(job.id);
    try {
      await Promise.all(jobs.map(({ lease }) => completions.settle({ lease, outcome: 'released' })));
    } catch (error) {
      // Their leases run out and they are claimed again.
      ctx.events.emit('error', toPanelkitError(error));
    }
    for (const unit of units) unit.claim.ran(unit.jobs.length);
  }

  /**
   * How many jobs the `start()` loop may claim now: `claimLimit` less the jobs in hand (waiting or running), and no
   * more than leaves `claimLimit` jobs whose settlements are still being written besides those.
   */
  function room(): number {
    return Math.min(claimLimit - (waitingJobs + active.size), 2 * claimLimit - held.size);
  }

  /** Whether the `start()` loop would claim now: no job in hand (and room), or `claimRoom` free. */
  function hasRoom(): boolean {
    const free = room();
    return free > 0 && (free >= claimRoom || waitingJobs + active.size === 0);
  }

  /**
   * Jobs were queued (`storage.jobsQueued`): wake the sleeping loop when it has room to claim. Signals coalesce into
   * the `queued` flag, so however many arrive, the loop claims once more after the claim under way, and a worker
   * holding its fill claims nothing until jobs settle (their release wakes it).
   */
  function onJobsQueued(): void {
    queued = true;
    if (hasRoom()) wake?.();
  }

  /** Extends every held lease; drops (and reports) the ones lost. */
  function beat(): Promise<void> {
    if (held.size === 0) return Promise.resolve();
    const sent = [...held.values()];
    return ctx.storage.jobs.heartbeat(sent, ctx.policy.leaseMs).then(
      (kept) => {
        const keptIds = new Set(kept.map((l) => l.jobId));
        for (const lease of sent) {
          // Settled meanwhile, or kept: nothing to say.
          if (keptIds.has(lease.jobId) || held.get(lease.jobId)?.token !== lease.token) continue;
          // Another worker may own it now; a completion here will be refused by the fence.
          held.delete(lease.jobId);
          ctx.events.emit('job:lease_lost', { jobId: lease.jobId, workerId: id, at: ctx.clock.now() });
        }
      },
      (error: unknown) => ctx.events.emit('error', toPanelkitError(error)),
    );
  }

  function startHeartbeat(): void {
    if (heartbeat !== undefined) return;
    const every = options.heartbeatIntervalMs ?? Math.max(1, Math.floor(ctx.policy.leaseMs / 3));
    heartbeat = setInterval(() => void beat(), every);
    heartbeat.unref?.();
  }

  function stopHeartbeat(): void {
    if (heartbeat !== undefined) clearInterval(heartbeat);
    heartbeat = undefined;
  }

  async function settle(handler: JobHandler, { job, lease }: ClaimedJob, outcome: JobOutcome): Promise<void> {
    const at = ctx.clock.now();
    try {
      if (outcome.ok) {
        const held = outcome.completed ?? (await completions.complete(lease)).has(job.id);
        if (held) ctx.events.emit('job:succeeded', { job, workerId: id, at });
        else ctx.events.emit('job:lease_lost', { jobId: job.id, workerId: id, at });
        return;
      }
      const error = outcome.error;
      if (stopping && (abort.signal.aborted || isShutdownError(error))) {
        await completions.settle({ lease, outcome: 'released' });
        return;
      }
      const said = { jobId: job.id, type: job.type, attempt: job.attempts, code: error.code };
      // A job that asked to run later (`RetryLaterError`: a 429, a busy service) did not fail; its host says why.
      if (RetryLaterError.is(error)) ctx.logger.debug(said, 'job asked to run again later');
      else ctx.logger.warn(said, 'job failed');
      // The row's last attempt is held back for compensation (see `jobAttempts`). Retries stop at
      // the give-up time; the last one runs at it.
      const retry = handler.retry ?? ctx.policy.jobRetry;
      const deadline = giveUpAt(job, retry, at).getTime();
      if (isRetryable(error) && job.attempts < job.maxAttempts - 1 && at.getTime() < deadline) {
        const retryAt = new Date(Math.min(at.getTime() + backoffDelay(job.attempts, retry, error, ctx.random), deadline));
        if ((await completions.settle({ lease, outcome: 'retry', error: error.toJSON(), at: retryAt })).has(job.id)) {
          ctx.events.emit('job:retried', { job, workerId: id, error, retryAt, at });
        } else ctx.events.emit('job:lease_lost', { jobId: job.id, workerId: id, at });
        return;
      }
      try {
        await handler.onDead?.(ctx, job, error);
      } catch (compensation) {
        // The compensation (refund…) did not go through: try the whole job again later.
        const retryAt = new Date(at.getTime() + backoffDelay(job.attempts, handler.retry ?? ctx.policy.jobRetry, undefined, ctx.random));
        await completions.settle({ lease, outcome: 'retry', error: toPanelkitError(compensation).toJSON(), at: retryAt });
        return;
      }
      if ((await completions.settle({ lease, outcome: 'dead', error: error.toJSON() })).has(job.id))
        ctx.events.emit('job:dead', { job, workerId: id, error, at });
    } finally {
      release(job);
    }
  }

  /**
   * Hands a job for a panel known to be down back without spending its attempt, parked until the
   * panel recovers (the health check that sees it wakes the job) or `parkedRecheckMs` passes. Past
   * its give-up time the job fails for good instead, with its compensation.
   */
  async function park(handler: JobHandler, claimed: ClaimedJob, panel: Panel): Promise<void> {
    const { job, lease } = claimed;
    const at = ctx.clock.now();
    const deadline = giveUpAt(job, ctx.policy.jobRetry, at);
    if (at.getTime() >= deadline.getTime()) {
      await settle(handler, claimed, { ok: false, error: stayedDownError(panel, job) });
      return;
    }
    const until = new Date(Math.min(at.getTime() + ctx.policy.parkedRecheckMs, deadline.getTime()));
    try {
      if ((await completions.settle({ lease, outcome: 'parked', parking: { panelId: panel.id, until } })).has(job.id)) {
        ctx.events.emit('job:parked', { job, workerId: id, panelId: panel.id, until, at });
      } else ctx.events.emit('job:lease_lost', { jobId: job.id, workerId: id, at });
    } finally {
      release(job);
    }
  }

  async function runGroup(group: Group, runEnv: HandlerEnv = env): Promise<void> {
    const groupEnv = group.handle === undefined ? runEnv : { ...runEnv, handle: group.handle };
    if (group.jobs.length === 1 && group.handler.runOne !== undefined) {
      const claimed = group.jobs[0]!;
      let outcome: JobOutcome;
      try {
        outcome = await group.handler.runOne(groupEnv, claimed);
      } catch (error) {
        outcome = { ok: false, error: toPanelkitError(error) };
      }
      free(claimed.job.id);
      return settle(group.handler, claimed, outcome);
    }
    let outcomes: Map<string, JobOutcome>;
    try {
      outcomes = await group.handler.run(groupEnv, group.jobs);
    } catch (error) {
      outcomes = new Map(group.jobs.map(({ job }) => [job.id, { ok: false, error: toPanelkitError(error) }]));
    }
    // Their slots free as soon as they have run: the next jobs start while these settle (a slot held through its
    // job's completion write let no more than `concurrency` jobs share one, bench/queue).
    for (const { job } of group.jobs) free(job.id);
    const outcomeOf = (claimed: ClaimedJob): JobOutcome =>
      outcomes.get(claimed.job.id) ?? { ok: false, error: toPanelkitError(new Error('no outcome')) };
    // The group's jobs settle together: its succeeded ones in one `completeMany`, its failed ones in one `settleMany`.
    await Promise.all(group.jobs.map((claimed) => settle(group.handler, claimed, outcomeOf(claimed))));
  }

  /**
   * Batchable jobs without a serialisation key, gathered per target across claims: a target's next
   * batch takes every job that arrived while the batch ahead waited for its first panel answer.
   */
  const gathering = new BatchGathering<{ handler: JobHandler; route: JobRoute; claimed: ClaimedJob; handle: PanelHandle }>(
    ctx.policy.maxBatchSize,
    (_key, items, called) => {
      const first = items[0]!;
      const batchEnv: HandlerEnv = {
        ...env,
        call(handle, key, fn, options = {}) {
          const made = env.call(handle, key, fn, options);
          if (options.first === true) made.then(called, called);
          return made;
        },
      };
      return runGroup({ handler: first.handler, route: first.route, jobs: items.map((i) => i.claimed), handle: first.handle }, batchEnv);
    },
  );

  /**
   * Routes each claimed job and starts it at once; batchable provisioning jobs for one target are
   * gathered (up to `maxBatchSize`) and started together, with the ones of earlier claims still
   * waiting for that target (see `gathering`). Panel calls queue per panel inside.
   * Groups sharing a serialisation key run one after another, in claim order: a claim may hand
   * this worker several jobs of one key, and no two of them may write at once. (No other claim holds
   * jobs of that key meanwhile, so those are gathered within the claim.)
   */
  async function dispatch(claimed: readonly ClaimedJob[]): Promise<void> {
    const running: Promise<void>[] = [];
    const batches = new Map<string, Group>();
    /** Per local type run together (`runsTogether`), its jobs of this claim without a serial key. */
    const together = new Map<JobHandler, Group>();
    /** Keys this claim added jobs to, started once the whole claim is routed. */
    const gathered = new Set<string>();
    // One read of each panel per claim, not one per job.
    const handles = new Map<string, ReturnType<typeof ctx.panels.get>>();
    // A route that carries its panel as its handler read it this claim (`JobRoute.panel`) saves the read.
    const handleOf = (panelId: string, read?: Panel) => {
      let handle = handles.get(panelId);
      if (handle === undefined) {
        handle = read === undefined ? ctx.panels.get(panelId) : Promise.resolve().then(() => ctx.panels.handleFor(read));
        handles.set(panelId, handle);
      }
      return handle;
    };
    const start = (group: Group) => {
      const key = group.jobs[0]!.job.serialKey;
      if (key === null) return void running.push(runGroup(group));
      const run = (lanes.get(key) ?? Promise.resolve()).catch(() => undefined).then(() => runGroup(group));
      lanes.set(key, run);
      void run.finally(() => {
        if (lanes.get(key) === run) lanes.delete(key);
      });
      running.push(run);
    };
    const byHandler = new Map<JobHandler, Job[]>();
    for (const { job } of claimed) {
      const handler = byType.get(job.type)!;
      if (handler.prepare === undefined || job.attempts >= job.maxAttempts) continue;
      const jobs = byHandler.get(handler);
      if (jobs === undefined) byHandler.set(handler, [job]);
      else jobs.push(job);
    }
    for (const [handler, jobs] of byHandler) await handler.prepare!(ctx, jobs).catch(() => undefined);
    for (const item of claimed) {
      const handler = byType.get(item.job.type)!;
      // Without `onStep` no turn is spent a job (a claim of 1 000 jobs was 1 000 promises and turns here).
      if (options.onStep !== undefined) await env.step('claimed', item.job);
      if (item.job.attempts >= item.job.maxAttempts) {
        // The reserved attempt: the worker on the last real one died. Compensate, do not retry.
        const last = item.job.lastError;
        const error = new PanelkitError('LEASE_LOST', last?.message ?? 'the last attempt was lost', {
          details: { lastErrorCode: last?.code ?? null },
        });
        await settle(handler, item, { ok: false, error });
        continue;
      }
      if (handler.local === true) {
        if (handler.runsTogether !== true || item.job.serialKey !== null) {
          start({ handler, route: null, jobs: [item] });
          continue;
        }
        const open = together.get(handler) ?? { handler, route: null, jobs: [] };
        open.jobs.push(item);
        together.set(handler, open);
        if (open.jobs.length >= ctx.policy.maxBatchSize) {
          together.delete(handler);
          start(open);
        }
        continue;
      }
      let route: JobRoute | null;
      let batchable = false;
      let down: Panel | undefined;
      let handle: PanelHandle | undefined;
      try {
        route = await handler.route(ctx, item.job);
        if (route !== null) {
          handle = await handleOf(route.panelId, route.panel);
          if (isKnownDown(handle.panel)) down = handle.panel;
          batchable = route.batchKey !== undefined && handle.adapter.capabilities.batchCreate;
        }
      } catch (error) {
        await settle(handler, item, { ok: false, error: toPanelkitError(error) });
        continue;
      }
      if (route === null) {
        await settle(handler, item, { ok: true });
        continue;
      }
      if (down !== undefined) {
        await park(handler, item, down);
        continue;
      }
      if (!batchable) {
        start({ handler, route, jobs: [item], ...(handle === undefined ? {} : { handle }) });
        continue;
      }
      const key = `${handler.type}|${route.panelId}|${route.batchKey}|${item.job.serialKey ?? ''}`;
      if (item.job.serialKey === null) {
        running.push(gathering.add(key, { handler, route, claimed: item, handle: handle! }));
        gathered.add(key);
        continue;
      }
      const open: Group = batches.get(key) ?? { handler, route, jobs: [], ...(handle === undefined ? {} : { handle }) };
      open.jobs.push(item);
      batches.set(key, open);
      if (open.jobs.length >= ctx.policy.maxBatchSize) {
        batches.delete(key);
        start(open);
      }
    }
    for (const group of batches.values()) start(group);
    for (const group of together.values()) start(group);
    for (const key of gathered) gathering.flush(key);
    await Promise.all(running);
  }

  /**
   * Claims up to `limit` jobs and starts them; `done` settles when all of them have. `awaitWakeMs`: the `start()`
   * loop, subscribed to `jobsQueued`, sleeps that long at most when this claim takes nothing (`ClaimRequest`).
   */
  async function claimAndStart(limit: number, awaitWakeMs?: number): Promise<{ claimed: number; done: Promise<number> }> {
    if (stopping || limit <= 0) return { claimed: 0, done: Promise.resolve(0) };
    // A target's due provisioning jobs come in one claim (their batch key), as many as one batch holds.
    const batchLimit = Math.min(ctx.policy.maxBatchSize, limit);
    const claimed = await ctx.storage.jobs.claim({
      workerId: id,
      limit,
      batchLimit,
      leaseMs: ctx.policy.leaseMs,
      types,
      ...(awaitWakeMs === undefined ? {} : { awaitWakeMs }),
    });
    if (claimed.length === 0) return { claimed: 0, done: Promise.resolve(0) };
    for (const { job, lease } of claimed) held.set(job.id, lease);
    startHeartbeat();
    const claim = claimRun(claimed.length);
    for (const jobs of unitsOf(claimed)) waiting.push({ jobs, claim });
    waitingJobs += claimed.length;
    pump();
    const work = claim.done.then(() => {
      if (held.size === 0) stopHeartbeat();
      return claimed.length;
    });
    inFlight.add(work);
    const done = work.finally(() => {
      inFlight.delete(work);
      if (mayBeDue) wake?.();
    });
    return { claimed: claimed.length, done };
  }

  async function runOnce(): Promise<number> {
    return (await claimAndStart(claimLimit)).done;
  }

  return {
    id,
    runOnce,
    heartbeat: beat,
    async drain() {
      let total = 0;
      for (;;) {
        const n = await runOnce();
        if (n === 0) return total;
        total += n;
      }
    },
    start() {
      if (running !== undefined || stopping) return;
      try {
        unsubscribe = ctx.storage.jobsQueued?.subscribe(onJobsQueued, { workerId: id });
      } catch (error) {
        // A storage that cannot signal is polled.
        ctx.events.emit('error', toPanelkitError(error));
      }
      // Keeps up to `claimLimit` jobs in hand: claims more as soon as `claimRoom` is free, so one slow
      // job never holds the others back; claims when the storage says jobs were queued, and polls
      // (with jitter) when nothing is due.
      const pollMs = options.pollIntervalMs ?? 1000;
      // The longest nap below; a worker that hears of queued jobs may be woken alone for one (`ClaimRequest`).
      const awaitWakeMs = unsubscribe === undefined ? undefined : Math.min(3_600_000, Math.max(1, Math.ceil(pollMs * 1.5)));
      running = (async () => {
        while (!stopping) {
          let claimed = 0;
          let asked = 0;
          let failed = false;
          try {
            queued = false;
            asked = hasRoom() ? room() : 0;
            const started = await claimAndStart(asked, awaitWakeMs);
            claimed = started.claimed;
            // Settling can fail too (the database went away mid-job): reported, never an unhandled rejection that
            // ends the host's process. The job's lease runs out and it is claimed again.
            started.done.catch((error: unknown) => ctx.events.emit('error', toPanelkitError(error)));
          } catch (error) {
            failed = true;
            ctx.events.emit('error', toPanelkitError(error));
          }
          mayBeDue = unsubscribe === undefined || failed || claimed >= asked;
          // A claim that took all it asked for may have left more due: claim again at once. One that took fewer found
          // nothing more due then; what is queued after, or a key freed for a job the claim skipped, wakes the loop
          // (`queued`), and so do settling jobs while `mayBeDue`.
          if (stopping || (claimed > 0 && claimed >= asked && room() > 0) || (queued && hasRoom())) continue;
          const wait = pollMs * (0.5 + ctx.random());
          const woken = new Promise<void>((resolve) => (wake = resolve));
          // Its own signal, ended when woken: a sleep cut short must not leave its timer and its
          // listener on the worker's signal behind.
          const nap = new AbortController();
          const endNap = () => nap.abort();
          pollAbort.signal.addEventListener('abort', endNap, { once: true });
          await Promise.race([abortableSleep(wait, nap.signal).catch(() => undefined), woken]);
          nap.abort();
          pollAbort.signal.removeEventListener('abort', endNap);
          wake = undefined;
        }
      })();
    },
    async stop({ timeoutMs = 10_000 } = {}) {
      stopping = true;
      unsubscribe?.();
      unsubscribe = undefined;
      gate.abort();
      pollAbort.abort();
      await giveBackWaiting();
      const settled = Promise.all([...inFlight, running]);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const first = await Promise.race([settled.then(() => 'done' as const), timedOut]);
      clearTimeout(timer);
      if (first === 'timeout') {
        abort.abort(new PanelkitError('INTERNAL', 'the worker is shutting down', { retryable: true }));
        // Anything still holding a lease after the abort goes back to the queue.
        await Promise.race([settled, abortableSleep(1000)]);
        await Promise.all([...held.values()].map((lease) => completions.settle({ lease, outcome: 'released' }).catch(() => false)));
        held.clear();
      }
      stopHeartbeat();
    },
  };
}
