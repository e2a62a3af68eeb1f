import type { ActorInput, JsonValue, Page } from './common.js';
import type { GuardCaseStep, GuardPolicy, GuardPolicyInput } from '../rules/guard/policy.js';
import type { GuardEvidence } from '../rules/guard/window.js';

/**
 * The audit events the guard writes (subject type `subscription`), each with the evidence and the policy version: a
 * host's notices of the guard's steps follow these (one event per step across replicas).
 */
export const GUARD_AUDIT_ACTIONS = ['guard.warned', 'guard.limited', 'guard.suspended', 'guard.lifted'] as const;
/** One of {@link GUARD_AUDIT_ACTIONS}. */
export type GuardAuditAction = (typeof GUARD_AUDIT_ACTIONS)[number];

/** The owner's guard policy as `kit.guard.policy()` answers it: the policy, and its version (0: never set, the defaults). */
export interface GuardPolicyView {
  policy: GuardPolicy;
  version: number;
  updatedAt: Date | null;
}

/** One subscription's guard case as the guard page shows it: counts only, never addresses. */
export interface GuardCaseView {
  subscriptionId: string;
  step: GuardCaseStep;
  /** Rises with each step and lift; the case's version. */
  stepSeq: number;
  stepAt: Date;
  /** The counts the step was decided on (`GuardEvidence`), or for a lift its note (`{ note, actor }`). */
  evidence: GuardEvidence | JsonValue;
  /** The staff member who last lifted the case; `null` when none did. */
  liftedBy: string | null;
  /** No step before this instant (a lift's quiet window); `null` when none. */
  quietUntil: Date | null;
  policyVersion: number;
}

/** A page request of `kit.guard.cases`: cases of one step (all when omitted), in subscription id order. */
export interface GuardCasesQuery {
  step?: GuardCaseStep;
  /** The previous page's `nextCursor`. */
  cursor?: string | null;
  /** 1–1000; default 50. */
  limit?: number;
}

/** A staff lift of a case (`kit.guard.lift`). */
export interface GuardLiftRequest {
  subscriptionId: string;
  /** Who lifts it: must be staff (`type: 'admin'`), or the lift is refused. */
  actor: ActorInput;
  /** Why (shown on the guard page and kept in the audit event), up to 500 characters. */
  note?: string;
}

/** What `kit.guard.lift` answers: the case lifted back to `watching`, or why nothing changed. */
export type GuardLiftResult =
  | { lifted: true; case: GuardCaseView }
  | { lifted: false; reason: 'not_staff' | 'no_case' | 'already_watching' | 'raced' };

/** What `kit.guard.setPolicy` answers: the stored policy, or a refusal (nothing stored). */
export type GuardSetPolicyResult = { saved: true; policy: GuardPolicyView } | { saved: false; reason: 'not_staff' | 'raced' };

/** What one `kit.guard.evaluateNow()` pass did: subscriptions looked at, and the steps and lifts it took. */
export interface GuardEvaluationReport {
  evaluated: number;
  stepped: number;
  lifted: number;
}

/**
 * `kit.guard`: the sharing guard as the owner runs it (issue 94; design `docs/design/owner-figures-and-guard.md` §4).
 * The kit reads each panel's client addresses and the device registry on its own (`guard.read` jobs), and steps
 * (warn, limit, suspend, in the owner's order) only on the window rule, once per step across replicas, each audited.
 */
export interface PanelkitGuard {
  /** The owner's policy and its version. */
  policy(): Promise<GuardPolicyView>;
  /**
   * Stores a new policy (validated with `GuardPolicySchema`: a bad one is a `ValidationError`); staff only
   * (`actor.type` `admin`), refused `not_staff` otherwise. `expectedVersion` guards against a concurrent edit (`raced`).
   */
  setPolicy(policy: GuardPolicyInput, actor: ActorInput, expectedVersion?: number): Promise<GuardSetPolicyResult>;
  /** Cases by step, a page at a time, in subscription id order. */
  cases(query?: GuardCasesQuery): Promise<Page<GuardCaseView>>;
  /**
   * Lifts a case (staff only): back to `watching` in one transaction with the undo job (resume a suspended
   * subscription, the plan's device limit restored; a rotated link stays rotated), no step again for the policy's
   * window, readings before the lift discarded, and the `guard.lifted` audit event.
   */
  lift(request: GuardLiftRequest): Promise<GuardLiftResult>;
  /** Evaluates every subscription with readings now, as the `guard.evaluate` job does (for tests and the page's button). */
  evaluateNow(): Promise<GuardEvaluationReport>;
}
