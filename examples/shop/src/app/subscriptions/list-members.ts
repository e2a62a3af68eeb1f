import type { Customer } from '@panelkit/sdk';
import type { SharingMember } from '@panelkit/sdk/sharing';
import type { Shop } from '../shop.js';
import { sharingError } from './sharing-refusal.js';

/** A current member of a family plan as the payer sees them: the membership and the name the shop has for them. */
export interface FamilyMember extends SharingMember {
  /** Their name as the customer record holds it (from Telegram), else their e-mail's local part; `null` if neither. */
  displayName: string | null;
}

/**
 * What a payer may call a member by: the customer's name, else the part of their e-mail before `@` (never the whole
 * address, nor anything of their link).
 */
export function memberDisplayName(customer: Pick<Customer, 'name' | 'email'> | null): string | null {
  if (customer === null) return null;
  const name = customer.name?.trim();
  if (name) return name;
  const local = customer.email?.split('@')[0]?.trim();
  return local ? local : null;
}

/**
 * The current members of the buyer's family plan, each with the name the shop has for them, so the payer can tell
 * whom they remove. `ShopError` (404) for a subscription that is not the buyer's.
 */
export async function membersOf(shop: Shop, customerId: string, groupId: string): Promise<FamilyMember[]> {
  let members: SharingMember[];
  try {
    members = await shop.kit.sharing.members(customerId, groupId);
  } catch (error) {
    throw sharingError(error);
  }
  return Promise.all(members.map(async (m) => ({ ...m, displayName: memberDisplayName(await shop.storage.customers.get(m.customerId)) })));
}
