import type { SqlQueryable } from '@panelkit/storage-postgres';
import type { ThrottleRule, ThrottleVerdict } from '../../db/sign-in-throttle.js';
import type { Shop } from '../shop.js';
import { takeNewAccountSlot } from './new-account-throttle.js';

/**
 * Where a new account made on the web comes from: the network it is counted under (`networkOf`, an IPv4 /24 or an
 * IPv6 /64), the rule counting new accounts per network (`null`: not limited), and the storefront whose web address
 * the visitor came through (`null`: the owner's shop), whose buyer the new customer becomes.
 */
export interface NewAccountOrigin {
  network: string;
  rule: ThrottleRule | null;
  storefrontId: string | null;
}

/**
 * Takes a slot for one new account from `origin`'s network (always allowed without a rule). Every way that makes a
 * customer on the web (a password, an e-mailed code, an identity provider) takes it before making one; a refusal is
 * answered with `auth.newAccountsSlowed`, which names no account. On `db` when given (a transaction's connection).
 */
export function admitNewAccount(shop: Shop, origin: NewAccountOrigin, db?: SqlQueryable): Promise<ThrottleVerdict> {
  return origin.rule === null ? Promise.resolve({ allowed: true as const }) : takeNewAccountSlot(shop, origin.rule, origin.network, db);
}
