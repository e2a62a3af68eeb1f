import { InlineKeyboard, type Composer } from 'grammy';
import { formatBytes, formatDateTime, formatMoney } from '../../i18n/format.js';
import { localizedPlans } from '../../db/plan-texts.js';
import { changePlanFor } from '../../app/selling/change-plan.js';
import { planChangeOptionsFor, quotePlanChangeFor } from '../../app/selling/plan-change-options.js';
import { callbackData } from '../callback-data.js';
import { planNameFor } from '../face.js';
import type { BotContext, BotDeps, BotUser } from '../context.js';
import { trimText } from '../message-text.js';
import { refusalText } from '../refusal-text.js';
import { findOwnedSubscription } from '../../app/subscriptions/owned.js';

const QUOTE = /^pq:([A-Za-z0-9_-]{1,28}):([A-Za-z0-9_-]{1,28})$/;
const CHANGE = /^pc:([A-Za-z0-9_-]{1,28}):([A-Za-z0-9_-]{1,28})$/;

/** The idempotency key of a plan change: one per chat and message, so a double tap changes once. */
export function planChangeKey(chatId: string, messageId: number): string {
  return `tg-plan-${chatId}-${messageId}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
}

/**
 * Changing plan from the bot, as on the web page and the JSON API: the plans the buyer may move to
 * (`planChangeOptionsFor`), the engine's prorated quote for one (`quotePlanChangeFor`), then the switch
 * (`changePlanFor`: paid from the wallet, or credited back).
 */
export function planChangeHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;

  const back = (user: BotUser, subId: string) => new InlineKeyboard().text(user.t('telegram.menu.back'), callbackData('s', subId));

  bot.callbackQuery(/^pl:([A-Za-z0-9_-]{1,40})$/, async (ctx) => {
    const { t, locale } = ctx.user;
    const sub = await findOwnedSubscription(shop, ctx.user, ctx.match[1]);
    if (sub === null) return void (await ctx.answerCallbackQuery({ text: t('telegram.notYours') }));
    await ctx.answerCallbackQuery();
    // The plans this buyer may move to (a storefront's buyer: its menu only), as the web page offers them.
    const offered = await planChangeOptionsFor(shop, sub.id);
    const others = await localizedPlans(
      shop,
      offered.map((o) => o.plan),
      locale,
    );
    if (others.length === 0) return void (await ctx.reply(t('planChange.none'), { reply_markup: back(ctx.user, sub.id) }));
    const keyboard = new InlineKeyboard();
    for (const plan of others.slice(0, 20))
      keyboard.text(trimText(planNameFor(ctx, plan.id, plan.name), 60), `pq:${sub.id}:${plan.id}`).row();
    await ctx.reply(`${t('planChange.title')}\n\n${t('planChange.explain')}`, {
      reply_markup: keyboard.text(t('telegram.menu.back'), callbackData('s', sub.id)),
    });
  });

  bot.callbackQuery(QUOTE, async (ctx) => {
    const { t, locale } = ctx.user;
    const sub = await findOwnedSubscription(shop, ctx.user, ctx.match[1]);
    if (sub === null) return void (await ctx.answerCallbackQuery({ text: t('telegram.notYours') }));
    await ctx.answerCallbackQuery();
    const planId = ctx.match[2] as string;
    const quoted = await quotePlanChangeFor(shop, sub.id, planId);
    if (!quoted.ok)
      return void (await ctx.reply(refusalText(ctx.user, quoted.refusal, shop.config.timeZone), { reply_markup: back(ctx.user, sub.id) }));
    const decision = quoted.quote;
    if (!decision.allowed)
      return void (await ctx.reply(t(`planChange.reasons.${decision.reason}`), { reply_markup: back(ctx.user, sub.id) }));
    const q = decision.quote;
    const lines = [
      `${t('planChange.credit')}: ${formatMoney(q.credit, locale)}`,
      `${t('planChange.charge')}: ${formatMoney(q.charge, locale)}`,
      ...(q.refund.amount > 0 ? [`${t('planChange.refund')}: ${formatMoney(q.refund, locale)}`] : []),
      `${t('planChange.newExpiry')}: ${formatDateTime(q.newExpiresAt, locale, shop.config.timeZone)}`,
      `${t('planChange.newLimit')}: ${q.newTrafficLimitBytes === null ? t('plans.unlimitedTraffic') : formatBytes(q.newTrafficLimitBytes, locale)}`,
      ...(decision.moves ? [t('planChange.moves')] : []),
      ...(decision.linkChanges ? [t('planChange.linkChanges')] : []),
    ];
    const label = q.charge.amount > 0 ? t('planChange.pay', { price: formatMoney(q.charge, locale) }) : t('planChange.switch');
    const keyboard = new InlineKeyboard()
      .text(label, `pc:${sub.id}:${planId}`)
      .row()
      .text(t('telegram.menu.back'), callbackData('s', sub.id));
    await ctx.reply(lines.join('\n'), { reply_markup: keyboard });
  });

  bot.callbackQuery(CHANGE, async (ctx) => {
    const { t } = ctx.user;
    const sub = await findOwnedSubscription(shop, ctx.user, ctx.match[1]);
    const message = ctx.callbackQuery.message;
    if (sub === null || message === undefined) return void (await ctx.answerCallbackQuery({ text: t('telegram.notYours') }));
    await ctx.answerCallbackQuery();
    const changed = await changePlanFor(shop, ctx.user.customer.id, sub.id, {
      planId: ctx.match[2] as string,
      idempotencyKey: planChangeKey(ctx.user.chatId, message.message_id),
    });
    if (changed.ok) return void (await ctx.reply(t('planChange.notices.changed'), { reply_markup: back(ctx.user, sub.id) }));
    const keyboard = new InlineKeyboard();
    if (changed.refusal.reason === 'insufficient_funds') keyboard.text(t('telegram.menu.topUp'), 'tu');
    await ctx.reply(refusalText(ctx.user, changed.refusal, shop.config.timeZone), {
      reply_markup: keyboard.text(t('telegram.menu.back'), 'm'),
    });
  });
}
