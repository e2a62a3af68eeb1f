import type { Actor } from '@panelkit/sdk';
import type { AccountRole } from '../../db/accounts.js';
import { ShopError } from '../shop-error.js';

/** Who acts on storefronts from the back office: a signed-in staff account. */
export interface StorefrontStaff {
  accountId: string;
  role: AccountRole;
}

/**
 * Storefronts, their quotas, their buyers and their payouts are the owner's alone: support staff and buyers get
 * `forbidden` here, whichever channel asked (the route checks too). Returns the owner as the engine's actor.
 */
export function ownerActor(staff: StorefrontStaff): Actor {
  if (staff.role !== 'admin') throw new ShopError('forbidden', 'errors.adminsOnly');
  return { type: 'admin', id: staff.accountId };
}
