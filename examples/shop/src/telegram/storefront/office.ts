import type { Money } from '@panelkit/sdk';
import { InlineKeyboard, type CommandContext, type Composer } from 'grammy';
import { asciiDigits } from '../../app/input/digits.js';
import { askWithdrawal } from '../../app/storefronts/ask-withdrawal.js';
import { backOffice, type BackOffice } from '../../app/storefronts/back-office.js';
import type { BotHealthSource } from '../../app/storefronts/bot-health.js';
import { broadcastToBuyers } from '../../app/storefronts/broadcast-to-buyers.js';
import type { Shop } from '../../app/shop.js';
import { formatDate, formatDateTime, formatMoney, parseMajorAmount } from '../../i18n/format.js';
import type { BotUser } from '../context.js';
import { storefrontName } from '../face.js';
import { trimText } from '../message-text.js';
import type { StorefrontContext } from './context.js';

/** The newest buyers the office names. */
const LATEST = 5;

/** The amount of `currency` in a list of money per currency (0 when it has none). */
function amountIn(list: readonly Money[], currency: string): Money {
  return { amount: list.find((m) => m.currency === currency)?.amount ?? 0, currency };
}

/**
 * The back office as one message: buyers, this month's sales and margin and what was paid out to the reseller (the web
 * office's figures), the payout balance, the bot's health, and how to act.
 */
export function officeText(user: BotUser, office: BackOffice, shopName: string, timeZone: string): string {
  const { t, locale } = user;
  const money = (list: readonly Money[]) => formatMoney(amountIn(list, office.currency), locale);
  const newest = [...office.buyers].sort((a, b) => b.customer.createdAt.getTime() - a.customer.createdAt.getTime()).slice(0, LATEST);
  const names = newest.map(({ customer, email }) => trimText(customer.name ?? email ?? customer.id, 40));
  const { bot } = office;
  const lines = [
    t('storefrontOffice.title', { shop: shopName }),
    '',
    t('storefrontOffice.buyers', { count: office.buyerCount }),
    names.length === 0 ? t('storefrontOffice.noBuyers') : t('storefrontOffice.latest', { names: names.join(', ') }),
    '',
    t('storefrontOffice.month', { from: formatDate(new Date(`${office.monthFrom}T12:00:00Z`), locale, timeZone) }),
    t('storefrontOffice.sales', { count: office.month.sales }),
    t('storefrontOffice.retail', { amount: money(office.month.retail) }),
    t('storefrontOffice.wholesale', { amount: money(office.month.wholesale) }),
    t('storefrontOffice.margin', { amount: money(office.month.margin) }),
    t('storefrontOffice.payoutsPaid', { amount: money(office.month.payoutsPaid) }),
    '',
    t('storefrontOffice.payout', {
      amount: formatMoney({ amount: office.payoutBalance, currency: office.currency }, locale),
      held: formatMoney({ amount: office.held, currency: office.currency }, locale),
    }),
    t(`storefrontOffice.bot.${bot.state}`, { username: bot.username ?? '', problem: bot.problem ?? '' }),
  ];
  if (bot.lastUpdateAt !== null) lines.push(t('storefrontOffice.lastUpdate', { at: formatDateTime(bot.lastUpdateAt, locale, timeZone) }));
  lines.push('', t('storefrontOffice.payoutHow'), t('storefrontOffice.broadcastHow'));
  return lines.join('\n');
}

/** The key of an action typed in the bot: its bot, chat and message, so a redelivered message acts once. */
function officeKey(ctx: StorefrontContext, messageId: number): string {
  return `tg-office-${ctx.storefront.botId}-${ctx.chat?.id ?? 0}-${messageId}`;
}

/**
 * The reseller's back office in their own storefront bot (`/office`, or its menu button): the same figures and use
 * cases as the web office (`backOffice`, `askWithdrawal`, `broadcastToBuyers`), for the storefront's reseller only,
 * known by the Telegram user linked to their shop account (`StorefrontOfUpdate.byReseller`). Anyone else's `/office`
 * or office button falls through to the buyer's screens, which know nothing of it. A payout is asked with
 * `/payout <amount> <where to pay>`, a message to every buyer with `/broadcast <text>`; refusals come back in the
 * reseller's words (the shop's typed errors), and nothing is asked or sent twice for a message delivered twice.
 */
export function officeHandlers(bot: Composer<StorefrontContext>, shop: Shop, botHealth: BotHealthSource): void {
  const office = bot.filter((ctx) => ctx.storefront.byReseller);
  const back = (user: BotUser) =>
    new InlineKeyboard().text(user.t('storefrontOffice.refresh'), 'sfo').text(user.t('telegram.menu.back'), 'm');
  const show = async (ctx: StorefrontContext) => {
    const read = await backOffice(shop, ctx.storefront.view.resellerId, botHealth);
    const text = officeText(ctx.user, read, storefrontName(ctx.storefront), shop.config.timeZone);
    await ctx.reply(text, { reply_markup: back(ctx.user) });
  };

  office.command('office', (ctx) => show(ctx));
  office.callbackQuery('sfo', async (ctx) => {
    await ctx.answerCallbackQuery();
    await show(ctx);
  });

  office.command('payout', async (ctx: CommandContext<StorefrontContext>) => {
    const { t, locale } = ctx.user;
    const [typed = '', ...where] = ctx.match.trim().split(/\s+/);
    const amount = typed.length > 40 ? null : parseMajorAmount(asciiDigits(typed).replace('\u066B', '.'), shop.config.currency);
    const destination = where.join(' ');
    if (amount === null || amount <= 0 || destination === '') return void (await ctx.reply(t('storefrontOffice.payoutUsage')));
    const asked = await askWithdrawal(shop, ctx.storefront.view.resellerId, {
      amount,
      destination,
      idempotencyKey: officeKey(ctx, ctx.message?.message_id ?? 0),
    });
    const money = formatMoney(asked.withdrawal.amount, locale);
    await ctx.reply(t('storefrontOffice.payoutAsked', { amount: money }), { reply_markup: back(ctx.user) });
  });

  office.command('broadcast', async (ctx: CommandContext<StorefrontContext>) => {
    const { t } = ctx.user;
    const text = ctx.match.trim();
    if (text === '') return void (await ctx.reply(t('storefrontOffice.broadcastUsage')));
    const queued = await broadcastToBuyers(shop, ctx.storefront.view.resellerId, {
      text,
      idempotencyKey: officeKey(ctx, ctx.message?.message_id ?? 0),
    });
    await ctx.reply(t('storefrontOffice.broadcastQueued', { count: queued.recipients }), { reply_markup: back(ctx.user) });
  });
}
