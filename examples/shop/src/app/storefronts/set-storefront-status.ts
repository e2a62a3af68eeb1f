import type { Storefront, StorefrontStatus } from '@panelkit/sdk/storefronts';
import type { Shop } from '../shop.js';
import { syncStorefrontWebhook } from '../storefront-bots/connect-bot.js';
import { refusedAs } from './refusals.js';
import { ownerActor, type StorefrontStaff } from './staff.js';

/**
 * The owner suspends a storefront (it sells nothing from then on; its buyers' subscriptions and links keep running)
 * or resumes it; audited by the SDK. Setting the status it already has changes nothing. Resuming gives Telegram the
 * storefront bot's webhook again (`syncStorefrontWebhook`); when Telegram cannot be told, the storefront is resumed
 * all the same and the failure logged: resuming again retries it.
 */
export async function setStorefrontStatus(
  shop: Shop,
  input: { storefrontId: string; status: StorefrontStatus },
  staff: StorefrontStaff,
): Promise<Storefront> {
  const actor = ownerActor(staff);
  const storefront = await refusedAs({}, () =>
    input.status === 'suspended'
      ? shop.kit.storefronts.suspend(input.storefrontId, actor)
      : shop.kit.storefronts.resume(input.storefrontId, actor),
  );
  if (storefront.status === 'active') {
    await syncStorefrontWebhook(shop, storefront.id).catch((error: unknown) =>
      shop.logger.warn({ err: error, storefrontId: storefront.id }, "resumed, but the storefront bot's webhook could not be set"),
    );
  }
  return storefront;
}
