import type { RemoteIdentityOptions } from '../domain/remote-identity.js';
import { ConfigurationError } from '../errors.js';
import type { RetryPolicy } from '../retry.js';
import { DAY_MS, HOUR_MS } from '../rules/time.js';

/** How the engine, its worker and its scheduler behave. Only `identity` is required. */
export interface EnginePolicy {
  /** The shop's identity secret and username prefix (see `deriveRemoteIdentity`). */
  identity: RemoteIdentityOptions;
  /** How failed jobs are retried: attempts, backoff and its cap. */
  jobRetry?: Partial<RetryPolicy>;
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
  /** How often the scheduler checks panel health. Default 5 min. */
  healthCheckIntervalMs?: number;
  /** Failed health checks in a row before a panel counts as unhealthy. Default 2. */
  unhealthyAfterFailures?: number;
  /** Most clients put in one `createClients` call. Default 50. */
  maxBatchSize?: number;
  /** Per-panel concurrency overrides, by panel id (default: the adapter's `maxConcurrency`). */
  panelConcurrency?: Readonly<Record<string, number>>;
  /** Timeout for one panel call. Default 30 s. */
  panelCallTimeoutMs?: number;
}

export type ResolvedPolicy = Required<Omit<EnginePolicy, 'jobRetry' | 'panelConcurrency'>> & {
  jobRetry: RetryPolicy;
  panelConcurrency: Readonly<Record<string, number>>;
};

/** Job retries: long enough to ride out a panel outage of an hour or two before giving up. */
export const DEFAULT_JOB_RETRY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 12,
  baseDelayMs: 5_000,
  maxDelayMs: 15 * 60_000,
  maxRetryAfterMs: 15 * 60_000,
});

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new ConfigurationError(`policy.${name} must be a positive number`);
  return value;
}

export function resolvePolicy(policy: EnginePolicy): ResolvedPolicy {
  if (policy === undefined || policy.identity === undefined) throw new ConfigurationError('policy.identity is required');
  const percents = [...(policy.trafficWarningPercents ?? [80, 95])];
  for (const p of percents) if (!(p > 0 && p < 100)) throw new ConfigurationError('policy.trafficWarningPercents must be between 0 and 100');
  const resolved: ResolvedPolicy = {
    identity: policy.identity,
    jobRetry: { ...DEFAULT_JOB_RETRY, ...policy.jobRetry },
    leaseMs: positive('leaseMs', policy.leaseMs ?? 60_000),
    expiryWarningsMs: [...(policy.expiryWarningsMs ?? [72 * HOUR_MS, 24 * HOUR_MS])].map((ms) => positive('expiryWarningsMs', ms)),
    trafficWarningPercents: percents.sort((a, b) => a - b),
    renewalLeadMs: positive('renewalLeadMs', policy.renewalLeadMs ?? DAY_MS),
    terminationGraceMs: positive('terminationGraceMs', policy.terminationGraceMs ?? 7 * DAY_MS),
    tickIntervalMs: positive('tickIntervalMs', policy.tickIntervalMs ?? 60_000),
    healthCheckIntervalMs: positive('healthCheckIntervalMs', policy.healthCheckIntervalMs ?? 5 * 60_000),
    unhealthyAfterFailures: positive('unhealthyAfterFailures', policy.unhealthyAfterFailures ?? 2),
    maxBatchSize: positive('maxBatchSize', policy.maxBatchSize ?? 50),
    panelConcurrency: policy.panelConcurrency ?? {},
    panelCallTimeoutMs: positive('panelCallTimeoutMs', policy.panelCallTimeoutMs ?? 30_000),
  };
  return resolved;
}
