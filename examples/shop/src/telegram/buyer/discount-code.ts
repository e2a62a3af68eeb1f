import { InlineKeyboard, type Composer } from 'grammy';
import { formatMoney } from '../../i18n/format.js';
import { localizedPlans } from '../../db/plan-texts.js';
import { buyPlansFor, quotePlansFor } from '../../app/selling/buy-plans.js';
import { replyToPurchase } from './purchase-reply.js';
import { CALLBACK_DATA_MAX_BYTES, callbackData } from '../callback-data.js';
import type { BotContext, BotDeps } from '../context.js';
import { trimText } from '../message-text.js';
import { backToMenu } from '../menu.js';
import { buyKey } from './catalog.js';

/** A code-priced buy button: the plan and the code's id (ids fit Telegram's 64 bytes where the code text might not). */
const BUY_WITH_CODE = /^bd:([A-Za-z0-9_-]{1,40}):([A-Za-z0-9_-]{1,40})$/;

/**
 * `/code <CODE>`: the plans on sale at their price with the code, each with a button that buys it with
 * the code (the engine judges the code again at payment); a code that fits no plan is answered with why.
 * Stateless: the buttons carry the plan and the code, and their message keys the purchase.
 */
export function discountCodeHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;

  bot.command('code', async (ctx) => {
    const { t, locale, customer } = ctx.user;
    const text = typeof ctx.match === 'string' ? ctx.match.trim().slice(0, 60) : '';
    if (text === '') return void (await ctx.reply(t('telegram.code.usage'), { reply_markup: backToMenu(ctx.user) }));
    const code = await shop.storage.discounts.getByCode(text);
    if (code === null) return void (await ctx.reply(t('discounts.reasons.unknown_code'), { reply_markup: backToMenu(ctx.user) }));
    const keyboard = new InlineKeyboard();
    let offered = 0;
    let firstReason: string | null = null;
    for (const plan of await localizedPlans(shop, await shop.storage.plans.list({ onSale: true }), locale)) {
      const quoted = await quotePlansFor(shop, customer.id, {
        items: [{ planId: plan.id, quantity: 1, trial: false, autoRenew: false }],
        discountCode: code.code,
      });
      if (!quoted.ok) continue;
      const { quote } = quoted;
      if (quote.discount === null || !quote.discount.allowed) {
        firstReason ??= quote.discount?.allowed === false ? quote.discount.reason : null;
        continue;
      }
      const data = `bd:${plan.id}:${code.id}`;
      if (Buffer.byteLength(data, 'utf8') > CALLBACK_DATA_MAX_BYTES) continue;
      const label = t('telegram.code.option', {
        plan: plan.name,
        price: formatMoney(quote.total, locale),
        was: formatMoney(quote.subtotal, locale),
      });
      keyboard.text(trimText(label, 60), callbackData('bd', plan.id, code.id)).row();
      offered++;
    }
    if (offered === 0)
      return void (await ctx.reply(t(`discounts.reasons.${firstReason ?? 'wrong_plan'}`), { reply_markup: backToMenu(ctx.user) }));
    await ctx.reply(t('telegram.code.choose', { code: code.code }), { reply_markup: keyboard.text(t('telegram.menu.back'), 'm') });
  });

  bot.callbackQuery(BUY_WITH_CODE, async (ctx) => {
    const { t, customer } = ctx.user;
    const message = ctx.callbackQuery.message;
    if (message === undefined) return void (await ctx.answerCallbackQuery());
    const [plan, code] = await Promise.all([
      shop.storage.plans.get(ctx.match[1] as string),
      shop.storage.discounts.get(ctx.match[2] as string),
    ]);
    if (plan === null || code === null) return void (await ctx.answerCallbackQuery({ text: t('telegram.catalog.gone') }));
    await ctx.answerCallbackQuery();
    const bought = await buyPlansFor(shop, customer.id, {
      items: [{ planId: plan.id, quantity: 1, trial: false, autoRenew: false }],
      // One purchase per message and plan: a double tap or a redelivered tap buys once.
      idempotencyKey: `${buyKey('buy', ctx.user.chatId, message.message_id)}:${plan.id}`,
      discountCode: code.code,
    });
    await replyToPurchase(ctx.user, bought, shop.config.timeZone, (text, keyboard) => ctx.reply(text, { reply_markup: keyboard }));
  });
}
