import { readLinkNotice } from '../subscriptions/link-notice.js';
import type { Shop } from '../shop.js';

/**
 * Where a buyer asks for help, as the owner set it: the support address client apps show (admin's link settings),
 * else the footer's `SUPPORT_CONTACT`, else the bot's `TELEGRAM_SUPPORT`, else the shop's web address; `null` when none.
 */
export async function supportContactOf(shop: Shop): Promise<string | null> {
  const notice = await readLinkNotice(shop);
  return notice.supportUrl ?? shop.config.footer.supportContact ?? shop.config.telegram?.support ?? shop.config.publicUrl ?? null;
}
