import type { Clock } from '@panelkit/sdk';
import type { Update } from 'grammy/types';
import type { Logger } from 'pino';
import { createShopBot, type ShopBot } from '../../src/telegram/bot.js';
import { runBot, type RunningBot } from '../../src/telegram/runtime.js';
import { buttonsOf, FakeTelegram, type BotCall } from './fake-telegram.js';
import { startShop, type ShopUnderTest } from './shop-under-test.js';

/** The admin's Telegram id in every bot test. */
export const ADMIN_TELEGRAM_ID = 9001;

/** The public address of a shop under test with its bot polling (http: no Mini App button, cookies not Secure). */
export const BOT_SHOP_URL = 'http://shop.test';

/** The shop with its bot polling a fake Telegram. */
export interface BotShop {
  t: ShopUnderTest;
  fake: FakeTelegram;
  shopBot: ShopBot;
  running: RunningBot | null;
  close(): Promise<void>;
}

/** The shop under test with the bot on: long polling (default) against a fake Bot API, or webhook mode (not started). */
export async function startBotShop(
  options: {
    webhook?: boolean;
    env?: Record<string, string>;
    logger?: Logger;
    app?: NonNullable<Parameters<typeof startShop>[0]>['app'];
  } = {},
): Promise<BotShop> {
  const fake = await FakeTelegram.start();
  const env: Record<string, string> = {
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
    TELEGRAM_ADMIN_IDS: String(ADMIN_TELEGRAM_ID),
    // A bot needs the shop's public address (the buyer's link is given on it); long polling unless `webhook`.
    PUBLIC_URL: BOT_SHOP_URL,
    TELEGRAM_WEBHOOK: 'off',
    ...options.env,
  };
  if (options.webhook === true)
    Object.assign(env, {
      PUBLIC_URL: 'https://shop.example.com',
      TELEGRAM_WEBHOOK: 'on',
      TELEGRAM_WEBHOOK_SECRET: 'webhook-secret-for-tests-0123',
    });
  const t = await startShop({
    env,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.app === undefined ? {} : { app: options.app }),
  });
  const config = t.config.telegram;
  if (config === null) throw new Error('the bot is not configured');
  const shopBot = createShopBot(t.shop, config);
  const running = options.webhook === true ? null : await runBot(t.shop, shopBot, { loopEveryMs: 3_600_000 });
  return {
    t,
    fake,
    shopBot,
    running,
    async close() {
      await running?.stop();
      await fake.close();
      await t.close();
    },
  };
}

let nextCallbackId = 1;

/** A Telegram user talking to the bot through the fake server. */
export class TelegramUser {
  private nextMessageId = 1;

  constructor(
    private readonly fake: FakeTelegram,
    private readonly clock: Clock,
    readonly id: number,
    readonly languageCode: string = 'en',
    /** Their `@username`, when they have one (without the `@`). */
    readonly username?: string,
  ) {}

  private get from() {
    return {
      id: this.id,
      is_bot: false,
      first_name: `User ${this.id}`,
      language_code: this.languageCode,
      ...(this.username === undefined ? {} : { username: this.username }),
    };
  }

  private get chat() {
    return { id: this.id, type: 'private' as const, first_name: `User ${this.id}` };
  }

  private date(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }

  /** A text message (a command when it starts with `/`). */
  message(text: string): Update {
    const command = /^\/[a-z_]+/.exec(text)?.[0];
    return {
      update_id: this.fake.updateId(),
      message: {
        message_id: this.nextMessageId++,
        date: this.date(),
        chat: this.chat,
        from: this.from,
        text,
        ...(command === undefined ? {} : { entities: [{ type: 'bot_command' as const, offset: 0, length: command.length }] }),
      },
    };
  }

  /** A photo with a caption (a card receipt). */
  photo(caption: string, fileId = `receipt-photo-${this.id}-${this.nextMessageId}`): Update {
    return {
      update_id: this.fake.updateId(),
      message: {
        message_id: this.nextMessageId++,
        date: this.date(),
        chat: this.chat,
        from: this.from,
        caption,
        photo: [
          { file_id: `${fileId}-small`, file_unique_id: `${fileId}-s`, width: 90, height: 90 },
          { file_id: fileId, file_unique_id: `${fileId}-l`, width: 1280, height: 1280 },
        ],
      },
    };
  }

  /** A file with a caption: an image sent uncompressed (a receipt screenshot), or any other file. */
  file(caption: string, fileId: string, mimeType = 'image/png'): Update {
    return {
      update_id: this.fake.updateId(),
      message: {
        message_id: this.nextMessageId++,
        date: this.date(),
        chat: this.chat,
        from: this.from,
        caption,
        document: { file_id: fileId, file_unique_id: `${fileId}-u`, file_name: 'receipt.png', mime_type: mimeType },
      },
    };
  }

