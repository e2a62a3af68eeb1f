import type { Storefront, StorefrontQuotasInput } from '@panelkit/sdk/storefronts';
import type { Shop } from '../shop.js';
import { refusedAs } from './refusals.js';
import { ownerActor, type StorefrontStaff } from './staff.js';

/**
 * The owner sets a storefront's quotas (active subscriptions, traffic, panels it may sell on; `null` is no limit),
 * all of them at once, audited by the SDK. A bad value or an unknown panel is refused and nothing changes.
 */
export async function setStorefrontQuotas(
  shop: Shop,
  input: { storefrontId: string; quotas: StorefrontQuotasInput },
  staff: StorefrontStaff,
): Promise<Storefront> {
  const actor = ownerActor(staff);
  return refusedAs({ validation: 'forms.invalid' }, () => shop.kit.storefronts.update(input.storefrontId, { quotas: input.quotas }, actor));
}
