import { BotError, GrammyError, type MiddlewareFn } from 'grammy';
import type { Logger } from 'pino';
import type { NewSenderQuery, TelegramUpdateLog } from '../db/telegram-updates.js';
import type { BotContext } from './context.js';
import { watchCallsThatReachedTheUser } from './update-effects.js';

/** A Bot API refusal that no redelivery changes: the user blocked the bot, deleted the account, or the chat is gone. */
export function isUnreachableUser(error: unknown): boolean {
  const inner = error instanceof BotError ? error.error : error;
  return inner instanceof GrammyError && (inner.error_code === 403 || /chat not found/i.test(inner.description));
}

/** Thrown for a webhook delivery of an update some replica is still handling: answered 503, Telegram delivers it again. */
export class UpdateStillRunning extends Error {
  constructor(readonly updateId: number) {
    super(`Telegram update ${updateId} is still being handled`);
    this.name = 'UpdateStillRunning';
  }
}

/**
 * The bot's first middleware: each update is handled once across every replica (`telegram_updates`), and the chat it
 * came from is no longer marked unreachable (in the claim's statement, which also reads the sender's link into
 * `ctx.senderLink` and its customer into `ctx.senderCustomer`, and, for an update `newSender` names (one that makes
 * a customer for a sender with no link), their customer by external reference and a new account's slot into
 * `ctx.senderNew`). A delivery of
 * one handled already is dropped; of one still running, refused with {@link UpdateStillRunning} in webhook mode (the
 * outcome decides what its redelivery finds) and dropped when polling (nothing is delivered again there). A failed
 * update is given back for a redelivery only when no Bot API call may have reached the user: handled again, it
 * would repeat what the user may have seen (a message: the money actions replay by their keys
 * but answer again); otherwise it is finished, and its error goes on to be logged.
 */
export function handledOnce(
  updates: TelegramUpdateLog,
  log: Logger,
  mode: { webhook: boolean },
  newSender: (ctx: BotContext) => NewSenderQuery | null = () => null,
): MiddlewareFn<BotContext> {
  // Once handled, a failure to record it is logged, not thrown: the webhook answers 200 so no redelivery comes.
  const finish = (id: number) =>
    updates
      .finish(id)
      .catch((error: unknown) => log.warn({ err: error, updateId: id }, 'a handled Telegram update could not be marked finished'));
  return async (ctx, next) => {
    const id = ctx.update.update_id;
    // A chat that writes (or unblocks the bot) may be sent to again, whatever Telegram refused before. The sender's
    // link, which the bot resolves next, is read in the same statement.
    const read = await updates.claimReadingLink(
      id,
      ctx.chat === undefined ? null : String(ctx.chat.id),
      ctx.from === undefined ? null : String(ctx.from.id),
      newSender(ctx),
    );
    const { claim, link, customer } = read;
    if (claim === 'handled') return;
    if (claim === 'running') {
      if (mode.webhook) throw new UpdateStillRunning(id);
      return;
    }
    ctx.senderLink = link;
    ctx.senderCustomer = customer;
    if (read.newSender !== undefined) ctx.senderNew = read.newSender;
    const reachedTheUser = watchCallsThatReachedTheUser(ctx);
    try {
      await next();
    } catch (error) {
      // A user who blocked the bot stays unreachable however often Telegram redelivers: the update is done.
      if (isUnreachableUser(error)) {
        log.info({ updateId: id }, 'a Telegram user cannot be reached (blocked the bot); update dropped');
        return finish(id);
      }
      if (reachedTheUser()) await finish(id);
      else await updates.release(id);
      throw error;
    }
    await finish(id);
  };
}
