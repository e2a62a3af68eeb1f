import type { JsonObject, JsonValue } from '../../domain/common.js';
import { SYSTEM_ACTOR } from '../../domain/common.js';
import type { GuardAuditAction } from '../../domain/guard.js';
import type { Subscription } from '../../domain/subscription.js';
import type { GuardCase, StoredGuardPolicy } from '../../ports/storage-guard.js';
import type { StorageRepositories } from '../../ports/storage.js';
import type { GuardCaseStep } from '../../rules/guard/policy.js';
import { guardDecision } from '../../rules/guard/window.js';
import type { EngineContext } from '../context.js';

/** The job that carries out a case's step (or a lift's undo), once per `stepSeq`. */
export const GUARD_ACT_JOB = 'guard.act';

const ACTIONS: Record<GuardCaseStep, GuardAuditAction> = {
  warn: 'guard.warned',
  limit: 'guard.limited',
  suspend: 'guard.suspended',
  watching: 'guard.lifted',
};

/** What a `guard.act` job carries: the case's move, and for an undo the device limit to put back. */
export interface GuardActPayload extends JsonObject {
  subscriptionId: string;
  stepSeq: number;
  step: GuardCaseStep;
  /** The case's step before the move (what a lift undoes). */
  from: GuardCaseStep;
  /** A lift of a `limit` that set the limit: the stored device limit to restore (`null`: none). */
  restoreDeviceLimit: number | null;
  /** Whether `restoreDeviceLimit` applies. */
  restore: boolean;
}

/**
 * The device limit the case's `limit` step replaced, as its evidence keeps it (`deviceLimitBefore`, carried on by a
 * later `suspend` so a lift from there puts it back too); `undefined` when the case was not limited.
 */
function deviceLimitBeforeOf(seen: GuardCase | null | undefined): JsonValue | undefined {
  const evidence = seen?.evidence;
  return evidence !== null && typeof evidence === 'object' && !Array.isArray(evidence) ? evidence['deviceLimitBefore'] : undefined;
}

/** One case move the guard decided, made by {@link moveCase}. */
export interface GuardMove {
  subscriptionId: string;
  seen: GuardCase | null;
  step: GuardCaseStep;
  evidence: JsonObject;
  liftedBy?: string | null;
  quietUntil?: Date | null;
  clearReadings?: boolean;
}

/**
 * Moves one case in `tx` as one conditional transition and, only when this caller won it, appends the audit event
 * (the host's outbox sends the buyer's notification from `guard.warned` in the same transaction) and queues the
 * `guard.act` job under the dedupe key `guard:<subscriptionId>:<stepSeq>`. Returns the moved case, or `null` when
 * another replica moved it first (nothing written).
 */
export async function moveCase(
  tx: StorageRepositories,
  policy: StoredGuardPolicy,
  move: GuardMove,
  actor = SYSTEM_ACTOR,
): Promise<GuardCase | null> {
  const moved = await tx.guard.transition({
    subscriptionId: move.subscriptionId,
    seenSeq: move.seen?.stepSeq ?? 0,
    step: move.step,
    evidence: move.evidence,
    policyVersion: policy.version,
    liftedBy: move.liftedBy ?? null,
    quietUntil: move.quietUntil ?? null,
    clearReadings: move.clearReadings ?? false,
  });
  if (moved === null) return null;
  const from = move.seen?.step ?? 'watching';
  const limitedFrom = deviceLimitBeforeOf(move.seen);
  const payload: GuardActPayload = {
    subscriptionId: move.subscriptionId,
    stepSeq: moved.stepSeq,
    step: move.step,
    from,
    restore: move.step === 'watching' && limitedFrom !== undefined,
    restoreDeviceLimit: typeof limitedFrom === 'number' ? limitedFrom : null,
  };
  await tx.audit.append({
    actor,
    action: ACTIONS[move.step],
    subjectType: 'subscription',
    subjectId: move.subscriptionId,
    data: { from, stepSeq: moved.stepSeq, policyVersion: policy.version, evidence: move.evidence },
  });
  await tx.jobs.enqueue({ type: GUARD_ACT_JOB, payload, dedupeKey: `guard:${move.subscriptionId}:${moved.stepSeq}`, maxAttempts: 10 });
  return moved;
}

/** What {@link evaluateGuard} did over the subscriptions it was given. */
export interface GuardPassCounts {
  evaluated: number;
  stepped: number;
  lifted: number;
}

/**
 * Evaluates the subscriptions named (at most 1000) with the pure rule and moves each due case (see {@link moveCase}),
 * each in its own transaction. A subscription without a reading in the window, whose source gave no reading after its
 * last one, exempt, or not live is left alone.
 */
export async function evaluateGuard(ctx: EngineContext, subscriptionIds: readonly string[]): Promise<GuardPassCounts> {
  const counts = { evaluated: 0, stepped: 0, lifted: 0 };
  const policy = await ctx.storage.guard.getPolicy();
  if (!policy.policy.enabled || subscriptionIds.length === 0) return counts;
  const [signals, cases, subs] = await Promise.all([
    ctx.storage.guard.signals(subscriptionIds),
    ctx.storage.guard.cases(subscriptionIds),
    ctx.storage.subscriptions.getMany(subscriptionIds),
  ]);
  const caseOf = new Map(cases.map((c) => [c.subscriptionId, c]));
  const subOf = new Map<string, Subscription>(subs.map((s) => [s.id, s]));
  const now = ctx.clock.now();
  for (const signal of signals) {
    const sub = subOf.get(signal.subscriptionId);
    if (sub === undefined || sub.status === 'terminated') continue;
    counts.evaluated++;
    const seen = caseOf.get(sub.id) ?? null;
    const decision = guardDecision({
      policy: policy.policy,
      state: seen,
      buckets: signal.buckets,
      lastReadingAt: signal.lastReadingAt,
      lastNullAt: signal.lastNullAt,
      exempt: policy.policy.exemptPlans.includes(sub.planId) || policy.policy.exemptCustomers.includes(sub.customerId),
      now,
    });
    if (decision.kind === 'none') continue;
    const step = decision.kind === 'lift' ? 'watching' : decision.step;
    const limitedFrom = step === 'limit' ? sub.deviceLimit : step === 'suspend' ? deviceLimitBeforeOf(seen) : undefined;
    const evidence: JsonObject = { ...decision.evidence, ...(limitedFrom === undefined ? {} : { deviceLimitBefore: limitedFrom }) };
    const moved = await ctx.storage.transaction((tx) => moveCase(tx, policy, { subscriptionId: sub.id, seen, step, evidence }));
    if (moved !== null) counts[decision.kind === 'lift' ? 'lifted' : 'stepped']++;
  }
  return counts;
}
