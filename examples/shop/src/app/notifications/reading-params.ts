import type { Locale } from '../../i18n/translate.js';
import type { Shop } from '../shop.js';
import { planName } from '../subscriptions/plan-names.js';
import type { NotificationParams } from '../../db/notification-kinds.js';
import type { Notification } from '../../db/notifications.js';

/**
 * A notification's params completed when it is read (delivered, or shown in the buyer's history):
 * the plan's name in the reader's language, and for a provisioned subscription its link. The link is
 * read from the subscription, whose credentials the storage keeps sealed, because it opens the
 * buyer's VPN: the notification row keeps only the subscription's id, so a dump of the shop's tables
 * holds no link. A subscription gone or without a link reads as "—".
 */
export async function readingParams(shop: Shop, n: Pick<Notification, 'kind' | 'params'>, locale: Locale): Promise<NotificationParams> {
  const { planId, subscriptionId } = n.params;
  const params: NotificationParams = { ...n.params };
  if (typeof planId === 'string') params['plan'] = await planName(shop, planId, locale);
  if (n.kind === 'subscription_provisioned' && typeof subscriptionId === 'string') {
    const sub = await shop.storage.subscriptions.get(subscriptionId);
    params['link'] = sub?.subscriptionUrl ?? sub?.shareLinks[0] ?? null;
  }
  return params;
}
