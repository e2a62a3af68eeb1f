import { RetryLaterError } from '@panelkit/sdk';
import { type Api, GrammyError } from 'grammy';
import type { TelegramConfig } from '../config/config.js';
import type { NotificationChannel, RenderedMessage } from '../app/notifications/channel.js';
import type { Recipient } from '../db/notifications.js';
import type { Shop } from '../app/shop.js';
import { TelegramLinkStore } from '../db/telegram-links.js';
import { TelegramSentStore } from '../db/telegram-sent.js';
import { splitMessage } from './message-text.js';
import { telegramApi } from '../app/telegram-api.js';

export interface TelegramChannelOptions {
  /** The shop's database and clock (the link table and `telegram_sent` live in its schema). */
  shop: Pick<Shop, 'db' | 'shopSchema' | 'clock' | 'logger'>;
  /** The bot's settings: its token and API root, and the admins (staff are reached in their private chats with the bot). */
  config: TelegramConfig;
  /** The bot's API, when a bot runs in this process; otherwise one is made from `config` (a worker replica). */
  api?: Api;
}

/**
 * Notifications through the bot: a buyer in the chat their Telegram link names, staff in each
 * admin's chat. Each idempotency key is recorded in `telegram_sent` before the call, so a key is
 * sent at most once: a call Telegram refused (nothing arrived) gives the key back and throws, to
 * be retried; a network failure mid-call (it may have arrived) keeps the key and is not repeated.
 */
export function createTelegramChannel(options: TelegramChannelOptions): NotificationChannel {
  const { db, shopSchema, clock } = options.shop;
  const logger = options.shop.logger.child({ component: 'telegram-channel' });
  const api = options.api ?? telegramApi(options.config);
  const links = new TelegramLinkStore(db, shopSchema, clock);
  const sent = new TelegramSentStore(db, shopSchema, clock);
  return {
    name: 'telegram',
    async addressesOf(recipient: Recipient): Promise<string[]> {
      if (recipient.kind === 'staff') return [...options.config.adminIds];
      const link = await links.byCustomer(recipient.customerId);
      return link === null ? [] : [link.chatId];
    },
    async send(address: string, message: RenderedMessage, idempotencyKey: string): Promise<void> {
      if (!(await sent.claim(idempotencyKey, address))) return;
      const parts = splitMessage(message.subject === '' ? message.text : `${message.subject}\n\n${message.text}`);
      try {
        for (const part of parts) await api.sendMessage(address, part);
      } catch (error) {
        if (error instanceof GrammyError) {
          await sent.release(idempotencyKey);
          // Still refused after the client's own waits: the send job waits as long as Telegram asked.
          const retryAfter = error.parameters.retry_after;
          if (error.error_code === 429 && retryAfter !== undefined)
            throw new RetryLaterError('Telegram answered 429', retryAfter * 1000, { cause: error });
          throw error;
        }
        logger.warn({ err: error, idempotencyKey }, 'Telegram notification outcome unknown; it will not be sent again');
      }
    },
  };
}

/**
 * The Telegram channel when the shop's bot is configured, else none: what the notification jobs add to
 * their channels (in the web process and in worker replicas alike; no running bot is needed).
 */
export function telegramChannelsFor(shop: Pick<Shop, 'db' | 'shopSchema' | 'clock' | 'logger' | 'config'>): NotificationChannel[] {
  return shop.config.telegram === null ? [] : [createTelegramChannel({ shop, config: shop.config.telegram })];
}
