/**
 * The Telegram updates one bench/rush buyer's taps make, shaped as Telegram posts them to a webhook: the `/start`
 * command and taps on inline buttons. (The tests' `TelegramUser` does the same, but its module pulls in vitest.)
 */

/** A Telegram update as bench/rush posts it. */
export type BuyerUpdate = { update_id: number } & Record<string, unknown>;

let nextUpdateId = 1;
let nextCallbackId = 1;

/** A buyer in a private chat with the bot: their chat id is their user id, as in Telegram. */
export class RushBuyer {
  private nextMessageId = 1;

  constructor(readonly id: number) {}

  private get from() {
    return { id: this.id, is_bot: false, first_name: `Buyer ${this.id}`, language_code: 'en' };
  }

  private get chat() {
    return { id: this.id, type: 'private', first_name: `Buyer ${this.id}` };
  }

  /** The `/start` command. */
  start(): BuyerUpdate {
    return {
      update_id: nextUpdateId++,
      message: {
        message_id: this.nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat: this.chat,
        from: this.from,
        text: '/start',
        entities: [{ type: 'bot_command', offset: 0, length: 6 }],
      },
    };
  }

  /** A tap on the button with this data, on the bot's message `messageId`. */
  tap(data: string, messageId: number): BuyerUpdate {
    return {
      update_id: nextUpdateId++,
      callback_query: {
        id: `rush-cb-${nextCallbackId++}`,
        from: this.from,
        chat_instance: `rush-ci-${this.id}`,
        data,
        message: { message_id: messageId, date: Math.floor(Date.now() / 1000), chat: this.chat, text: '…' },
      },
    };
  }
}
