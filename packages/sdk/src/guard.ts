/**
 * `@panelkit/sdk/guard`: the sharing guard as `kit.guard` answers it (issue 94): the owner's policy, cases by step,
 * a staff lift, and an evaluation pass. The pure rules (`GuardPolicySchema`, `guardDecision`, address prefixes) are on
 * `@panelkit/sdk/rules`; the storage's side is `GuardRepository` on `@panelkit/sdk/storage`.
 *
 * @module
 */
export { GUARD_AUDIT_ACTIONS } from './domain/guard.js';
export type {
  GuardAuditAction,
  GuardCaseView,
  GuardCasesQuery,
  GuardEvaluationReport,
  GuardLiftRequest,
  GuardLiftResult,
  GuardPolicyView,
  GuardSetPolicyResult,
  PanelkitGuard,
} from './domain/guard.js';
export type { GuardCaseStep, GuardEvidence, GuardPolicy, GuardPolicyInput, GuardStep } from './rules/guard/index.js';
