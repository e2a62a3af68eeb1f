import { InlineKeyboard, type Composer } from 'grammy';
import { channelJoinUrl, type StoredGrowthSettings } from '../app/growth/growth-settings.js';
import { channelCheckOf } from '../app/growth/required-channel.js';
import { showMenuOf, startWith } from './buyer/start.js';
import { CALLBACK_DATA_MAX_BYTES } from './callback-data.js';
import type { BotContext, BotDeps } from './context.js';

/** The "done" button's data: `chk`, or `chk:<the /start payload to resume>`. */
const DONE = /^chk(?::([A-Za-z0-9_-]{1,60}))?$/;

/**
 * The required channel (owner's growth settings): a bot user who is not a member of it is shown the join button and a
 * "done" button that checks again, and nothing else happens until they join. Let through always: staff
 * (`TELEGRAM_ADMIN_IDS`) and payment updates (a `successful_payment` must be credited; pre-checkout queries are
 * answered before this runs). A blocked `/start <payload>` rides on the "done" button and is resumed after joining.
 * When Telegram refuses the check (the bot is not the channel's admin), buyers pass, the log says so once per
 * process, and the staff are told once (`channel_unchecked`); when it fails or does not answer within the check's
 * short budget, buyers pass too, and the update is still answered within the webhook's wait.
 */
export function requiredChannelGate(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;
  const channel = channelCheckOf(shop);

  async function prompt(ctx: BotContext, settings: StoredGrowthSettings, resume: string): Promise<void> {
    const { t } = ctx.user;
    const keyboard = new InlineKeyboard();
    const url = channelJoinUrl(settings);
    if (url !== null) keyboard.url(t('growth.channel.join'), url).row();
    const done = resume === '' ? 'chk' : `chk:${resume}`;
    const fits = DONE.test(done) && Buffer.byteLength(done) <= CALLBACK_DATA_MAX_BYTES;
    keyboard.text(t('growth.channel.done'), fits ? done : 'chk');
    await ctx.reply(t('growth.channel.prompt', { channel: settings.channel ?? '' }), { reply_markup: keyboard });
  }

  bot.use(async (ctx, next) => {
    if (ctx.user.isAdmin || ctx.message?.successful_payment !== undefined || ctx.message?.refunded_payment !== undefined) return next();
    const done = ctx.callbackQuery?.data === undefined ? null : DONE.exec(ctx.callbackQuery.data);
    const { settings, verdict } = await channel.check({ telegramUserId: ctx.user.telegramUserId, fresh: done !== null });
    if (verdict === 'none') return next();
    if (done !== null) {
      if (verdict === 'outside') {
        await ctx.answerCallbackQuery({ text: ctx.user.t('growth.channel.stillOutside') });
        return prompt(ctx, settings, done[1] ?? '');
      }
      await ctx.answerCallbackQuery();
      const resume = done[1];
      return resume === undefined ? showMenuOf(deps, ctx, ctx.user.t('growth.channel.thanks')) : startWith(deps, ctx, resume);
    }
    if (verdict !== 'outside') return next();
    if (ctx.callbackQuery !== undefined) await ctx.answerCallbackQuery();
    const text = ctx.message?.text ?? '';
    const start = /^\/start(?:@\S+)?\s+(\S+)$/.exec(text.trim());
    return prompt(ctx, settings, start?.[1] ?? '');
  });
}
