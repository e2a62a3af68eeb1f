import type { Shop } from '../app/shop.js';
import type { NotificationChannel } from '../app/notifications/channel.js';
import { telegramChannelsFor } from '../telegram/channel.js';
import { createEmailChannel } from '../app/notifications/email-channel.js';

/** The channels a shop delivers through, and how to let go of their connections. */
export interface ShopChannels {
  readonly list: NotificationChannel[];
  close(): void;
}

/** The shop's configured channels: email when `SMTP_URL` is set, Telegram when the bot has a token. */
export function shopChannels(shop: Shop): ShopChannels {
  const list: NotificationChannel[] = [];
  const closers: Array<() => void> = [];
  const email = shop.config.notifications.email;
  if (email !== null) {
    const channel = createEmailChannel(shop, { smtpUrl: email.smtpUrl, from: email.from });
    list.push(channel);
    closers.push(() => channel.close());
  }
  list.push(...telegramChannelsFor(shop));
  return {
    list,
    close() {
      for (const close of closers.splice(0)) close();
    },
  };
}
