import type { Shop } from '../shop.js';

/** A referral code as it appears in a link: the referrer's customer id. */
export const REFERRAL_CODE = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * After a sign-up through a referral link: records the referral when the engine allows it (the
 * program on, not the account's own link, a new customer). A refusal is not the new buyer's
 * problem: sign-up goes on without it.
 */
export async function recordSignUpReferral(shop: Shop, referrerId: unknown, customerId: string): Promise<void> {
  if (typeof referrerId !== 'string' || !REFERRAL_CODE.test(referrerId)) return;
  await shop.kit.recordReferral({ referrerId, referredId: customerId, actor: { type: 'customer', id: customerId } });
}
