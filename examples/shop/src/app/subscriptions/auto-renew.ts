import { EligibilityError, NotFoundError, type Subscription } from '@panelkit/sdk';
import type { Shop } from '../shop.js';

/** Why a buyer's auto-renewal could not be turned on: the engine's reasons, or not theirs. */
export type AutoRenewRefusal = 'trial' | 'not_renewable' | 'ended' | 'not_found';

/** What switching auto-renewal came to, for every channel alike. */
export type AutoRenewOutcome = { ok: true; subscription: Subscription } | { ok: false; reason: AutoRenewRefusal };

/**
 * The buyer turns auto-renewal of one of their subscriptions on or off: the one use case the web page,
 * the JSON API and the bot call (`kit.setAutoRenew` decides and audits). Another buyer's subscription is
 * `not_found`, as one that does not exist.
 */
export async function setBuyerAutoRenew(
  shop: Shop,
  customerId: string,
  subscriptionId: string,
  enabled: boolean,
): Promise<AutoRenewOutcome> {
  try {
    return { ok: true, subscription: await shop.kit.setAutoRenew({ subscriptionId, customerId, enabled }) };
  } catch (error) {
    if (NotFoundError.is(error)) return { ok: false, reason: 'not_found' };
    if (EligibilityError.is(error)) {
      const reason = error.reasons[0];
      if (reason === 'trial' || reason === 'not_renewable' || reason === 'ended') return { ok: false, reason };
    }
    throw error;
  }
}
