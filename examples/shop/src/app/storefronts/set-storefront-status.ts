import type { Storefront, StorefrontStatus } from '@panelkit/sdk/storefronts';
import type { Shop } from '../shop.js';
import { refusedAs } from './refusals.js';
import { ownerActor, type StorefrontStaff } from './staff.js';

/**
 * The owner suspends a storefront (it sells nothing from then on; its buyers' subscriptions and links keep running)
 * or resumes it; audited by the SDK. Setting the status it already has changes nothing.
 */
export async function setStorefrontStatus(
  shop: Shop,
  input: { storefrontId: string; status: StorefrontStatus },
  staff: StorefrontStaff,
): Promise<Storefront> {
  const actor = ownerActor(staff);
  return refusedAs({}, () =>
    input.status === 'suspended'
      ? shop.kit.storefronts.suspend(input.storefrontId, actor)
      : shop.kit.storefronts.resume(input.storefrontId, actor),
  );
}
