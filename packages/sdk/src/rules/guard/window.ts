import { GUARD_STEPS } from './policy.js';
import type { GuardCaseStep, GuardPolicy, GuardSourceClass, GuardStep } from './policy.js';

const HOUR_MS = 3_600_000;

/** The hour an instant falls in, as whole hours since the Unix epoch (a guard bucket's key). */
export function guardHourOf(at: Date): number {
  return Math.floor(at.getTime() / HOUR_MS);
}

/** One hour of a subscription's readings: how many were taken, how many were over, and the most networks seen. */
export interface GuardBucket {
  /** The hour, as whole hours since the Unix epoch (`guardHourOf`). */
  hour: number;
  readings: number;
  over: number;
  maxPrefixes: number;
}

/** Input of {@link guardReading}. */
export interface GuardReadingInput {
  /** Distinct networks the source saw (`guardPrefixHashes(...).length`, or registered devices). */
  prefixes: number;
  /** The subscription's device limit (its terms, packs included); `null` for none. */
  deviceLimit: number | null;
  source: GuardSourceClass;
  policy: GuardPolicy;
}

/**
 * Whether one reading is over: more distinct networks than the allowance, which is the device limit plus the
 * policy's slack for the source, or the policy's absolute threshold for a subscription with no device limit.
 */
export function guardReading(input: GuardReadingInput): { over: boolean; allowance: number } {
  const allowance = input.deviceLimit === null ? input.policy.absoluteThreshold : input.deviceLimit + input.policy.slack[input.source];
  return { over: input.prefixes > allowance, allowance };
}

/** The counts a step was decided on (kept as the case's evidence; no address, only counts). */
export interface GuardEvidence {
  readings: number;
  over: number;
  /** The most distinct networks in one hour of the window. */
  maxPrefixes: number;
  /** The first and last hours (epoch hours) with an over reading; `null` with none. */
  firstOverHour: number | null;
  lastOverHour: number | null;
  windowHours: number;
}

/** Whether the window rule holds over the buckets given, and the counts it saw. */
export function guardWindowRule(buckets: readonly GuardBucket[], policy: GuardPolicy): { due: boolean; evidence: GuardEvidence } {
  let readings = 0;
  let over = 0;
  let maxPrefixes = 0;
  let firstOverHour: number | null = null;
  let lastOverHour: number | null = null;
  for (const b of buckets) {
    readings += b.readings;
    over += b.over;
    maxPrefixes = Math.max(maxPrefixes, b.maxPrefixes);
    if (b.over > 0) {
      firstOverHour = firstOverHour === null ? b.hour : Math.min(firstOverHour, b.hour);
      lastOverHour = lastOverHour === null ? b.hour : Math.max(lastOverHour, b.hour);
    }
  }
  const evidence = { readings, over, maxPrefixes, firstOverHour, lastOverHour, windowHours: policy.windowHours };
  const spanned = firstOverHour !== null && lastOverHour !== null && lastOverHour - firstOverHour >= policy.spanHours;
  const due = over >= policy.overReadings && spanned && over >= policy.overFraction * readings;
  return { due, evidence };
}

/** Where a subscription's case stands, as `guard.evaluate` reads it (`null`: no case yet, i.e. watching). */
export interface GuardCaseState {
  step: GuardCaseStep;
  stepAt: Date;
  /** No step before this instant (set by a lift); `null` when none. */
  quietUntil: Date | null;
}

/** Input of {@link guardDecision}. */
export interface GuardDecisionInput {
  policy: GuardPolicy;
  state: GuardCaseState | null;
  /** The subscription's buckets as stored (any age; the rule keeps those inside the window). */
  buckets: readonly GuardBucket[];
  /** When the last reading was taken; `null` when none ever was. A case without a recent reading never moves. */
  lastReadingAt: Date | null;
  /** When the source last gave no reading (`null`: never). A case whose source gave none since its last reading never moves. */
  lastNullAt: Date | null;
  /** Whether the subscription's plan or customer is exempt. */
  exempt: boolean;
  now: Date;
}

/** What the guard should do with one subscription: nothing, take a step, or lift back to `watching`. */
export type GuardDecision =
  | { kind: 'none' }
  | { kind: 'step'; step: GuardStep; evidence: GuardEvidence }
  | { kind: 'lift'; evidence: GuardEvidence };

/**
 * The guard's window rule (design §4.2), pure. A step is due only when, within the window W, there are at least K
 * over readings, the first and last over hours are at least S apart, and over readings are at least the fraction p
 * of all readings. The next step is the first of the policy's steps stronger than the case's; a step after the
 * first counts only buckets that start at or after the previous step plus its grace (fresh evidence), under the same
 * rule. Nothing moves when the policy is off, the subscription is exempt, the case is quiet after a lift, the last
 * reading is older than the window, or the source gave no reading after it (a panel that stopped answering leaves the
 * case where it is, whoever evaluates: the window slid or the policy changed since, the old readings decide nothing). A `limit` is lifted
 * after `liftAfterCleanHours` of readings with none over, when the policy sets it.
 */
export function guardDecision(input: GuardDecisionInput): GuardDecision {
  const { policy, state, now } = input;
  if (!policy.enabled || input.exempt) return { kind: 'none' };
  if (state?.quietUntil != null && now.getTime() < state.quietUntil.getTime()) return { kind: 'none' };
  const { lastReadingAt, lastNullAt } = input;
  if (lastReadingAt === null || now.getTime() - lastReadingAt.getTime() > policy.windowHours * HOUR_MS) return { kind: 'none' };
  if (lastNullAt !== null && lastNullAt.getTime() > lastReadingAt.getTime()) return { kind: 'none' };
  const current = state?.step ?? 'watching';
  const nowHour = guardHourOf(now);
  const inWindow = input.buckets.filter((b) => b.hour > nowHour - policy.windowHours && b.hour <= nowHour);
  if (current === 'limit' && state !== null && policy.liftAfterCleanHours !== null) {
    const cleanFrom = now.getTime() - policy.liftAfterCleanHours * HOUR_MS;
    if (state.stepAt.getTime() <= cleanFrom) {
      const recent = input.buckets.filter((b) => b.hour * HOUR_MS >= cleanFrom && b.hour <= nowHour);
      const clean = guardWindowRule(recent, policy).evidence;
      if (clean.readings > 0 && clean.over === 0) return { kind: 'lift', evidence: clean };
    }
  }
  const rank = current === 'watching' ? -1 : GUARD_STEPS.indexOf(current);
  const next = policy.steps.find((s) => GUARD_STEPS.indexOf(s.step) > rank);
  if (next === undefined) return { kind: 'none' };
  let considered = inWindow;
  if (current !== 'watching' && state !== null) {
    const graceHours = policy.steps.find((s) => s.step === current)?.graceHours ?? 0;
    const freshFrom = state.stepAt.getTime() + graceHours * HOUR_MS;
    considered = inWindow.filter((b) => b.hour * HOUR_MS >= freshFrom);
  }
  const { due, evidence } = guardWindowRule(considered, policy);
  return due ? { kind: 'step', step: next.step, evidence } : { kind: 'none' };
}
