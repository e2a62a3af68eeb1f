import type { Plan } from '@panelkit/sdk';
import type { Composer, Filter } from 'grammy';
import type { Contact } from 'grammy/types';
import { buyPlansFor } from '../../app/selling/buy-plans.js';
import type { BotContext, BotDeps } from '../context.js';
import { replyToPurchase } from './purchase-reply.js';

/** A phone number in E.164 (the SDK's trial identity refuses anything else). */
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * The sender's own verified phone from a shared contact, in E.164, or `null`. Telegram fills `user_id` with the
 * account whose number it is; only a contact of the sender themself (the `request_contact` button sends exactly that)
 * is a number Telegram verified for them. A forwarded or typed contact of anyone else is not.
 */
export function ownVerifiedPhone(contact: Contact, senderId: number): string | null {
  if (contact.user_id !== senderId) return null;
  const phone = `+${contact.phone_number.replace(/[^\d]/g, '')}`;
  return E164.test(phone) ? phone : null;
}

/** The checkout key of a trial claimed with a contact: the contact's message, so a redelivered update claims once. */
export function phoneTrialKey(chatId: string, messageId: number): string {
  return `tg:trial-phone:${chatId}:${messageId}`;
}

/** The reply keyboard with one button that shares the user's own contact (Telegram's verified phone). */
function contactKeyboard(ctx: BotContext) {
  return {
    keyboard: [[{ text: ctx.user.t('buyerBot.phone.share'), request_contact: true }]],
    resize_keyboard: true,
    one_time_keyboard: true,
  };
}

/** Asks for the buyer's own contact before a trial whose plan asks for a verified phone (`requirePhone`). */
export async function askPhoneForTrial(deps: BotDeps, ctx: BotContext, plan: Plan): Promise<void> {
  await deps.prompts.ask(ctx.user.telegramUserId, { action: 'trial_phone', subjectId: plan.id });
  await ctx.reply(ctx.user.t('buyerBot.phone.ask'), { reply_markup: contactKeyboard(ctx) });
}

type ContactContext = Filter<BotContext, 'message:contact'>;

/**
 * Verified phones for trials in the bot: the buyer's own contact (its `user_id` the sender's) answers the open
 * `trial_phone` question and the trial is claimed with that number, once per contact message (one trial per number:
 * the SDK's rule; its refusal never says whether another account holds it). Someone else's contact, a contact nobody
 * asked for, or text typed instead are answered and change nothing.
 */
export function phoneTrialHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;
  const removeKeyboard = { remove_keyboard: true as const };

  bot.on('message:contact', async (ctx: ContactContext) => {
    const { t, customer } = ctx.user;
    const phone = ownVerifiedPhone(ctx.message.contact, ctx.from.id);
    const prompt = await deps.prompts.takeIf(ctx.user.telegramUserId, ['trial_phone']);
    if (prompt === null) return void (await ctx.reply(t('buyerBot.phone.notAsked'), { reply_markup: removeKeyboard }));
    if (phone === null) {
      // Asked again: the question stays open for the buyer's own contact.
      await deps.prompts.ask(ctx.user.telegramUserId, prompt);
      return void (await ctx.reply(t('buyerBot.phone.notOwn'), { reply_markup: contactKeyboard(ctx) }));
    }
    await ctx.reply(t('buyerBot.phone.received'), { reply_markup: removeKeyboard });
    const bought = await buyPlansFor(shop, customer.id, {
      items: [{ planId: prompt.subjectId, quantity: 1, trial: true, autoRenew: false }],
      idempotencyKey: phoneTrialKey(ctx.user.chatId, ctx.message.message_id),
      verifiedPhone: phone,
    });
    await replyToPurchase(ctx.user, bought, shop.config.timeZone, (text, keyboard) => ctx.reply(text, { reply_markup: keyboard }));
  });

  // Text typed while the bot waits for the contact button: the question stays open.
  bot.on('message:text', async (ctx, next) => {
    if (ctx.message.text.startsWith('/')) return next();
    const prompt = await deps.prompts.takeIf(ctx.user.telegramUserId, ['trial_phone']);
    if (prompt === null) return next();
    await answerPhoneText(deps)(ctx, prompt.subjectId);
  });
}

/** Text instead of the contact (the admins' prompt table routes it here too): asked again, nothing else. */
export function answerPhoneText(deps: BotDeps) {
  return async (ctx: BotContext, planId: string): Promise<void> => {
    await deps.prompts.ask(ctx.user.telegramUserId, { action: 'trial_phone', subjectId: planId });
    await ctx.reply(ctx.user.t('buyerBot.phone.useButton'), { reply_markup: contactKeyboard(ctx) });
  };
}
