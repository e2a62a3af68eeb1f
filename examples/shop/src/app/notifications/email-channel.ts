import nodemailer from 'nodemailer';
import type { Shop } from '../shop.js';
import type { Recipient } from '../../db/notifications.js';
import type { NotificationChannel, RenderedMessage } from './channel.js';

/** Where mail goes and who it is from (`SMTP_URL`, `MAIL_FROM`). */
export interface EmailChannelOptions {
  /** `smtp://user:pass@host:587`, `smtps://…`: nodemailer's connection URL. */
  smtpUrl: string;
  /** The From address, e.g. `Shop <shop@example.com>`. */
  from: string;
}

/** The domain of the From address, for Message-IDs. */
function mailDomain(from: string): string {
  const match = /@([^>\s]+)>?\s*$/.exec(from);
  return match?.[1] ?? 'panelkit.local';
}

/**
 * Email through nodemailer. Buyers are reached at their customer email; the staff at every admin
 * account's email. The delivery's key becomes the Message-ID, so a message sent twice after a
 * crash (the one window where that can happen) is recognisably the same message.
 */
export function createEmailChannel(
  shop: Pick<Shop, 'accounts' | 'storage'>,
  options: EmailChannelOptions,
): NotificationChannel & { close(): void } {
  const transport = nodemailer.createTransport({
    url: options.smtpUrl,
    // A dead server must not hold the delivery loop for nodemailer's default two minutes.
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  });
  const domain = mailDomain(options.from);
  return {
    name: 'email',
    async addressesOf(recipient: Recipient): Promise<string[]> {
      if (recipient.kind === 'customer') {
        const customer = await shop.storage.customers.get(recipient.customerId);
        return customer?.email === null || customer === null ? [] : [customer.email];
      }
      return shop.accounts.ownerEmails();
    },
    async addressesOfCustomers(customerIds: readonly string[]): Promise<Map<string, string[]>> {
      const customers = customerIds.length === 0 ? [] : await shop.storage.customers.getMany(customerIds);
      return new Map(customers.flatMap((c) => (c.email === null ? [] : [[c.id, [c.email]] as const])));
    },
    async send(address: string, message: RenderedMessage, idempotencyKey: string): Promise<void> {
      await transport.sendMail({
        from: options.from,
        to: address,
        subject: message.subject,
        text: message.text,
        messageId: `<${idempotencyKey}@${domain}>`,
        headers: { 'X-Panelkit-Delivery': idempotencyKey },
      });
    },
    close() {
      transport.close();
    },
  };
}
