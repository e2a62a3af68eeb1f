import { WithdrawalRefusedError, type WithdrawalStepResult } from '@panelkit/sdk/storefronts';
import type { Withdrawal } from '@panelkit/sdk/storefronts';
import { ShopError } from '../shop-error.js';
import { refusedAs } from './refusals.js';

/**
 * Runs one of the owner's steps on a withdrawal (approve, mark paid, refuse). A step that did not move it (another
 * admin, or another click, took it there first) or that its state no longer allows is refused as already decided
 * (409): of two admins approving at once, one approves and the other is told so. A bad value is a 400.
 */
export async function withdrawalStep(call: () => Promise<WithdrawalStepResult>): Promise<Withdrawal> {
  let done: WithdrawalStepResult;
  try {
    done = await refusedAs({ validation: 'forms.invalid' }, call);
  } catch (error) {
    if (WithdrawalRefusedError.is(error)) throw new ShopError('conflict', 'storefronts.errors.alreadyDecided');
    throw error;
  }
  if (!done.changed) throw new ShopError('conflict', 'storefronts.errors.alreadyDecided');
  return done.withdrawal;
}
