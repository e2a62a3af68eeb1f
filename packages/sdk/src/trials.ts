/**
 * `@panelkit/sdk/trials`: trials nobody can farm. The identity keys a trial is claimed under (`trialIdentityKeys`:
 * Telegram id, e-mail without `+alias` and Gmail dots, a verified phone, device hardware ids; kept as SHA-256), the
 * `trialIdentity` a host passes to `kit.checkout`, and the owner's view of refused attempts (`kit.trials.refusals`).
 *
 * @module
 */
export {
  hwidTrialKey,
  normalizeTrialEmail,
  trialIdentityKeys,
  TrialIdentitySchema,
  type TrialIdentity,
  type TrialIdentityKey,
  type TrialIdentityKind,
} from './trials/identity.js';
export { TRIAL_REFUSAL_SUBJECT } from './engine/trial-claims.js';
export type { PanelkitTrials, TrialRefusal } from './engine/trials.js';
