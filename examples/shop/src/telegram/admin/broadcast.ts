import type { Composer } from 'grammy';
import type { BroadcastJobs } from '../broadcast-jobs.js';
import type { BotContext } from '../context.js';
import { MESSAGE_MAX } from '../message-text.js';

/** The broadcast's key: the admin's message, so a redelivered command queues it once. */
export function broadcastKey(chatId: string, messageId: number): string {
  return `tg:broadcast:${chatId}:${messageId}`;
}

/** `/broadcast <text>`: an admin queues a message to every linked buyer (not to the admins) (one host job, fanned out to a job per chat). */
export function broadcastHandlers(
  bot: Composer<BotContext>,
  broadcasts: BroadcastJobs,
  adminIds: readonly string[],
  queued: () => void,
): void {
  bot
    .filter((ctx) => ctx.user.isAdmin)
    .command('broadcast', async (ctx) => {
      const { t } = ctx.user;
      const text = typeof ctx.match === 'string' ? ctx.match.trim() : '';
      if (text === '') return void (await ctx.reply(t('telegram.broadcast.help')));
      if (text.length > MESSAGE_MAX) return void (await ctx.reply(t('telegram.broadcast.tooLong', { max: MESSAGE_MAX })));
      const created = await broadcasts.create({
        key: broadcastKey(ctx.user.chatId, ctx.message?.message_id ?? 0),
        text,
        createdBy: `telegram:${ctx.user.telegramUserId}`,
        exceptUsers: adminIds,
      });
      await ctx.reply(t('telegram.broadcast.queued', { count: created.recipients }));
      queued();
    });
}
