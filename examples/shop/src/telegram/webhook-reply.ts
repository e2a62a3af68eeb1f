import type { Api, WebhookReplyEnvelope } from 'grammy';

/** The Bot API methods the bot may answer in a webhook's HTTP response (Telegram takes one call there, unanswered). */
const REPLY_METHODS = new Set<string>(['answerCallbackQuery']);

/**
 * grammY's `canUseWebhookReply` for the shop's bots: a button's answer (a courtesy: `callback-answers.ts`) may ride
 * on the webhook's response, saving one outgoing request a tap; nothing whose outcome the bot reads or the user must
 * be sure to get (messages, edits) does.
 */
export function canAnswerInWebhookReply(method: string): boolean {
  return REPLY_METHODS.has(method);
}

/**
 * One webhook request's reply: the one Bot API call (see {@link canAnswerInWebhookReply}) the update's handling made
 * through `envelope`, held until the request is answered. Only a 200 carries it (Telegram reads no body of another
 * status), so `take` gives the held call to the request being answered 200, and `sendHeld` sends it through the Bot
 * API instead when the request is answered otherwise (shed, timed out, failed). Either closes the envelope: a call
 * the update makes after that (one still running past the wait) goes out through the Bot API as usual.
 */
export class WebhookReply {
  private held: string | null = null;
  /** What grammY's `bot.handleUpdate(update, envelope)` takes; its `send` is removed once the request is answered. */
  readonly envelope: WebhookReplyEnvelope = {
    send: (payload) => {
      this.held = payload;
    },
  };

  /** The held call's JSON body (`{ method, …params }`), or null; closes the envelope. */
  take(): string | null {
    delete this.envelope.send;
    const held = this.held;
    this.held = null;
    return held;
  }

  /** Sends the held call, if any, through `api` (a button's answer: its failure is the courtesy transformer's to log); closes the envelope. */
  sendHeld(api: Api): void {
    const held = this.take();
    if (held === null) return;
    const { method, ...params } = JSON.parse(held) as { method: string } & Record<string, unknown>;
    void api.raw[method as 'answerCallbackQuery'](params as Parameters<Api['raw']['answerCallbackQuery']>[0]).catch(() => undefined);
  }
}
