import type { Withdrawal, WithdrawalStatus } from '@panelkit/sdk/storefronts';
import type { Shop } from '../shop.js';
import { ownerActor, type StorefrontStaff } from './staff.js';

/** A withdrawal in the owner's queue, with the partner's e-mail to recognise them by. */
export interface QueuedWithdrawal {
  withdrawal: Withdrawal;
  partnerEmail: string | null;
}

/** The most withdrawals the queue shows at once. */
export const QUEUE_LIMIT = 100;

/** The owner's payout queue: withdrawals in `status` (default: asked, waiting for a decision), newest first. */
export async function payoutQueue(
  shop: Shop,
  input: { status: WithdrawalStatus | null },
  staff: StorefrontStaff,
): Promise<QueuedWithdrawal[]> {
  ownerActor(staff);
  const filter = input.status === null ? {} : { status: input.status };
  const page = await shop.kit.payouts.list(filter, { limit: QUEUE_LIMIT });
  return Promise.all(
    page.items.map(async (withdrawal) => {
      const account = await shop.accounts.getByCustomer(withdrawal.partnerId);
      return { withdrawal, partnerEmail: account?.email ?? (await shop.storage.customers.get(withdrawal.partnerId))?.email ?? null };
    }),
  );
}
