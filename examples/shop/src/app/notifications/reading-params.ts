import type { Locale } from '../../i18n/translate.js';
import type { Shop } from '../shop.js';
import { planName } from '../subscriptions/plan-names.js';
import { buyerLinkFor } from '../subscriptions/buyer-link.js';
import { appButtonsFor } from '../subscriptions/app-buttons.js';
import { supportContactOf } from '../growth/support-contact.js';
import type { NotificationParams } from '../../db/notification-kinds.js';
import type { Notification } from '../../db/notifications.js';

/**
 * Whose link a notification carries when it is read: its recipient's customer id, `null` for one to staff (shown as
 * "—"), `undefined` for a notification without a link. What a batch reads the tokens of at once (`tokenFor` below).
 */
export function linkReaderOf(n: Pick<Notification, 'kind' | 'params' | 'recipient'>): string | null | undefined {
  if (
    (n.kind !== 'subscription_provisioned' && n.kind !== 'never_connected' && n.kind !== 'reimport_needed') ||
    typeof n.params.subscriptionId !== 'string'
  )
    return undefined;
  return n.recipient.kind === 'customer' ? n.recipient.customerId : null;
}

/**
 * A notification's params completed when it is read (delivered, or shown in the buyer's history):
 * the plan's name in the reader's language, and for a provisioned subscription the recipient's link (the shop's
 * `/s/<token>`, never the panel's subscription URL; it serves every subscription of theirs) with its one-tap imports,
 * one line per app through the shop's https hop (`apps`: e-mails carry only http(s) links). The link is read when the
 * notice is, because it opens the buyer's VPN: the notification row keeps only the subscription's id, so a dump of
 * the shop's tables holds no link, and a link rotated since reads as the new one. It is always the recipient's own
 * (a subscription that changed hands since never brings its new owner's link); a notice to staff has none ("—").
 * `tokenFor`: the recipient's link token (a batch passes the tokens it read at once), `kit.links.tokenFor` by default.
 */
export async function readingParams(
  shop: Shop,
  n: Pick<Notification, 'kind' | 'params' | 'recipient'>,
  locale: Locale,
  tokenFor: (customerId: string) => Promise<string> = (customerId) => shop.kit.links.tokenFor(customerId),
): Promise<NotificationParams> {
  const { planId } = n.params;
  const params: NotificationParams = { ...n.params };
  if (typeof planId === 'string') params['plan'] = await planName(shop, planId, locale);
  const reader = linkReaderOf(n);
  if (reader !== undefined) {
    // One token for both (each read of it is a statement).
    const token = reader === null ? null : await tokenFor(reader);
    params['link'] = token === null ? null : buyerLinkFor(shop.config, token);
    params['apps'] =
      token === null
        ? null
        : appButtonsFor(shop.config, token)
            .map((b) => `${b.app.name}: ${b.url}`)
            .join('\n');
  }
  if (n.kind === 'never_connected') params['support'] = await supportContactOf(shop);
  return params;
}
