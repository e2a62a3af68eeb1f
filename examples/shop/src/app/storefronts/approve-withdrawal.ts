import type { Withdrawal } from '@panelkit/sdk/storefronts';
import type { Shop } from '../shop.js';
import { ownerActor, type StorefrontStaff } from './staff.js';
import { withdrawalStep } from './withdrawal-step.js';

/**
 * The owner approves an asked withdrawal: once, whoever clicks first (two admins at once, two replicas: one
 * approval; the other is told someone decided it). Audited by the SDK.
 */
export async function approveWithdrawal(shop: Shop, input: { withdrawalId: string }, staff: StorefrontStaff): Promise<Withdrawal> {
  const actor = ownerActor(staff);
  return withdrawalStep(() => shop.kit.payouts.approve(input.withdrawalId, actor));
}
