import { type Actor, type Page, ValidationError } from '@panelkit/sdk';
import type { GuardCaseView, GuardPolicyView, GuardStep } from '@panelkit/sdk/guard';
import type { AccountRole } from '../../db/accounts.js';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';
import { type GuardPolicyForm, guardPolicyInputOf, policyFieldErrors } from './guard-form.js';

/** The most cases one table of the guard page lists. */
export const GUARD_CASES_PAGE = 50;

/** The steps a case is open at (a case at `watching` is no case the page lists). */
export const OPEN_GUARD_STEPS: readonly GuardStep[] = ['warn', 'limit', 'suspend'];

/** Refuses anyone but staff (owners and support): the guard's cases and policy are never a buyer's. */
function staffOnly(role: AccountRole): void {
  if (role !== 'admin' && role !== 'support') throw new ShopError('forbidden', 'guard.errors.staffOnly');
}

/** Open cases at one step, a page at a time in subscription id order (staff: owners and support). */
export async function listGuardCases(
  shop: Pick<Shop, 'kit'>,
  role: AccountRole,
  step: GuardStep,
  cursor: string | null,
): Promise<Page<GuardCaseView>> {
  staffOnly(role);
  return shop.kit.guard.cases({ step, cursor, limit: GUARD_CASES_PAGE });
}

/** The owner's guard policy and its version (staff: support may read what the owner set). */
export async function readGuardPolicy(shop: Pick<Shop, 'kit'>, role: AccountRole): Promise<GuardPolicyView> {
  staffOnly(role);
  return shop.kit.guard.policy();
}

/**
 * Stores the owner's guard policy as the form asks (the owner's alone: support gets `forbidden`), validated by the SDK's
 * `GuardPolicySchema`: a refused value is `invalid_input` with a message on each field it names, and nothing is stored.
 * `expectedVersion` is the version the form was filled from: an edit saved meanwhile is `conflict`.
 */
export async function saveGuardPolicy(
  shop: Pick<Shop, 'kit'>,
  role: AccountRole,
  actor: Actor,
  form: GuardPolicyForm,
  expectedVersion: number,
): Promise<GuardPolicyView> {
  if (role !== 'admin') throw new ShopError('forbidden', 'staff.ownersOnly');
  const stored = await shop.kit.guard.policy();
  try {
    const result = await shop.kit.guard.setPolicy(guardPolicyInputOf(form, stored.policy), actor, expectedVersion);
    if (!result.saved)
      throw result.reason === 'raced' ? new ShopError('conflict', 'guard.errors.raced') : new ShopError('forbidden', 'staff.ownersOnly');
    return result.policy;
  } catch (error) {
    if (!ValidationError.is(error)) throw error;
    throw new ShopError('invalid_input', 'guard.errors.invalid', {}, policyFieldErrors(error.issues, form));
  }
}

/**
 * Lifts a subscription's case back to `watching` with the staff member's note (staff: owners and support): the SDK
 * resumes a suspended subscription, puts back the device limit a `limit` replaced and audits `guard.lifted`. No open
 * case is `not_found`; a case moved meanwhile is `conflict`.
 */
export async function liftGuardCase(
  shop: Pick<Shop, 'kit'>,
  role: AccountRole,
  actor: Actor,
  subscriptionId: string,
  note: string,
): Promise<GuardCaseView> {
  staffOnly(role);
  const result = await shop.kit.guard.lift({ subscriptionId, actor, note: note.trim().slice(0, 500) });
  if (result.lifted) return result.case;
  if (result.reason === 'no_case' || result.reason === 'already_watching') throw new ShopError('not_found', 'guard.errors.noCase');
  throw result.reason === 'raced' ? new ShopError('conflict', 'guard.errors.raced') : new ShopError('forbidden', 'guard.errors.staffOnly');
}
