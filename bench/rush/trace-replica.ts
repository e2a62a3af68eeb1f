/**
 * The replica's half of bench/rush's stage trace (`BENCH_TRACE=1`): when each job a buyer's purchase sets off was
 * claimed (by which worker, the claim's own round trip), routed by the worker, answered by the panel, run (a host
 * job's handler) and settled; when the webhook took each buy tap and answered it; the event loop's delay and the
 * `pg` pool's waits for a connection. Times are the machine's clock in ms (`performance.timeOrigin` + `now()`), so
 * the bench can line them up with its own. Nothing here changes what the shop does, only when it is looked at (the
 * worker's `onStep` hook adds one turn of the loop a step).
 */
import { createRequire } from 'node:module';
import type { RequestListener } from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { HostJobDefinition, Job, WorkerOptions, WorkerStep } from '@panelkit/sdk';
import type { Shop } from '../../examples/shop/src/app/shop.js';

/** The machine's clock in ms, comparable across the bench's processes. */
export const clockMs = () => performance.timeOrigin + performance.now();

/** One job's trace in a replica (times in `clockMs`; absent: not seen here). */
export interface JobTrace {
  id: string;
  type: string;
  payload: unknown;
  createdAt: number;
  worker: string;
  /** The claim that took it: sent, answered, and how many jobs it took. */
  claimSent: number;
  claimAnswered: number;
  claimSize: number;
  /** The worker's `onStep`: routed and started (`claimed`), the panel's answer handled (`panel_called`). */
  routed?: number;
  panelCalled?: number;
  /** A host job's handler: started and returned. */
  runStart?: number;
  runEnd?: number;
  /** Its completion written (`completeMany` answered, or its storage write's transaction, which completes it). */
  settled?: number;
}

/** A buy tap at the webhook: its request in and its answer's last byte out. */
export interface TapTrace {
  user: number;
  step: string;
  in: number;
  out: number;
}

/**
 * What a replica hands the bench: its jobs, its buy taps, its workers' claims (how many took nothing) and
 * `jobsQueued` calls, its loop delay and pool waits over the traced window.
 */
export interface ReplicaTrace {
  jobs: JobTrace[];
  taps: TapTrace[];
  claims: { sent: number; empty: number };
  signals: { calls: number };
  loopDelayMs: { p50: number; p99: number; max: number; mean: number };
  pool: { connects: number; waitedOver1ms: number; p50: number; p99: number; max: number; mean: number };
}

const jobs = new Map<string, JobTrace>();
const taps: TapTrace[] = [];
const poolWaits: number[] = [];
const claims = { sent: 0, empty: 0 };
const signals = { calls: 0 };
const loop = monitorEventLoopDelay({ resolution: 5 });

const pick = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;

/**
 * Wraps the shop's storage (claims, completions, `jobsQueued`), its `kit.createWorker` (steps and host job runs) and the `pg` pool's
 * `connect`; call before the background starts.
 */
