import { planAsSold } from '@panelkit/sdk';
import { InlineKeyboard, type Composer } from 'grammy';
import { formatBytes, formatMoney } from '../../i18n/format.js';
import { buyTrafficFor } from '../../app/selling/buy-traffic.js';
import { callbackData } from '../callback-data.js';
import type { BotContext, BotDeps, BotUser } from '../context.js';
import { refusalText } from '../refusal-text.js';
import { findOwnedSubscription } from '../../app/subscriptions/owned.js';

/** The amounts offered as buttons, within the plan's most per purchase. */
const GIB_CHOICES = [5, 10, 25, 50, 100] as const;

const QUOTE = /^tq:([A-Za-z0-9_-]{1,40}):(\d{1,6})$/;
const BUY = /^tb:([A-Za-z0-9_-]{1,40}):(\d{1,6})$/;

/** The idempotency key of a traffic purchase: one per chat, message and amount, so a double tap charges once. */
export function trafficKey(chatId: string, messageId: number, gib: number): string {
  return `tg-traffic-${chatId}-${messageId}-${gib}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
}

/**
 * Extra traffic from the bot, as on the web page and the JSON API (`buyTrafficFor`): the subscription's
 * offer with a few amounts to choose from, the engine's quote for one, then the payment from the wallet.
 */
export function trafficHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;

  const back = (user: BotUser, subId: string) => new InlineKeyboard().text(user.t('telegram.menu.back'), callbackData('s', subId));

  bot.callbackQuery(/^tt:([A-Za-z0-9_-]{1,40})$/, async (ctx) => {
    const { t, locale } = ctx.user;
    const sub = await findOwnedSubscription(shop, ctx.user, ctx.match[1]);
    if (sub === null) return void (await ctx.answerCallbackQuery({ text: t('telegram.notYours') }));
    await ctx.answerCallbackQuery();
    const plan = await shop.storage.plans.get(sub.planId);
    const offer = plan === null ? null : planAsSold(plan, sub).trafficTopUp;
    if (offer === null) return void (await ctx.reply(t('traffic.reasons.not_offered'), { reply_markup: back(ctx.user, sub.id) }));
    const keyboard = new InlineKeyboard();
    for (const gib of GIB_CHOICES.filter((g) => g <= offer.maxGiBPerPurchase)) keyboard.text(`${gib} GiB`, `tq:${sub.id}:${gib}`);
    keyboard.row().text(t('telegram.menu.back'), callbackData('s', sub.id));
    const text = t('traffic.offer', { price: formatMoney(offer.pricePerGiB, locale), max: offer.maxGiBPerPurchase });
    await ctx.reply(text, { reply_markup: keyboard });
  });

  bot.callbackQuery(QUOTE, async (ctx) => {
    const { t, locale } = ctx.user;
    const sub = await findOwnedSubscription(shop, ctx.user, ctx.match[1]);
    if (sub === null) return void (await ctx.answerCallbackQuery({ text: t('telegram.notYours') }));
    await ctx.answerCallbackQuery();
    const gib = Number(ctx.match[2]);
    const decision = await shop.kit.quoteTrafficTopUp(sub.id, gib);
    if (!decision.allowed) return void (await ctx.reply(t(`traffic.reasons.${decision.reason}`), { reply_markup: back(ctx.user, sub.id) }));
    const { price, newTrafficLimitBytes } = decision.quote;
    const balance = await shop.storage.ledger.balance(sub.customerId, price.currency);
    const lines = [
      `${t('traffic.adds')}: ${formatBytes(gib * 2 ** 30, locale)}`,
      `${t('traffic.newLimit')}: ${newTrafficLimitBytes === null ? t('plans.unlimitedTraffic') : formatBytes(newTrafficLimitBytes, locale)}`,
      `${t('traffic.price')}: ${formatMoney(price, locale)}`,
      t('telegram.wallet.balance', { balance: formatMoney({ amount: balance, currency: price.currency }, locale) }),
    ];
    const keyboard = new InlineKeyboard()
      .text(t('traffic.pay', { price: formatMoney(price, locale) }), `tb:${sub.id}:${gib}`)
      .row()
      .text(t('telegram.menu.back'), callbackData('s', sub.id));
    await ctx.reply(lines.join('\n'), { reply_markup: keyboard });
  });

  bot.callbackQuery(BUY, async (ctx) => {
    const { t } = ctx.user;
    const sub = await findOwnedSubscription(shop, ctx.user, ctx.match[1]);
    const message = ctx.callbackQuery.message;
    if (sub === null || message === undefined) return void (await ctx.answerCallbackQuery({ text: t('telegram.notYours') }));
    await ctx.answerCallbackQuery();
    const gib = Number(ctx.match[2]);
    const bought = await buyTrafficFor(shop, ctx.user.customer.id, sub.id, {
      gib,
      idempotencyKey: trafficKey(ctx.user.chatId, message.message_id, gib),
    });
    if (bought.ok) return void (await ctx.reply(t('traffic.notices.bought'), { reply_markup: back(ctx.user, sub.id) }));
    const keyboard = new InlineKeyboard();
    if (bought.refusal.reason === 'insufficient_funds') keyboard.text(t('telegram.menu.topUp'), 'tu');
    await ctx.reply(refusalText(ctx.user, bought.refusal, shop.config.timeZone), {
      reply_markup: keyboard.text(t('telegram.menu.back'), 'm'),
    });
  });
}
