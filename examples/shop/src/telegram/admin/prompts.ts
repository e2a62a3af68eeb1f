import { InlineKeyboard, type Composer, type Filter } from 'grammy';
import type { PromptAction, TelegramPrompt } from '../../db/telegram-prompts.js';
import type { BotContext, BotDeps } from '../context.js';

/** An admin's text message, taken as the answer to the bot's open question. */
export type TextContext = Filter<BotContext, 'message:text'>;

/** What the bot does with an answer to each kind of question. */
export type PromptAnswers = Record<PromptAction, (ctx: TextContext, subjectId: string, text: string) => Promise<void>>;

/** The data of the "Cancel" button under every question. */
export const CANCEL_PROMPT = 'axc';

/** Asks an admin a question whose answer is their next text message, with a Cancel button (or `/cancel`). */
export async function askAdmin(ctx: BotContext, deps: BotDeps, prompt: TelegramPrompt, question: string): Promise<void> {
  await deps.prompts.ask(ctx.user.telegramUserId, prompt);
  await ctx.reply(question, { reply_markup: new InlineKeyboard().text(ctx.user.t('telegram.admin.cancel'), CANCEL_PROMPT) });
}

/**
 * An admin's next text message answers the bot's open question (taken once, on any replica); a command is
 * never an answer, and `/cancel` or the Cancel button drops the question. Registered before every other
 * text handler so the answer is not read as anything else.
 */
export function promptHandlers(bot: Composer<BotContext>, deps: BotDeps, answers: PromptAnswers): void {
  const admins = bot.filter((ctx) => ctx.user.isAdmin);
  admins.command('cancel', async (ctx) => {
    const had = await deps.prompts.cancel(ctx.user.telegramUserId);
    await ctx.reply(ctx.user.t(had ? 'telegram.admin.cancelled' : 'telegram.admin.nothingToCancel'));
  });
  // Under a question or an "are you sure?": either way nothing is done, and no answer is awaited any more.
  admins.callbackQuery(CANCEL_PROMPT, async (ctx) => {
    await ctx.answerCallbackQuery();
    await deps.prompts.cancel(ctx.user.telegramUserId);
    await ctx.editMessageReplyMarkup({ reply_markup: new InlineKeyboard() }).catch(() => undefined);
    await ctx.reply(ctx.user.t('telegram.admin.cancelled'));
  });
  admins.on('message:text', async (ctx, next) => {
    if (ctx.message.text.startsWith('/')) return next();
    const prompt = await deps.prompts.take(ctx.user.telegramUserId);
    if (prompt === null) return next();
    await answers[prompt.action](ctx, prompt.subjectId, ctx.message.text);
  });
  bot.callbackQuery(CANCEL_PROMPT, (ctx) => ctx.answerCallbackQuery({ text: ctx.user.t('telegram.notYours') }));
}