export function traceReplica(shop: Shop): void {
  const storageJobs = shop.storage.jobs;
  const claim = storageJobs.claim.bind(storageJobs);
  storageJobs.claim = async (request) => {
    const sent = clockMs();
    const claimed = await claim(request);
    const answered = clockMs();
    claims.sent++;
    if (claimed.length === 0) claims.empty++;
    for (const { job } of claimed)
      jobs.set(job.id, {
        id: job.id,
        type: job.type,
        payload: job.payload,
        createdAt: job.createdAt.getTime(),
        worker: request.workerId,
        claimSent: sent,
        claimAnswered: answered,
        claimSize: claimed.length,
      });
    return claimed;
  };
  const queued = shop.storage.jobsQueued;
  if (queued !== undefined) {
    const subscribe = queued.subscribe.bind(queued);
    queued.subscribe = (listener, options) =>
      subscribe(() => {
        signals.calls++;
        listener();
      }, options);
  }
  const completeMany = storageJobs.completeMany.bind(storageJobs);
  storageJobs.completeMany = async (leases) => {
    const done = await completeMany(leases);
    const at = clockMs();
    for (const lease of leases) {
      const trace = jobs.get(lease.jobId);
      if (trace !== undefined) trace.settled = at;
    }
    return done;
  };

  const createWorker = shop.kit.createWorker.bind(shop.kit);
  shop.kit.createWorker = (options: WorkerOptions = {}) =>
    createWorker({
      ...options,
      onStep: (step: WorkerStep, job: Job) => {
        const trace = jobs.get(job.id);
        if (trace !== undefined && step === 'claimed') trace.routed = clockMs();
        if (trace !== undefined && step === 'panel_called') trace.panelCalled = clockMs();
        // A provisioning job is completed in its storage write's transaction; a later `completeMany` (a job completed
        // apart, as before) moves the mark.
        if (trace !== undefined && step === 'storage_written') trace.settled = clockMs();
        return options.onStep?.(step, job);
      },
      hostJobs: options.hostJobs?.map(
        (definition): HostJobDefinition => ({
          ...definition,
          run: async (payload, context) => {
            const trace = jobs.get(context.job.id);
            if (trace !== undefined) trace.runStart = clockMs();
            try {
              return await definition.run(payload, context);
            } finally {
              if (trace !== undefined) trace.runEnd = clockMs();
            }
          },
        }),
      ),
    });

  // The shop's `pg` (pnpm gives each package its own resolution): the time from asking the pool for a client to
  // getting one, every query's included (`Pool.query` connects first).
  const pg = createRequire(new URL('../../examples/shop/package.json', import.meta.url))('pg') as {
    Pool: { prototype: { connect: (...args: unknown[]) => unknown } };
  };
  const connect = pg.Pool.prototype.connect;
  pg.Pool.prototype.connect = function (this: unknown, ...args: unknown[]) {
    const asked = performance.now();
    const callback = args[0];
    if (typeof callback === 'function')
      return connect.call(this, (...results: unknown[]) => {
        poolWaits.push(performance.now() - asked);
        return (callback as (...r: unknown[]) => unknown)(...results);
      });
    return (connect.apply(this, args) as Promise<unknown>).then((client) => {
      poolWaits.push(performance.now() - asked);
      return client;
    });
  };
}

/** The web app's listener, each request carrying `x-bench-user` timed from its arrival to its answer's end. */
export function tracedRequests(listener: RequestListener): RequestListener {
  return (request, response) => {
    const user = Number(request.headers['x-bench-user']);
    const step = String(request.headers['x-bench-step'] ?? '');
    if (Number.isFinite(user) && step === 'buy') {
      const tap: TapTrace = { user, step, in: clockMs(), out: 0 };
      response.once('finish', () => {
        tap.out = clockMs();
        taps.push(tap);
      });
    }
    listener(request, response);
  };
}

/** Forgets what was traced so far (the seeding's, the lone buyers') and starts the loop-delay monitor afresh. */
export function startTraceWindow(): void {
  jobs.clear();
  taps.length = 0;
  Object.assign(claims, { sent: 0, empty: 0 });
  Object.assign(signals, { calls: 0 });
  poolWaits.length = 0;
  loop.disable();
  loop.reset();
  loop.enable();
}

/** What was traced since `startTraceWindow`. */
export function replicaTrace(): ReplicaTrace {
  loop.disable();
  const waits = [...poolWaits].sort((a, b) => a - b);
  return {
    jobs: [...jobs.values()],
    taps: [...taps],
    claims: { ...claims },
    signals: { ...signals },
    loopDelayMs: {
      p50: loop.percentile(50) / 1e6,
      p99: loop.percentile(99) / 1e6,
      max: loop.max / 1e6,
      mean: loop.mean / 1e6,
    },
    pool: {
      connects: waits.length,
      waitedOver1ms: waits.filter((w) => w > 1).length,
      p50: pick(waits, 50),
      p99: pick(waits, 99),
      max: waits[waits.length - 1] ?? 0,
      mean: waits.reduce((a, b) => a + b, 0) / Math.max(1, waits.length),
    },
  };
}
