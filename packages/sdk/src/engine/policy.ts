import type { RemoteIdentityOptions } from '../domain/remote-identity.js';
import { ConfigurationError } from '../errors.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../retry.js';
import { DAY_MS, HOUR_MS } from '../rules/time.js';

/** How the engine, its worker and its scheduler behave. Only `identity` is required. */
export interface EnginePolicy {
  /** The shop's identity secret and username prefix (see `deriveRemoteIdentity`). */
  identity: RemoteIdentityOptions;
  /** How failed jobs are retried: backoff and its cap, and when they are given up (see `DEFAULT_JOB_RETRY`). */
  jobRetry?: Partial<JobRetryPolicy>;
  /** How long a claimed job is owned before another worker may take it. Default 60 s. */
  leaseMs?: number;
  /** Notices before expiry, as lead times. Default 72 h and 24 h. */
  expiryWarningsMs?: readonly number[];
  /** Notices at these percentages of the traffic limit. Default 80 and 95. */
  trafficWarningPercents?: readonly number[];
  /** How long before expiry auto-renew charges the wallet. Default 24 h. */
  renewalLeadMs?: number;
  /** How long an expired subscription is kept before it is terminated. Default 7 days. */
  terminationGraceMs?: number;
  /** The scheduler's slot length: one replica wins each slot. Default 60 s. */
  tickIntervalMs?: number;
  /** How often the scheduler checks every panel's health. Default 5 min. */
  healthCheckIntervalMs?: number;
  /**
   * How often the scheduler checks a panel that is unhealthy or failed its last check, so a recovery
   * (which wakes the jobs parked on it) is noticed soon. Default 60 s (at most one check per tick).
   */
  unhealthyCheckIntervalMs?: number;
  /**
   * How long a job parked on a down panel waits before the worker looks at it again when no recovery
   * wakes it first (a backstop; the job spends no attempt either way). Default 10 min.
   */
  parkedRecheckMs?: number;
  /** Failed health checks in a row before a panel counts as unhealthy. Default 2. */
  unhealthyAfterFailures?: number;
  /** Most clients put in one `createClients` call. Default 50. */
  maxBatchSize?: number;
  /** Per-panel concurrency overrides, by panel id (default: the adapter's `maxConcurrency`). */
  panelConcurrency?: Readonly<Record<string, number>>;
  /**
   * Timeout for one panel call: the only one (the adapter gets it as its `CallContext.signal`). Default 30 s.
   */
  panelCallTimeoutMs?: number;
  /**
   * How the engine's panel reads outside jobs (usage sync, target sync, reconciliation, import, health checks)
   * are retried within one call; adapters make one attempt. Jobs retry under `jobRetry`. Default
   * `DEFAULT_RETRY_POLICY` (4 attempts, backoff from 250 ms, `Retry-After` obeyed up to 60 s).
   */
  panelReadRetry?: Partial<RetryPolicy>;
  /**
   * How many panels one replica reads usage from at once. Replicas share a slot's panels: each takes
   * the next panel only when one of its lanes is free, so a replica never holds more than this many
   * and the others take the rest. Default 16.
   */
  usageSyncPanelsAtOnce?: number;
  /**
   * How many subscriptions a scheduler sweep (expiry, limits, renewals, warnings, termination)
   * moves at once, each in its own transaction. Default 8.
   */
  sweepConcurrency?: number;
  /**
   * How far this replica's clock may be off the storage's (the database server's, `storage.ticks.now()`)
   * before its scheduler refuses to tick: no lifecycle sweeps, usage sync or health checks until the clock is
   * back within it (an error logged, `scheduler:clock_skewed` emitted on every refused tick). Tick slots and
   * domain times (expiry, warnings, renewals) are on each replica's own clock: a replica ahead would win every
   * slot before the others and expire subscriptions early by as much. Default 5 s: far above what a host kept by
   * NTP drifts (milliseconds) and a busy database's round trip, so a healthy replica is never refused, and far
   * below a tick slot (60 s), so nothing runs more than 5 s before its time.
   */
  maxClockOffsetMs?: number;
  /**
   * How old a registered device's `lastSeenAt` may be before its app's next refresh writes it again
   * (`kit.devices.touch`); a refresh within it whose description is unchanged writes nothing. Only the time lags:
   * registering, the limit and a removal act on every request. 0 writes every refresh. Default 10 min.
   */
  deviceSeenEveryMs?: number;
  /**
   * How often the sharing guard reads each panel's client addresses (one `guard.read` job a panel a slot, while the
   * owner's guard policy is enabled). Default 10 min.
   */
  guardReadIntervalMs?: number;
  /**
   * The most clients one `guard.read` job asks a per-client panel about (one call each, through the panel's slots):
   * candidates first, then a rotating sample of the rest. A bulk panel reads every client in one call a target.
   * Default 100.
   */
  guardClientReadsPerPanel?: number;
}

/** The engine's policy with every default filled in (what `EnginePolicy` leaves out takes its default). */
export type ResolvedPolicy = Required<Omit<EnginePolicy, 'jobRetry' | 'panelConcurrency' | 'panelReadRetry'>> & {
  jobRetry: JobRetryPolicy;
  panelReadRetry: RetryPolicy;
  panelConcurrency: Readonly<Record<string, number>>;
};

/** How the worker retries a failed job, and when it gives one up and runs its compensation (refund). */
export interface JobRetryPolicy extends RetryPolicy {
  /**
   * How long a job may keep failing, from its first failed or parked attempt (`Job.failingSince`),
   * before it is given up. Time parked on a down panel counts: this is how long a buyer waits at most.
   */
  giveUpAfterMs: number;
}