  /** A shared contact (the `request_contact` button sends the user's own: `userId` defaults to theirs). */
  contact(phoneNumber: string, userId: number = this.id): Update {
    return {
      update_id: this.fake.updateId(),
      message: {
        message_id: this.nextMessageId++,
        date: this.date(),
        chat: this.chat,
        from: this.from,
        contact: { phone_number: phoneNumber, first_name: `User ${userId}`, user_id: userId },
      },
    };
  }

  /** A tap on a button with this data, on the bot's message `messageId`. */
  tap(data: string, messageId: number): Update {
    return {
      update_id: this.fake.updateId(),
      callback_query: {
        id: `cb-${nextCallbackId++}`,
        from: this.from,
        chat_instance: `ci-${this.id}`,
        data,
        message: { message_id: messageId, date: this.date(), chat: this.chat, text: '…' },
      },
    };
  }

  /** Telegram's pre-checkout query before it charges this user for the invoice with `payload`. */
  preCheckout(payload: string, totalAmount: number, currency = 'XTR'): Update {
    return {
      update_id: this.fake.updateId(),
      pre_checkout_query: { id: `pcq-${nextCallbackId++}`, from: this.from, currency, total_amount: totalAmount, invoice_payload: payload },
    };
  }

  /** The service message Telegram delivers after a charge (`successful_payment`); deliver it as often as Telegram might. */
  successfulPayment(charge: { chargeId: string; totalAmount: number; currency: string }, payload: string): Update {
    return {
      update_id: this.fake.updateId(),
      message: {
        message_id: this.nextMessageId++,
        date: this.date(),
        chat: this.chat,
        from: this.from,
        successful_payment: {
          currency: charge.currency,
          total_amount: charge.totalAmount,
          invoice_payload: payload,
          telegram_payment_charge_id: charge.chargeId,
          provider_payment_charge_id: '',
        },
      },
    } as Update;
  }

  /** The service message Telegram delivers after a Stars payment was refunded (`refunded_payment`). */
  refundedPayment(charge: { chargeId: string; totalAmount: number; currency: string }, payload: string): Update {
    return {
      update_id: this.fake.updateId(),
      message: {
        message_id: this.nextMessageId++,
        date: this.date(),
        chat: this.chat,
        from: this.from,
        refunded_payment: {
          currency: charge.currency,
          total_amount: charge.totalAmount,
          invoice_payload: payload,
          telegram_payment_charge_id: charge.chargeId,
        },
      },
    } as Update;
  }

  /** Pushes an update and waits for the bot's next message (text, photo or file) to this user. */
  async send(update: Update, match: (call: BotCall) => boolean = () => true): Promise<BotCall> {
    const since = this.fake.calls.length;
    this.fake.push(update);
    return this.fake.waitFor(
      since,
      (c) =>
        c.ok &&
        (c.method === 'sendMessage' || c.method === 'sendPhoto' || c.method === 'sendDocument') &&
        Number(c.params['chat_id']) === this.id &&
        match(c),
      `message to ${this.id}`,
    );
  }

  /** Taps the button whose data starts with `prefix` on a message the bot sent, and waits for the reply. */
  async press(on: BotCall, prefix: string, match?: (call: BotCall) => boolean): Promise<BotCall> {
    return this.send(this.tap(dataOf(on, prefix), messageIdOf(on)), match);
  }
}

/** The callback data of the first button on a message whose data starts with `prefix`. */
export function dataOf(call: BotCall, prefix: string): string {
  const button = buttonsOf(call).find((b) => b.callback_data?.startsWith(prefix));
  if (button?.callback_data === undefined) throw new Error(`no "${prefix}" button on ${JSON.stringify(call.params).slice(0, 400)}`);
  return button.callback_data;
}

/** The callback data of the first button on a message whose label starts with `label`. */
export function buttonLabelled(call: BotCall, label: string): string {
  const found = buttonsOf(call).find((b) => b.text.startsWith(label));
  if (found?.callback_data === undefined) throw new Error(`no button "${label}" in ${JSON.stringify(buttonsOf(call))}`);
  return found.callback_data;
}

/** The id the fake gave a message the bot sent. */
export function messageIdOf(call: BotCall): number {
  return (call.result as { message_id: number }).message_id;
}

/** The text (or caption) of a message the bot sent. */
export function textOf(call: BotCall): string {
  return String(call.params['text'] ?? call.params['caption'] ?? '');
}
