import { JsonValueSchema } from '../../domain/common.js';
import { parseInput } from '../../domain/validate.js';
import { GuardPolicySchema, type GuardCaseStep, type GuardPolicy } from '../../rules/guard/policy.js';
import { MAX_GUARD_READINGS_PER_CALL, type GuardCaseQuery, type GuardReadingRecord, type GuardTransition } from '../storage-guard.js';
import { inputArray, inputDate, inputInteger, inputKey, inputRecord, invalidInput } from './checks.js';

const CASE_STEPS: readonly GuardCaseStep[] = ['watching', 'warn', 'limit', 'suspend'];

function caseStep(value: unknown, what: string): GuardCaseStep {
  if (!CASE_STEPS.includes(value as GuardCaseStep)) invalidInput(what, 'step', `must be one of ${CASE_STEPS.join(', ')}`);
  return value as GuardCaseStep;
}

/** A `guard.setPolicy` argument checked the same way in every storage: the policy filled with its defaults, and the version. */
export function parseGuardPolicyWrite(policy: unknown, expectedVersion: unknown): { policy: GuardPolicy; expectedVersion: number } {
  return {
    policy: parseInput(GuardPolicySchema, policy, 'guard policy'),
    expectedVersion: inputInteger(expectedVersion, 'guard policy', 'expectedVersion', { min: 0, max: 2 ** 31 - 1 }),
  };
}

/** A `guard.recordReadings` page checked the same way in every storage: at most {@link MAX_GUARD_READINGS_PER_CALL}. */
export function parseGuardReadings(readings: unknown, windowHours: unknown): { readings: GuardReadingRecord[]; windowHours: number } {
  const what = 'guard readings';
  const items = inputArray(readings, what, '(root)');
  if (items.length > MAX_GUARD_READINGS_PER_CALL) invalidInput(what, '(root)', `must hold at most ${MAX_GUARD_READINGS_PER_CALL} items`);
  return {
    windowHours: inputInteger(windowHours, what, 'windowHours', { min: 1, max: 168 }),
    readings: items.map((item, i) => {
      const r = inputRecord(item, what);
      const prefixes = r['prefixes'] === null ? null : inputInteger(r['prefixes'], what, `${i}.prefixes`, { min: 0, max: 100_000 });
      if (typeof r['over'] !== 'boolean') invalidInput(what, `${i}.over`, 'must be a boolean');
      return {
        subscriptionId: inputKey(r['subscriptionId'], what),
        at: inputDate(r['at'], what, `${i}.at`),
        prefixes,
        over: prefixes !== null && r['over'],
      };
    }),
  };
}

/** A `guard.transition` argument checked the same way in every storage. */
export function parseGuardTransition(value: unknown): Required<GuardTransition> {
  const what = 'guard transition';
  const t = inputRecord(value, what);
  const quiet = t['quietUntil'];
  const liftedBy = t['liftedBy'];
  if (liftedBy != null && (typeof liftedBy !== 'string' || liftedBy.length < 1 || liftedBy.length > 200))
    invalidInput(what, 'liftedBy', 'must be 1 to 200 characters');
  return {
    subscriptionId: inputKey(t['subscriptionId'], what),
    seenSeq: inputInteger(t['seenSeq'], what, 'seenSeq', { min: 0, max: 2 ** 31 - 2 }),
    step: caseStep(t['step'], what),
    evidence: parseInput(JsonValueSchema, t['evidence'], what),
    policyVersion: inputInteger(t['policyVersion'], what, 'policyVersion', { min: 0, max: 2 ** 31 - 1 }),
    liftedBy: (liftedBy as string | null | undefined) ?? null,
    quietUntil: quiet == null ? null : inputDate(quiet, what, 'quietUntil'),
    clearReadings: t['clearReadings'] === true,
  };
}

/** A `guard.listCases` query checked the same way in every storage. */
export function parseGuardCaseQuery(value: unknown): GuardCaseQuery {
  const what = 'guard case query';
  const q = inputRecord(value, what);
  return {
    ...(q['step'] === undefined ? {} : { step: caseStep(q['step'], what) }),
    ...(q['after'] === undefined ? {} : { after: inputKey(q['after'], what) }),
    limit: inputInteger(q['limit'], what, 'limit', { min: 1, max: 1000 }),
  };
}
