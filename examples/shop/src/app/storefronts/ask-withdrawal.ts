import { WithdrawalRefusedError, type Withdrawal } from '@panelkit/sdk/storefronts';
import { ShopError } from '../shop-error.js';
import { IdempotencyKeySchema } from '../subscriptions/idempotency.js';
import type { Shop } from '../shop.js';
import { ownStorefront } from './own-storefront.js';
import { refusedAs } from './refusals.js';

/** What the reseller asks: an amount of its payout balance (minor units), where to pay it, and the form's key. */
export interface WithdrawalAsk {
  amount: number;
  destination: string;
  /** The form's (or API client's) key: the same ask posted twice asks once. */
  idempotencyKey: string;
}

/**
 * The reseller asks for a withdrawal of its payout balance: the SDK holds the amount at once (so it cannot be asked
 * twice) and queues it for the owner. More than the balance, more than it leaves over what the reseller's wallet owes
 * (`owes_wholesale`), a bad amount or destination is refused and nothing is held. Only a reseller who runs a storefront; audited by the SDK.
 */
export async function askWithdrawal(
  shop: Shop,
  customerId: string,
  ask: WithdrawalAsk,
): Promise<{ withdrawal: Withdrawal; created: boolean }> {
  await ownStorefront(shop, customerId);
  const destination = ask.destination.trim();
  if (!Number.isSafeInteger(ask.amount) || ask.amount <= 0)
    throw new ShopError('invalid_input', 'forms.amount', {}, { amount: 'forms.amount' });
  if (destination.length < 1 || destination.length > 500)
    throw new ShopError('invalid_input', 'forms.required', {}, { destination: 'forms.required' });
  if (!IdempotencyKeySchema.safeParse(ask.idempotencyKey).success)
    throw new ShopError('invalid_input', 'forms.invalid', {}, { idempotencyKey: 'forms.invalid' });
  try {
    const done = await refusedAs({ validation: 'forms.invalid' }, () =>
      shop.kit.payouts.request({
        partnerId: customerId,
        amount: { amount: ask.amount, currency: shop.config.currency },
        destination,
        idempotencyKey: `storefront:${customerId}:${ask.idempotencyKey}`,
        actor: { type: 'customer', id: customerId },
      }),
    );
    return { withdrawal: done.withdrawal, created: done.changed };
  } catch (error) {
    if (WithdrawalRefusedError.is(error) && error.reason === 'owes_wholesale')
      throw new ShopError('conflict', 'storefronts.errors.owesWholesale', {}, { amount: 'storefronts.errors.owesWholesale' });
    if (WithdrawalRefusedError.is(error))
      throw new ShopError('conflict', 'storefronts.errors.overBalance', {}, { amount: 'storefronts.errors.overBalance' });
    throw error;
  }
}
