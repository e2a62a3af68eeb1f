import type { NewNotification, Recipient } from '../../db/notifications.js';
import type { DeliveryTargets } from '../../db/notification-deliveries.js';
import type { NotificationChannel } from './channel.js';

/** Where notifications go on some channels (`fanOutTargets`): each notice's targets, in their order. */
export type FanOutTargets = (notices: readonly Pick<NewNotification, 'recipient' | 'params'>[]) => Promise<DeliveryTargets[]>;

/**
 * Where notifications go on `channels` (a process's own): each recipient's addresses on each, read when it is
 * fanned out, so an address changed before then counts (the buyers of several notices read at once on a channel that
 * can). Whether the buyer turned its kind off is read by the statement that writes its deliveries
 * (`writeNotifications`, `NotificationStore.fanOut`).
 */
export function fanOutTargets(channels: readonly NotificationChannel[]): FanOutTargets {
  return async (notices) => {
    const targets = notices.map(() => [] as { channel: string; address: string }[]);
    for (const channel of channels) {
      const addresses = await addressesOfAll(
        channel,
        notices.map((n) => n.recipient),
      );
      addresses.forEach((list, i) => {
        for (const address of list) targets[i]!.push({ channel: channel.name, address });
      });
    }
    notices.forEach(({ params }, i) => {
      // A security notice also goes to the address it is about (the old email after a change): its owner may be the one locked out.
      const previous = params['previousEmail'];
      const own = targets[i]!;
      if (
        typeof previous === 'string' &&
        channels.some((c) => c.name === 'email') &&
        !own.some((x) => x.channel === 'email' && x.address === previous)
      )
        own.push({ channel: 'email', address: previous });
    });
    return targets;
  };
}

/** Each recipient's addresses on `channel`, in their order: several buyers' in one read when the channel has one. */
async function addressesOfAll(channel: NotificationChannel, recipients: readonly Recipient[]): Promise<string[][]> {
  const customers = [...new Set(recipients.flatMap((r) => (r.kind === 'customer' ? [r.customerId] : [])))];
  const read = customers.length > 1 && channel.addressesOfCustomers !== undefined ? await channel.addressesOfCustomers(customers) : null;
  const addresses: string[][] = [];
  for (const recipient of recipients)
    addresses.push(
      read !== null && recipient.kind === 'customer' ? (read.get(recipient.customerId) ?? []) : await channel.addressesOf(recipient),
    );
  return addresses;
}
