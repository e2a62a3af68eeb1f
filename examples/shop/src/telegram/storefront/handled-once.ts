import type { MiddlewareFn } from 'grammy';
import type { Logger } from 'pino';
import type { StorefrontUpdateLog } from '../../db/storefront-telegram-updates.js';
import type { TelegramUnreachableChats } from '../../db/telegram-unreachable.js';
import { storefrontAddress } from './address.js';
import { watchCallsThatReachedTheUser } from '../update-effects.js';
import { isUnreachableUser, UpdateStillRunning } from '../update-once.js';

/**
 * A storefront bot's first middleware: each of its updates is handled once across every replica, keyed by the bot
 * and the update id (Telegram numbers each bot's updates on its own). As the owner's bot's webhook
 * (`update-once.ts`): a delivery of one handled already is dropped, of one still running refused with
 * {@link UpdateStillRunning} (answered 503, delivered again), and a failed one given back only when nothing may have
 * reached the user. The chat that wrote is no longer marked unreachable with this bot.
 */
export function storefrontHandledOnce(
  updates: StorefrontUpdateLog,
  unreachable: TelegramUnreachableChats,
  botId: string,
  log: Logger,
): MiddlewareFn {
  const finish = (id: number) =>
    updates
      .finish(botId, id)
      .catch((error: unknown) => log.warn({ err: error, botId, updateId: id }, 'a handled storefront update could not be marked finished'));
  return async (ctx, next) => {
    const id = ctx.update.update_id;
    const claim = await updates.claim(botId, id);
    if (claim === 'handled') return;
    if (claim === 'running') throw new UpdateStillRunning(id);
    // A chat that writes to the bot (or unblocked it) may be sent to again through this bot.
    if (ctx.chat !== undefined) await unreachable.clear(storefrontAddress(botId, String(ctx.chat.id)));
    const reachedTheUser = watchCallsThatReachedTheUser(ctx);
    try {
      await next();
    } catch (error) {
      if (isUnreachableUser(error)) return finish(id);
      if (reachedTheUser()) await finish(id);
      else await updates.release(botId, id);
      throw error;
    }
    await finish(id);
  };
}
