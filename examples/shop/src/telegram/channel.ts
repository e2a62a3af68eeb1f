import type { Api } from 'grammy';
import type { TelegramConfig } from '../config/config.js';
import {
  DeliveryRefusedError,
  type NotificationChannel,
  type OutgoingMessage,
  type RenderedMessage,
  type SendFailure,
} from '../app/notifications/channel.js';
import type { Recipient } from '../db/notifications.js';
import type { Shop } from '../app/shop.js';
import { TelegramSentStore, type SendClaim } from '../db/telegram-sent.js';
import { TelegramUnreachableChats } from '../db/telegram-unreachable.js';
import { classifySendError } from './send-policy.js';
import { splitMessage } from './message-text.js';
import { telegramApi } from '../app/telegram-api.js';
import { parseStorefrontAddress, storefrontRoutes } from './storefront/address.js';

export interface TelegramChannelOptions {
  /** The shop's database and clock (the link table and `telegram_sent` live in its schema). */
  shop: Pick<Shop, 'db' | 'shopSchema' | 'clock' | 'logger' | 'secretBox' | 'config'>;
  /** The bot's settings: its token and API root, and the admins (staff are reached in their private chats with the bot). */
  config: TelegramConfig;
  /** The Bot API client; one is made from `config` when not given. It must not wait out 429s itself (the job does). */
  api?: Api;
}

/**
 * Notifications through the bot: a buyer in the chat their Telegram link names, staff in each
 * admin's chat, but no chat Telegram refused for good until it writes again. Each idempotency key is
 * recorded in `telegram_sent` before the call, so a key is sent at most once. Failures follow the one
 * send policy (`send-policy.ts`): a 429, a 5xx or a connection never made gives the key back and throws
 * a `RetryLaterError` (the send job runs again then); a 400 or 403 gives it back and throws
 * `DeliveryRefusedError` with Telegram's reason (the delivery fails at once), marking the chat when it is
 * blocked or unknown; a network failure mid-call (it may have arrived) keeps the key and is not repeated.
 */
export function createTelegramChannel(options: TelegramChannelOptions): NotificationChannel {
  const { db, shopSchema, clock } = options.shop;
  const logger = options.shop.logger.child({ component: 'telegram-channel' });
  const api = options.api ?? telegramApi(options.config);
  const sent = new TelegramSentStore(db, shopSchema, clock);
  const unreachable = new TelegramUnreachableChats(db, shopSchema, clock);
  const storefronts = storefrontRoutes(options.shop);

  /** Sends one message whose key `claim` answered for. */
  async function sendClaimed({ address, message, idempotencyKey }: OutgoingMessage, claim: SendClaim): Promise<void> {
    // Marked after this delivery was written (another message found it blocked): refused without a call.
    if ('marked' in claim) throw new DeliveryRefusedError(claim.marked);
    if (!claim.claimed) return;
    const parts = splitMessage(message.subject === '' ? message.text : `${message.subject}\n\n${message.text}`);
    const storefront = parseStorefrontAddress(address);
    try {
      const through = storefront === null ? api : await storefronts.apiOf(storefront.botId);
      // The storefront's bot was removed since this delivery was written: nothing can reach the chat.
      if (through === null) throw new DeliveryRefusedError('the storefront has no bot now');
      for (const part of parts) await through.sendMessage(storefront?.chatId ?? address, part);
    } catch (error) {
      const failure = classifySendError(error);
      if (failure === null) throw error;
      if (failure.kind === 'unknown') {
        logger.warn({ err: error, idempotencyKey }, 'Telegram notification outcome unknown; it will not be sent again');
        return;
      }
      await sent.release(idempotencyKey);
      if (failure.kind === 'retry') throw failure.error;
      if (failure.unreachable) await unreachable.mark(address, failure.reason);
      throw new DeliveryRefusedError(failure.reason);
    }
  }

  /** The keys of all the messages claimed in one statement, then each message sent on its own, side by side. */
  async function sendMany(messages: readonly OutgoingMessage[]): Promise<(SendFailure | null)[]> {
    const claims = await sent.claimMany(messages.map((m) => ({ idempotencyKey: m.idempotencyKey, chatId: m.address })));
    return Promise.all(
      messages.map((m, i) =>
        sendClaimed(m, claims[i]!).then(
          () => null,
          (error: unknown) => ({ error }),
        ),
      ),
    );
  }

  return {
    name: 'telegram',
    // Each key is claimed in `telegram_sent` before the call: the notices job may send it, and a send job after it.
    sentWhenWritten: true,
    async addressesOf(recipient: Recipient): Promise<string[]> {
      if (recipient.kind === 'staff') return unreachable.reachable(options.config.adminIds);
      // A storefront's buyer hears through their storefront's bot, under its name (issue 70).
      const address = await unreachable.reachableAddressOf(recipient.customerId);
      return address === null ? [] : [address];
    },
    async addressesOfCustomers(customerIds: readonly string[]): Promise<Map<string, string[]>> {
      const addresses = await unreachable.reachableAddressesOf(customerIds);
      return new Map([...addresses].map(([customerId, address]) => [customerId, [address]]));
    },
    async send(address: string, message: RenderedMessage, idempotencyKey: string): Promise<void> {
      const [failure] = await sendMany([{ address, message, idempotencyKey }]);
      if (failure) throw failure.error;
    },
    sendMany,
  };
}

/**
 * The Telegram channel when the shop's bot is configured, else none: what the notification jobs add to
 * their channels (in the web process and in worker replicas alike; no running bot is needed).
 */
export function telegramChannelsFor(
  shop: Pick<Shop, 'db' | 'shopSchema' | 'clock' | 'logger' | 'config' | 'secretBox'>,
): NotificationChannel[] {
  return shop.config.telegram === null ? [] : [createTelegramChannel({ shop, config: shop.config.telegram })];
}
