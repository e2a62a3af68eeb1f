import type { NewNotification } from '../../db/notifications.js';
import type { DeliveryTargets } from '../../db/notification-deliveries.js';
import type { NotificationChannel } from './channel.js';

/** Where a notification goes on some channels (`fanOutTargets`). */
export type FanOutTargets = (notice: Pick<NewNotification, 'recipient' | 'params'>) => Promise<DeliveryTargets>;

/**
 * Where a notification goes on `channels` (a process's own): the recipient's addresses on each, read when it is
 * fanned out, so an address changed before then counts. Whether the buyer turned its kind off is read by the
 * statement that writes its deliveries (`writeNotification`, `NotificationStore.fanOut`).
 */
export function fanOutTargets(channels: readonly NotificationChannel[]): FanOutTargets {
  return async ({ recipient, params }) => {
    const targets: { channel: string; address: string }[] = [];
    for (const channel of channels) {
      for (const address of await channel.addressesOf(recipient)) targets.push({ channel: channel.name, address });
    }
    // A security notice also goes to the address it is about (the old email after a change): its owner may be the one locked out.
    const previous = params['previousEmail'];
    if (
      typeof previous === 'string' &&
      channels.some((c) => c.name === 'email') &&
      !targets.some((x) => x.channel === 'email' && x.address === previous)
    )
      targets.push({ channel: 'email', address: previous });
    return targets;
  };
}
