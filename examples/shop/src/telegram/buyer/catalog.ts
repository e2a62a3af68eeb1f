import { InlineKeyboard, type Composer } from 'grammy';
import { formatMoney } from '../../i18n/format.js';
import { planListPrice, planSummary } from '../../i18n/plan-text.js';
import { planOfferLines } from '../../i18n/kind-text.js';
import { groupByLocation } from '../../app/plans/catalog-groups.js';
import { buyPlansFor } from '../../app/selling/buy-plans.js';
import { replyToPurchase } from './purchase-reply.js';
import { callbackData, callbackPattern } from '../callback-data.js';
import type { BotContext, BotDeps } from '../context.js';
import { trimText } from '../message-text.js';
import { backToMenu } from '../menu.js';
import { localizedPlan, localizedPlans } from '../../db/plan-texts.js';
import { takesDiscountCodes } from '@panelkit/sdk/storefronts';
import { buyerCatalog } from '../../app/selling/buyer-catalog.js';
import { planNameFor } from '../face.js';
import { showBuilder } from './builder.js';
import { buyerBalance } from './balance.js';
import { addLocationButton } from './location.js';
import { askPhoneForTrial } from './phone-trial.js';

/** The checkout key of a confirm button: the quote message it sits on, so a double tap or a redelivered tap buys once. */
export function buyKey(kind: 'buy' | 'trial', chatId: string, messageId: number): string {
  return `tg:${kind}:${chatId}:${messageId}`;
}

/**
 * The catalog by location, a plan's quote (sent as a new message, so its buttons key one purchase) and buying from the
 * wallet. The plans and prices are the buyer's (`buyerCatalog`): a storefront's buyer sees only its menu, at retail.
 */
export function catalogHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;
  const groups = async (ctx: BotContext) =>
    groupByLocation(await buyerCatalog(shop, ctx.user.customer, ctx.user.priceBook), await shop.kit.locations.list(), ctx.user.locale);

  bot.callbackQuery('cat', async (ctx) => {
    const { t } = ctx.user;
    await ctx.answerCallbackQuery();
    const list = await groups(ctx);
    if (list.length === 0) return void (await ctx.reply(t('telegram.catalog.empty'), { reply_markup: backToMenu(ctx.user) }));
    const keyboard = new InlineKeyboard();
    list.forEach((group, i) => {
      const label = group.name ?? t('telegram.catalog.anywhere');
      keyboard.text(label, callbackData('loc', i)).row();
    });
    await ctx.reply(t('telegram.catalog.chooseLocation'), { reply_markup: keyboard.text(t('telegram.menu.back'), 'm') });
  });

  bot.callbackQuery(/^loc:(\d{1,3})$/, async (ctx) => {
    const { t, locale } = ctx.user;
    await ctx.answerCallbackQuery();
    const group = (await groups(ctx))[Number(ctx.match[1])];
    if (group === undefined) return void (await ctx.reply(t('telegram.catalog.empty'), { reply_markup: backToMenu(ctx.user) }));
    const keyboard = new InlineKeyboard();
    for (const plan of await localizedPlans(shop, group.plans, locale))
      keyboard
        .text(trimText(`${planNameFor(ctx, plan.id, plan.name)} · ${planListPrice(plan, t, locale)}`, 60), callbackData('p', plan.id))
        .row();
    await ctx.reply(t('telegram.catalog.choosePlan'), { reply_markup: keyboard.text(t('telegram.menu.back'), 'cat') });
  });

  bot.callbackQuery(callbackPattern('p'), async (ctx) => {
    const { t, locale, customer } = ctx.user;
    await ctx.answerCallbackQuery();
    // Only a plan this buyer may buy now (a storefront's buyer: on its menu), at their price.
    const plan = (await buyerCatalog(shop, customer, ctx.user.priceBook)).find((p) => p.id === ctx.match[1]);
    if (plan === undefined) return void (await ctx.reply(t('telegram.catalog.gone'), { reply_markup: backToMenu(ctx.user) }));
    if (plan.builder !== null) return showBuilder(deps, ctx, plan);
    const balance = await buyerBalance(shop, ctx.user, plan.price.currency);
    const lines = [
      planNameFor(ctx, plan.id, (await localizedPlan(shop, plan, locale)).name),
      planSummary(plan, t, locale),
      ...planOfferLines(plan.kinds, t, locale),
      t('telegram.catalog.price', { price: planListPrice(plan, t, locale) }),
      t('telegram.wallet.balance', { balance: formatMoney({ amount: balance, currency: plan.price.currency }, locale) }),
    ];
    // Discount codes and trials are the owner's shop's: a storefront's buyer spends no code in any bot (its reseller pays
    // every sale; the engine refuses one, `storefront_buyer`), and its bot offers no trial.
    if (takesDiscountCodes(customer)) lines.push(t('telegram.code.hint'));
    const keyboard = new InlineKeyboard().text(
      t('telegram.catalog.buy', { price: planListPrice(plan, t, locale) }),
      callbackData('b', plan.id),
    );
    if (plan.trial !== null && ctx.storefront === undefined)
      keyboard.row().text(t('telegram.catalog.trial', { days: t('plans.days', { count: plan.trial.days }) }), callbackData('t', plan.id));
    await addLocationButton(deps, ctx.user, plan, keyboard);
    await ctx.reply(lines.join('\n'), { reply_markup: keyboard.row().text(t('telegram.menu.back'), 'cat') });
  });

  for (const [action, kind] of [
    ['b', 'buy'],
    ['t', 'trial'],
  ] as const) {
    bot.callbackQuery(callbackPattern(action), async (ctx) => {
      const { t, customer } = ctx.user;
      const message = ctx.callbackQuery.message;
      if (message === undefined) return void (await ctx.answerCallbackQuery());
      // The plans on sale are a per-process copy (`plans-on-sale-cache.ts`); a trial's plan may be off sale. The checkout
      // reads the plan again in its transaction, so what is charged is never the copy's.
      const planId = ctx.match[1] as string;
      const plan = (await shop.storage.plans.list({ onSale: true })).find((p) => p.id === planId) ?? (await shop.storage.plans.get(planId));
      if (plan === null || (kind === 'trial' && ctx.storefront !== undefined))
        return void (await ctx.answerCallbackQuery({ text: t('telegram.catalog.gone') }));
      await ctx.answerCallbackQuery();
      if (kind === 'trial' && plan.trial?.requirePhone === true) return askPhoneForTrial(deps, ctx, plan);
      const bought = await buyPlansFor(shop, customer.id, {
        items: [{ planId: plan.id, quantity: 1, trial: kind === 'trial', autoRenew: false }],
        idempotencyKey: buyKey(kind, ctx.user.chatId, message.message_id),
      });
      await replyToPurchase(ctx.user, bought, shop.config.timeZone, (text, keyboard) => ctx.reply(text, { reply_markup: keyboard }));
    });
  }
}