/**
 * Job retries, bounded by time: a job is given up 12 hours after it first failed, whether it spent
 * them retrying or parked on a panel known to be down (parking spends no attempts). 12 hours rides
 * out an overnight outage that nobody fixes before morning, and still refunds the same day a buyer
 * whose server is not coming back. Backoff is capped at 2 minutes, so a panel that recovers
 * without ever being marked unhealthy is retried within 2 minutes. `maxAttempts` is a backstop
 * (a job that crashes its worker every time), set above what 12 hours of capped retries use (~720
 * at the mean jitter).
 */
export const DEFAULT_JOB_RETRY: Readonly<JobRetryPolicy> = Object.freeze({
  maxAttempts: 999,
  baseDelayMs: 5_000,
  maxDelayMs: 2 * 60_000,
  maxRetryAfterMs: 15 * 60_000,
  giveUpAfterMs: 12 * HOUR_MS,
});

/** `EnginePolicy.maxClockOffsetMs` when not given: 5 s (see there why). */
export const DEFAULT_MAX_CLOCK_OFFSET_MS = 5_000;

/** The most attempts a job row holds (`NewJob.maxAttempts`); one is held back (see `jobAttempts`). */
const MAX_JOB_ATTEMPTS = 999;

/** `EnginePolicy.deviceSeenEveryMs` when not given: 10 min (a device's "last seen" lags by less). */
export const DEFAULT_DEVICE_SEEN_EVERY_MS = 10 * 60_000;

function notNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new ConfigurationError(`policy.${name} must be a number, 0 or more`);
  return value;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new ConfigurationError(`policy.${name} must be a positive number`);
  return value;
}

export function resolvePolicy(policy: EnginePolicy): ResolvedPolicy {
  if (policy === undefined || policy.identity === undefined)
    throw new ConfigurationError(
      "options.policy.identity is required: pass policy: { identity: { secret } } (16 or more characters, stable for the shop's life)",
    );
  // Refused here, at start, not on the first client the engine derives an identity for.
  if (typeof policy.identity.secret !== 'string' || policy.identity.secret.length < 16) {
    throw new ConfigurationError("policy.identity.secret must be at least 16 characters (and never change for the shop's lifetime)");
  }
  const percents = [...(policy.trafficWarningPercents ?? [80, 95])];
  for (const p of percents)
    if (!(p > 0 && p < 100)) throw new ConfigurationError('policy.trafficWarningPercents must be between 0 and 100');
  const jobRetry: JobRetryPolicy = { ...DEFAULT_JOB_RETRY, ...policy.jobRetry };
  positive('jobRetry.giveUpAfterMs', jobRetry.giveUpAfterMs);
  if (!Number.isInteger(jobRetry.maxAttempts) || jobRetry.maxAttempts < 1 || jobRetry.maxAttempts > MAX_JOB_ATTEMPTS) {
    throw new ConfigurationError(`policy.jobRetry.maxAttempts must be an integer from 1 to ${MAX_JOB_ATTEMPTS}`);
  }
  const panelReadRetry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...policy.panelReadRetry };
  if (!Number.isInteger(panelReadRetry.maxAttempts) || panelReadRetry.maxAttempts < 1) {
    throw new ConfigurationError('policy.panelReadRetry.maxAttempts must be a whole number, at least 1');
  }
  const resolved: ResolvedPolicy = {
    identity: policy.identity,
    jobRetry,
    panelReadRetry,
    leaseMs: positive('leaseMs', policy.leaseMs ?? 60_000),
    expiryWarningsMs: [...(policy.expiryWarningsMs ?? [72 * HOUR_MS, 24 * HOUR_MS])].map((ms) => positive('expiryWarningsMs', ms)),
    trafficWarningPercents: percents.sort((a, b) => a - b),
    renewalLeadMs: positive('renewalLeadMs', policy.renewalLeadMs ?? DAY_MS),
    terminationGraceMs: positive('terminationGraceMs', policy.terminationGraceMs ?? 7 * DAY_MS),
    tickIntervalMs: positive('tickIntervalMs', policy.tickIntervalMs ?? 60_000),
    healthCheckIntervalMs: positive('healthCheckIntervalMs', policy.healthCheckIntervalMs ?? 5 * 60_000),
    unhealthyCheckIntervalMs: positive('unhealthyCheckIntervalMs', policy.unhealthyCheckIntervalMs ?? 60_000),
    parkedRecheckMs: positive('parkedRecheckMs', policy.parkedRecheckMs ?? 10 * 60_000),
    unhealthyAfterFailures: positive('unhealthyAfterFailures', policy.unhealthyAfterFailures ?? 2),
    maxBatchSize: positive('maxBatchSize', policy.maxBatchSize ?? 50),
    panelConcurrency: policy.panelConcurrency ?? {},
    panelCallTimeoutMs: positive('panelCallTimeoutMs', policy.panelCallTimeoutMs ?? 30_000),
    usageSyncPanelsAtOnce: positive('usageSyncPanelsAtOnce', policy.usageSyncPanelsAtOnce ?? 16),
    sweepConcurrency: positive('sweepConcurrency', policy.sweepConcurrency ?? 8),
    maxClockOffsetMs: positive('maxClockOffsetMs', policy.maxClockOffsetMs ?? DEFAULT_MAX_CLOCK_OFFSET_MS),
    deviceSeenEveryMs: notNegative('deviceSeenEveryMs', policy.deviceSeenEveryMs ?? DEFAULT_DEVICE_SEEN_EVERY_MS),
    guardReadIntervalMs: positive('guardReadIntervalMs', policy.guardReadIntervalMs ?? 10 * 60_000),
    guardClientReadsPerPanel: positive('guardClientReadsPerPanel', policy.guardClientReadsPerPanel ?? 100),
  };
  return resolved;
}
