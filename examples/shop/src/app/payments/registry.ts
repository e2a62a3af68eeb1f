import type { Shop } from '../shop.js';
import { cardProvider } from './card-provider.js';
import type { PaymentProvider } from './provider.js';
import { testProvider } from './test-provider.js';

/** Every provider this shop knows, in the order the wallet page shows them. Add a gateway here. */
const PROVIDERS: ReadonlyArray<PaymentProvider> = [cardProvider as PaymentProvider, testProvider as PaymentProvider];

/** The providers buyers may use now, in the wallet page's order. */
export async function enabledProviders(shop: Shop): Promise<PaymentProvider[]> {
  const enabled = await Promise.all(PROVIDERS.map((p) => p.enabled(shop)));
  return PROVIDERS.filter((_, i) => enabled[i]);
}

/** The enabled provider with this id, else `null` (an unknown and a disabled provider look the same). */
export async function enabledProvider(shop: Shop, id: string): Promise<PaymentProvider | null> {
  return (await enabledProviders(shop)).find((p) => p.id === id) ?? null;
}

/** The gateways' provider ids, paid elsewhere than a wallet form: the crypto gateway, CryptoBot, Zarinpal, EPay, YooKassa, Stripe, Telegram Stars. */
const GATEWAY_PROVIDER_IDS = ['crypto', 'cryptobot', 'zarinpal', 'epay', 'yookassa', 'stripe', 'stars'] as const;

/** Whether the provider's payments are paid at a gateway (the buyer pays there), not reviewed by an admin. */
export function isGatewayProvider(providerId: string): boolean {
  return (GATEWAY_PROVIDER_IDS as readonly string[]).includes(providerId);
}

/**
 * The catalog key of a payment's status: a pending gateway payment waits for the buyer to pay (an unpaid Stars
 * invoice, say; "your payment" to the buyer, "the buyer's payment" to staff), only a pending receipt waits for an
 * admin's review.
 */
export function paymentStatusKey(payment: { status: string; provider: string }, reader: 'buyer' | 'staff' = 'buyer'): string {
  if (payment.status !== 'pending' || !isGatewayProvider(payment.provider)) return `wallet.status.${payment.status}`;
  return reader === 'buyer' ? 'wallet.status.awaiting_payment' : 'wallet.status.awaiting_buyer';
}

/** The ids of every provider this shop knows, enabled or not (old payments may name a disabled one). */
export function providerIds(): string[] {
  return [...PROVIDERS.map((p) => p.id), ...GATEWAY_PROVIDER_IDS];
}
