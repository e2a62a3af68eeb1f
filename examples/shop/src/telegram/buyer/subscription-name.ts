import { InlineKeyboard, type Composer } from 'grammy';
import { nameSubscriptionFor, SubscriptionLabelField } from '../../app/subscriptions/name-subscription.js';
import { findOwnedSubscription } from '../../app/subscriptions/owned.js';
import { ownLinkOf } from '../../app/subscriptions/own-link.js';
import { callbackData } from '../callback-data.js';
import { rotateOwnLinkButton } from './own-link-rotate.js';
import type { BotContext, BotDeps } from '../context.js';
import type { TextContext } from '../admin/prompts.js';

/** The buyer's "Cancel" under the rename question. */
const CANCEL = 'knx';
const ID = '([A-Za-z0-9_-]{1,40})';

/**
 * A typed name for the subscription the bot asked about (its `sub_label` question): refused input (empty, too long,
 * control characters) is said and changes nothing, the question staying open for another try; another buyer's (or a
 * gone) subscription changes nothing either.
 */
export function answerLabelPrompt(deps: BotDeps) {
  return async (ctx: TextContext, subscriptionId: string, text: string): Promise<void> => {
    const { shop } = deps;
    const { t } = ctx.user;
    const sub = await findOwnedSubscription(shop, ctx.user, subscriptionId);
    if (sub === null) return void (await ctx.reply(t('telegram.notYours')));
    const parsed = SubscriptionLabelField.safeParse(text);
    if (!parsed.success) {
      await deps.prompts.ask(ctx.user.telegramUserId, { action: 'sub_label', subjectId: sub.id });
      const reply_markup = new InlineKeyboard().text(t('telegram.admin.cancel'), CANCEL);
      return void (await ctx.reply(t('buyerBot.name.invalid'), { reply_markup }));
    }
    const named = await nameSubscriptionFor(shop, ctx.user.customer.id, sub.id, parsed.data);
    const reply_markup = new InlineKeyboard().text(t('telegram.menu.back'), callbackData('s', named.id));
    await ctx.reply(t('buyerBot.name.done', { name: named.label ?? '' }), { reply_markup });
  };
}

/**
 * Several subscriptions apart in the bot, on the API's use cases: naming one (`kn` asks, the buyer's next text is the
 * name, `knx` cancels) and its own link, which serves that subscription alone (`ko`, with a button to replace it).
 */
export function subscriptionNameHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;

  bot.callbackQuery(new RegExp(`^kn:${ID}$`), async (ctx) => {
    const { t } = ctx.user;
    const sub = await findOwnedSubscription(shop, ctx.user, ctx.match[1]);
    if (sub === null) return void (await ctx.answerCallbackQuery({ text: t('telegram.notYours') }));
    await ctx.answerCallbackQuery();
    await deps.prompts.ask(ctx.user.telegramUserId, { action: 'sub_label', subjectId: sub.id });
    await ctx.reply(t('buyerBot.name.ask'), { reply_markup: new InlineKeyboard().text(t('telegram.admin.cancel'), CANCEL) });
  });

  bot.callbackQuery(CANCEL, async (ctx) => {
    await ctx.answerCallbackQuery();
    await deps.prompts.takeIf(ctx.user.telegramUserId, ['sub_label']);
    await ctx.reply(ctx.user.t('telegram.admin.cancelled'), {
      reply_markup: new InlineKeyboard().text(ctx.user.t('telegram.menu.back'), 'subs'),
    });
  });

  bot.on('message:text', async (ctx, next) => {
    if (ctx.message.text.startsWith('/')) return next();
    const prompt = await deps.prompts.takeIf(ctx.user.telegramUserId, ['sub_label']);
    if (prompt === null) return next();
    await answerLabelPrompt(deps)(ctx, prompt.subjectId, ctx.message.text);
  });

  bot.callbackQuery(new RegExp(`^ko:${ID}$`), async (ctx) => {
    const { t } = ctx.user;
    const sub = await findOwnedSubscription(shop, ctx.user, ctx.match[1]);
    if (sub === null) return void (await ctx.answerCallbackQuery({ text: t('telegram.notYours') }));
    await ctx.answerCallbackQuery();
    const link = await ownLinkOf(shop, ctx.user.customer.id, sub.id);
    const reply_markup = rotateOwnLinkButton(new InlineKeyboard(), ctx, sub.id).text(t('telegram.menu.back'), callbackData('s', sub.id));
    await ctx.reply(`${t('buyerBot.ownLink')}\n${link}`, { reply_markup });
  });
}
