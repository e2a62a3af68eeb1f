import type { Withdrawal } from '@panelkit/sdk/storefronts';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';
import { ownerActor, type StorefrontStaff } from './staff.js';
import { withdrawalStep } from './withdrawal-step.js';

/**
 * The owner refuses an asked or approved (not yet paid) withdrawal with a reason the reseller reads (1–1000
 * characters); the SDK gives the held amount back to their payout balance in the same step. Once; audited.
 */
export async function refuseWithdrawal(
  shop: Shop,
  input: { withdrawalId: string; reason: string },
  staff: StorefrontStaff,
): Promise<Withdrawal> {
  const actor = ownerActor(staff);
  const reason = input.reason.trim();
  if (reason.length < 1 || reason.length > 1000) throw new ShopError('invalid_input', 'forms.required', {}, { reason: 'forms.required' });
  return withdrawalStep(() => shop.kit.payouts.refuse(input.withdrawalId, reason, actor));
}
