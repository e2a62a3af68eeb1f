import type { JsonValue } from '../domain/common.js';
import type { GuardCaseStep, GuardPolicy } from '../rules/guard/policy.js';
import type { GuardBucket } from '../rules/guard/window.js';

/** The most readings one `guard.recordReadings` call takes (`ValidationError` beyond). */
export const MAX_GUARD_READINGS_PER_CALL = 1000;

/** The owner's guard policy as stored: `version` rises by one with each `setPolicy` (0: never set, the defaults). */
export interface StoredGuardPolicy {
  policy: GuardPolicy;
  version: number;
  updatedAt: Date | null;
}

/** One reading to record: distinct networks seen for a subscription at an instant, or `prefixes: null` for no reading. */
export interface GuardReadingRecord {
  subscriptionId: string;
  at: Date;
  /** Distinct networks (or devices) the source saw; `null`: the source gave no reading (only `lastNullAt` moves). */
  prefixes: number | null;
  /** Whether the reading was over its allowance (`guardReading`); ignored for `prefixes: null`. */
  over: boolean;
}

/** A subscription's kept readings: hourly buckets of the last W hours, and when it was last read. */
export interface GuardSignal {
  subscriptionId: string;
  /** Hourly buckets, oldest first, none older than the window of the last write. */
  buckets: GuardBucket[];
  lastReadingAt: Date | null;
  lastNullAt: Date | null;
}

/** A subscription's guard case, one a subscription (design §4.4). */
export interface GuardCase {
  subscriptionId: string;
  step: GuardCaseStep;
  /** Rises by one with each transition: the case's version, which a transition must name (`GuardTransition.seenSeq`). */
  stepSeq: number;
  /** When the current step was taken (the storage's clock). */
  stepAt: Date;
  /** The counts the step was decided on, or a lift's note and actor. */
  evidence: JsonValue;
  /** The staff member who lifted the case last; `null` when none did. */
  liftedBy: string | null;
  /** No step before this instant; `null` when none. */
  quietUntil: Date | null;
  /** The `StoredGuardPolicy.version` the step was taken under. */
  policyVersion: number;
}

/**
 * One conditional move of a case. `seenSeq` is the `stepSeq` the caller read (0: no case yet). Of callers racing from
 * one `seenSeq`, on any connection or replica, exactly one moves the case; the others get `null` and change nothing.
 */
export interface GuardTransition {
  subscriptionId: string;
  seenSeq: number;
  step: GuardCaseStep;
  evidence: JsonValue;
  policyVersion: number;
  liftedBy?: string | null;
  quietUntil?: Date | null;
  /**
   * Drop the subscription's kept readings (its buckets and `lastReadingAt`) in the same call: a lift, after which
   * readings before it never count again.
   */
  clearReadings?: boolean;
}

/** A page request of `guard.listCases`: cases in subscription id order after `cursor`, of one step or all. */
export interface GuardCaseQuery {
  step?: GuardCaseStep;
  /** The last subscription id of the previous page; omitted for the first. */
  after?: string;
  /** 1 to 1000. */
  limit: number;
}

/**
 * The sharing guard's state (storage port 30, issue 94; design `docs/design/owner-figures-and-guard.md` §4): the
 * owner's policy, each subscription's readings as hourly buckets, and one case per subscription moved only by
 * conditional transitions. Only counts are stored, never addresses. A subscription that does not exist is a
 * `NotFoundError`, bad input a `ValidationError`; each writes nothing.
 */
export interface GuardRepository {
  /** The stored policy, or the defaults at version 0 when none was ever set. */
  getPolicy(): Promise<StoredGuardPolicy>;
  /**
   * Stores the policy (validated with `GuardPolicySchema`) when the stored version is still `expectedVersion`, and
   * answers it at `expectedVersion + 1`; answers `null` and stores nothing when another write came first.
   */
  setPolicy(policy: GuardPolicy, expectedVersion: number): Promise<StoredGuardPolicy | null>;
  /**
   * Records a page of readings in one call (one statement on a database): each adds to its hour's bucket (readings,
   * over, the most networks), a `null` one moves only `lastNullAt`, and every touched subscription drops buckets older
   * than `windowHours` before the storage's now. At most {@link MAX_GUARD_READINGS_PER_CALL} readings.
   */
  recordReadings(readings: readonly GuardReadingRecord[], windowHours: number): Promise<void>;
  /** The kept readings of the subscriptions named (at most 1000), in id order; one never read is left out. */
  signals(subscriptionIds: readonly string[]): Promise<GuardSignal[]>;
  /** The cases of the subscriptions named (at most 1000), in id order; a subscription without one is left out. */
  cases(subscriptionIds: readonly string[]): Promise<GuardCase[]>;
  /** Moves a case conditionally (see {@link GuardTransition}); the new case, or `null` when `seenSeq` is stale. */
  transition(transition: GuardTransition): Promise<GuardCase | null>;
  /** Cases in subscription id order (text by code point), of one step or all, after a cursor. */
  listCases(query: GuardCaseQuery): Promise<GuardCase[]>;
}
