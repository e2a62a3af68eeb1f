import { InlineKeyboard, type Composer } from 'grammy';
import { normalizeGiftCode } from '@panelkit/sdk/gifts';
import { buyGiftFor } from '../../app/gifts/buy-gift.js';
import { claimGiftFor } from '../../app/gifts/claim-gift.js';
import { giftablePlans, isGiftable } from '../../app/gifts/giftable-plans.js';
import { readGiftSettings } from '../../app/gifts/gift-settings.js';
import { giftsOf, giftToClaim, giftViews } from '../../app/gifts/gift-views.js';
import { plansForBuyer } from '../../app/selling/buyer-prices.js';
import { giftStartPayload } from '../../config/public-addresses.js';
import { localizedPlan, localizedPlans } from '../../db/plan-texts.js';
import { formatDateTime, formatMoney } from '../../i18n/format.js';
import { planListPrice } from '../../i18n/plan-text.js';
import { callbackData, callbackPattern } from '../callback-data.js';
import type { BotContext, BotDeps } from '../context.js';
import { trimText } from '../message-text.js';
import { backToMenu } from '../menu.js';
import { buyerBalance } from './balance.js';

/** `/start gift_<code>`: a gift's link in Telegram (see `giftStartPayload`). */
export const GIFT_START = /^gift_([A-Za-z0-9]{1,40})$/;

/** The purchase key of a gift's pay button: the offer message it sits on, so a double or redelivered tap buys once. */
function giftBuyKey(chatId: string, messageId: number): string {
  return `tg:gift:${chatId}:${messageId}`;
}

/**
 * Shows a gift's claim offer: its plan and a claim button, or why it cannot be claimed (the buyer's own gift,
 * claimed, expired, no such code). Opened by `/start gift_<code>` and `/gift <code>`.
 */
export async function offerGiftClaim(deps: BotDeps, ctx: BotContext, typed: string): Promise<void> {
  const { shop } = deps;
  const { t, customer, locale } = ctx.user;
  const code = normalizeGiftCode(typed.slice(0, 40));
  const found = code === null ? null : await giftToClaim(shop, code, customer.id, locale);
  if (found === null) return void (await ctx.reply(t('gifts.refused.unknown_code'), { reply_markup: backToMenu(ctx.user) }));
  const { gift } = found;
  const lines = [t('gifts.claim.intro'), '', gift.planName];
  if (found.claimedByViewer) lines.push('', t('gifts.claim.yours'));
  else if (gift.status === 'claimed') lines.push('', t('gifts.refused.gift_claimed'));
  else if (gift.status === 'expired') lines.push('', t('gifts.refused.gift_expired'));
  else if (found.own) lines.push('', t('gifts.refused.own_gift'));
  else {
    lines.push(t('gifts.claim.until', { until: formatDateTime(gift.expiresAt, locale, shop.config.timeZone) }));
    const keyboard = new InlineKeyboard()
      .text(t('gifts.claim.submit'), callbackData('gfk', gift.code))
      .row()
      .text(t('telegram.menu.back'), 'm');
    return void (await ctx.reply(lines.join('\n'), { reply_markup: keyboard }));
  }
  await ctx.reply(lines.join('\n'), { reply_markup: backToMenu(ctx.user) });
}

/**
 * Gifts in the bot, as on the web and in the JSON API: the buyer's gifts and whether each was claimed (`gft`), a
 * plan bought as a gift from the wallet (`gfb` → `gfp:<plan>` → `gfy:<plan>`, keyed by the offer message), and a
 * gift claimed by its code (`gfc` says how, `/gift <code>` or the link's `/start gift_<code>` offers it, `gfk:<code>`
 * claims it). Every action calls the use cases of `app/gifts`; their refusals are answered by the bot's error turn.
 */
