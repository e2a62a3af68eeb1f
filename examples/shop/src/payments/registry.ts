import type { ShopConfig } from '../config/config.js';
import { cardProvider } from './card-provider.js';
import type { PaymentProvider } from './provider.js';
import { testProvider } from './test-provider.js';

/** Every provider this shop knows, in the order the wallet page shows them. Add a gateway here. */
const PROVIDERS: ReadonlyArray<PaymentProvider> = [cardProvider as PaymentProvider, testProvider as PaymentProvider];

export function enabledProviders(config: ShopConfig): PaymentProvider[] {
  return PROVIDERS.filter((p) => p.enabled(config));
}

/** The enabled provider with this id, else `null` (an unknown and a disabled provider look the same). */
export function enabledProvider(config: ShopConfig, id: string): PaymentProvider | null {
  return enabledProviders(config).find((p) => p.id === id) ?? null;
}

/** The ids of every provider this shop knows, enabled or not (old payments may name a disabled one). */
export function providerIds(): string[] {
  return PROVIDERS.map((p) => p.id);
}
