import type { Withdrawal } from '@panelkit/sdk/storefronts';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';
import { ownerActor, type StorefrontStaff } from './staff.js';
import { withdrawalStep } from './withdrawal-step.js';

/**
 * The owner marks an approved withdrawal paid, with the payment's outside reference if there is one (at most 200
 * characters); once. Audited by the SDK and counted in the payout figures.
 */
export async function markWithdrawalPaid(
  shop: Shop,
  input: { withdrawalId: string; reference: string },
  staff: StorefrontStaff,
): Promise<Withdrawal> {
  const actor = ownerActor(staff);
  const reference = input.reference.trim();
  if (reference.length > 200) throw new ShopError('invalid_input', 'forms.invalid', {}, { reference: 'forms.invalid' });
  return withdrawalStep(() => shop.kit.payouts.markPaid(input.withdrawalId, reference === '' ? null : reference, actor));
}
