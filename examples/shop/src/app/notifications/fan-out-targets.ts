import type { Shop } from '../shop.js';
import type { NewNotification } from '../../db/notifications.js';
import { notificationsOf } from '../../db/notifications.js';
import { isCustomerKind } from '../../db/notification-kinds.js';
import type { FanOut } from '../../db/notification-deliveries.js';
import type { NotificationChannel } from './channel.js';

/** Where a notification goes on some channels (`fanOutTargets`). */
export type FanOutTargets = (notice: Pick<NewNotification, 'recipient' | 'kind' | 'params'>) => Promise<FanOut>;

/**
 * Where a notification goes on `channels` (a process's own): the recipient's addresses on each, none when the
 * buyer turned its kind off. Read when it is fanned out, so an address or opt-out changed before then counts.
 */
export function fanOutTargets(shop: Shop, channels: readonly NotificationChannel[]): FanOutTargets {
  const store = notificationsOf(shop);
  return async ({ recipient, kind, params }) => {
    const muted = recipient.kind === 'customer' && isCustomerKind(kind) && (await store.optedOut(recipient.customerId)).has(kind);
    const targets: { channel: string; address: string }[] = [];
    if (!muted) {
      for (const channel of channels) {
        for (const address of await channel.addressesOf(recipient)) targets.push({ channel: channel.name, address });
      }
    }
    // A security notice also goes to the address it is about (the old email after a change): its owner may be the one locked out.
    const previous = params['previousEmail'];
    if (
      typeof previous === 'string' &&
      channels.some((c) => c.name === 'email') &&
      !targets.some((x) => x.channel === 'email' && x.address === previous)
    )
      targets.push({ channel: 'email', address: previous });
    return { targets, muted };
  };
}
