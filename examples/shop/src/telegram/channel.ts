import { GrammyError, type Api } from 'grammy';
import type { Clock } from '@panelkit/sdk';
import type { SqlClient } from '@panelkit/storage-postgres';
import type { Logger } from 'pino';
import type { NotificationChannel, Recipient, RenderedMessage } from '../notifications/channel.js';
import type { TelegramLinkStore } from './links.js';
import { splitMessage } from './message-text.js';

export interface TelegramChannelOptions {
  /** The bot's API (with the auto-retry plugin installed). */
  api: Api;
  links: TelegramLinkStore;
  /** Staff are reached in their private chats with the bot (a user's private chat id is their user id). */
  adminIds: readonly string[];
  db: SqlClient;
  /** The quoted schema of the shop's tables. */
  shopSchema: string;
  clock: Clock;
  logger: Logger;
}

/**
 * Notifications through the bot: a buyer in the chat their Telegram link names, staff in each
 * admin's chat. Each idempotency key is recorded in `telegram_sent` before the call, so a key is
 * sent at most once: a call Telegram refused (nothing arrived) gives the key back and throws, to
 * be retried; a network failure mid-call (it may have arrived) keeps the key and is not repeated.
 */
export function createTelegramChannel(options: TelegramChannelOptions): NotificationChannel {
  const { api, links, db, shopSchema, clock, logger } = options;
  return {
    name: 'telegram',
    async addressesOf(recipient: Recipient): Promise<string[]> {
      if (recipient.kind === 'staff') return [...options.adminIds];
      const link = await links.byCustomer(recipient.customerId);
      return link === null ? [] : [link.chatId];
    },
    async send(address: string, message: RenderedMessage, idempotencyKey: string): Promise<void> {
      const { rows } = await db.query(
        `INSERT INTO ${shopSchema}.telegram_sent (idempotency_key, chat_id, sent_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING chat_id`,
        [idempotencyKey, address, clock.now()],
      );
      if (rows.length === 0) return;
      const parts = splitMessage(message.subject === '' ? message.text : `${message.subject}\n\n${message.text}`);
      try {
        for (const part of parts) await api.sendMessage(address, part);
      } catch (error) {
        if (error instanceof GrammyError) {
          await db.query(`DELETE FROM ${shopSchema}.telegram_sent WHERE idempotency_key = $1`, [idempotencyKey]);
          throw error;
        }
        logger.warn({ err: error, idempotencyKey }, 'Telegram notification outcome unknown; it will not be sent again');
      }
    },
  };
}