export function giftHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;

  bot.callbackQuery('gft', async (ctx) => {
    const { t, locale, customer } = ctx.user;
    await ctx.answerCallbackQuery();
    const gifts = await giftsOf(shop, customer.id, locale);
    const lines = [t('gifts.title'), ''];
    if (gifts.length === 0) lines.push(t('gifts.given.none'));
    for (const g of gifts.slice(0, 10)) {
      const when =
        g.status === 'claimed'
          ? t('gifts.status.claimed', { at: formatDateTime(g.claimedAt!, locale, shop.config.timeZone) })
          : g.status === 'expired'
            ? t('gifts.status.expired', { at: formatDateTime(g.expiredAt!, locale, shop.config.timeZone) })
            : t('gifts.status.unclaimed', { until: formatDateTime(g.expiresAt, locale, shop.config.timeZone) });
      lines.push(`• ${g.planName} · ${formatMoney(g.price, locale)}`, `  ${when}`);
      if (g.status === 'unclaimed') lines.push(`  ${t('gifts.given.code')}: ${g.code}`);
    }
    const keyboard = new InlineKeyboard()
      .text(t('gifts.buy.title'), 'gfb')
      .row()
      .text(t('gifts.claim.title'), 'gfc')
      .row()
      .text(t('telegram.menu.back'), 'm');
    await ctx.reply(trimText(lines.join('\n'), 4000), { reply_markup: keyboard });
  });

  bot.callbackQuery('gfb', async (ctx) => {
    const { t, locale, customer } = ctx.user;
    await ctx.answerCallbackQuery();
    const keyboard = new InlineKeyboard();
    for (const plan of await localizedPlans(shop, await giftablePlans(shop, customer.id, ctx.user.priceBook), locale))
      keyboard.text(trimText(`${plan.name} · ${planListPrice(plan, t, locale)}`, 60), callbackData('gfp', plan.id)).row();
    const { validDays } = await readGiftSettings(shop);
    await ctx.reply(t('gifts.buy.intro', { days: t('plans.days', { count: validDays }) }), {
      reply_markup: keyboard.text(t('telegram.menu.back'), 'gft'),
    });
  });

  bot.callbackQuery(callbackPattern('gfp'), async (ctx) => {
    const { t, locale, customer } = ctx.user;
    await ctx.answerCallbackQuery();
    const listed = await shop.storage.plans.get(ctx.match[1] as string);
    const [plan] = listed === null || !listed.onSale ? [] : await plansForBuyer(shop, customer.id, [listed], ctx.user.priceBook);
    if (plan === undefined || !isGiftable(plan))
      return void (await ctx.reply(t('telegram.catalog.gone'), { reply_markup: backToMenu(ctx.user) }));
    const balance = await buyerBalance(shop, ctx.user, plan.price.currency);
    const lines = [
      t('gifts.buy.title'),
      (await localizedPlan(shop, plan, locale)).name,
      t('telegram.catalog.price', { price: planListPrice(plan, t, locale) }),
      t('telegram.wallet.balance', { balance: formatMoney({ amount: balance, currency: plan.price.currency }, locale) }),
    ];
    const keyboard = new InlineKeyboard().text(t('gifts.buy.pay', { price: planListPrice(plan, t, locale) }), callbackData('gfy', plan.id));
    await ctx.reply(lines.join('\n'), { reply_markup: keyboard.row().text(t('telegram.menu.back'), 'gfb') });
  });

  bot.callbackQuery(callbackPattern('gfy'), async (ctx) => {
    const { t, locale, customer } = ctx.user;
    const message = ctx.callbackQuery.message;
    await ctx.answerCallbackQuery();
    if (message === undefined) return;
    const bought = await buyGiftFor(shop, customer.id, {
      planId: ctx.match[1] as string,
      idempotencyKey: giftBuyKey(ctx.user.chatId, message.message_id),
    });
    const [gift] = await giftViews(shop, [bought.gift], locale);
    const lines = [
      t('gifts.notices.bought'),
      '',
      gift!.planName,
      `${t('gifts.given.code')}: ${gift!.code}`,
      `${t('gifts.given.link')}: ${gift!.link}`,
      `${t('gifts.given.telegramLink')}: https://t.me/${ctx.me.username}?start=${giftStartPayload(gift!.code)}`,
      t('gifts.status.unclaimed', { until: formatDateTime(gift!.expiresAt, locale, shop.config.timeZone) }),
    ];
    await ctx.reply(lines.join('\n'), {
      reply_markup: new InlineKeyboard().text(t('gifts.title'), 'gft').row().text(t('telegram.menu.back'), 'm'),
    });
  });

  bot.callbackQuery('gfc', async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.user.t('gifts.claim.botHint'), { reply_markup: backToMenu(ctx.user) });
  });

  bot.command('gift', async (ctx) => {
    const typed = typeof ctx.match === 'string' ? ctx.match.trim() : '';
    if (typed === '') return void (await ctx.reply(ctx.user.t('gifts.claim.botHint'), { reply_markup: backToMenu(ctx.user) }));
    await offerGiftClaim(deps, ctx, typed);
  });

  bot.callbackQuery(callbackPattern('gfk'), async (ctx) => {
    const { t } = ctx.user;
    await ctx.answerCallbackQuery();
    const claimed = await claimGiftFor(shop, ctx.user.customer.id, ctx.match[1] as string);
    const sub = claimed.subscriptions[0];
    const keyboard = new InlineKeyboard();
    if (sub !== undefined) keyboard.text(t('telegram.menu.subscriptions'), callbackData('s', sub.id)).row();
    await ctx.reply(t('gifts.notices.claimed'), { reply_markup: keyboard.text(t('telegram.menu.back'), 'm') });
  });
}
