import type { Composer, InlineKeyboard } from 'grammy';
import { formatMoney } from '../../i18n/format.js';
import { isLocale, translator } from '../../i18n/translate.js';
import { activeStarsRate } from '../../app/payments/stars/settings.js';
import { startStarsInvoice } from '../../app/payments/stars/start-invoice.js';
import { settleStarsMessage } from '../../app/payments/stars/settle.js';
import { checkStarsPreCheckout, STARS_CURRENCY, starsFor } from '@panelkit/payment-providers/stars';
import type { Shop } from '../../app/shop.js';
import type { BotContext, BotDeps, BotUser } from '../context.js';
import { backToMenu } from '../menu.js';
import { planMultiples } from './crypto-top-up.js';

/** The Stars top-ups a buyer can pick (minor units, with their price in Stars), or none while Stars are off. */
export async function starsOffers(shop: Shop): Promise<Array<{ amount: number; stars: number }>> {
  const rate = await activeStarsRate(shop);
  if (rate === null || shop.config.telegram === null) return [];
  return (await planMultiples(shop)).map((amount) => ({ amount, stars: starsFor(amount, shop.config.currency, rate) }));
}

/** One button per Stars top-up (`xs:<minor units>`), each showing its price in Stars before the buyer pays. */
export function starsButtons(
  keyboard: InlineKeyboard,
  user: BotUser,
  shop: Shop,
  offers: ReadonlyArray<{ amount: number; stars: number }>,
): InlineKeyboard {
  for (const { amount, stars } of offers) {
    const money = formatMoney({ amount, currency: shop.config.currency }, user.locale);
    keyboard.text(user.t('payRails.stars.amount', { amount: money, stars }), `xs:${amount}`).row();
  }
  return keyboard;
}

/**
 * Answers Telegram's pre-checkout query for a Stars invoice: yes only when the payment is still pending for
 * exactly those Stars and this payer (`checkStarsPreCheckout`), else no with the reason in the payer's
 * language. Registered before the bot resolves a chat's customer: a pre-checkout query has no chat.
 */
export function starsPreCheckoutHandler(bot: Composer<BotContext>, deps: BotDeps): void {
  bot.on('pre_checkout_query', async (ctx) => {
    const query = ctx.preCheckoutQuery;
    const verdict = await checkStarsPreCheckout(
      deps.shop.kit,
      { payload: query.invoice_payload, currency: query.currency, totalAmount: query.total_amount, telegramUserId: String(query.from.id) },
      {
        now: deps.shop.clock.now(),
        telegramUserOf: async (customerId) => (await deps.links.byCustomer(customerId))?.telegramUserId ?? null,
      },
    );
    if (verdict.ok) return void (await ctx.answerPreCheckoutQuery(true));
    const code = query.from.language_code ?? 'en';
    const t = translator(isLocale(code) ? code : 'en');
    await ctx.answerPreCheckoutQuery(false, { error_message: t(`payRails.stars.refused.${verdict.reason}`) });
  });
}

/**
 * Stars in the bot: a tapped amount becomes a payment and an invoice in Stars sent in the chat (keyed by the
 * message the button is on and the amount: a double tap is one payment); Telegram's `successful_payment`
 * credits the wallet once, keyed by its charge id, and a `refunded_payment` reverses it.
 */
export function starsTopUpHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;
  bot.callbackQuery(/^xs:(\d{1,15})$/, async (ctx) => {
    const { t, customer } = ctx.user;
    await ctx.answerCallbackQuery();
    const amount = Number(ctx.match[1]);
    // Only the amounts offered now: an old button for an amount no longer offered is refused.
    if (!(await starsOffers(shop)).some((o) => o.amount === amount))
      return void (await ctx.reply(t('wallet.noProviders'), { reply_markup: backToMenu(ctx.user) }));
    const messageId = ctx.callbackQuery.message?.message_id ?? 0;
    const started = await startStarsInvoice(shop, {
      customerId: customer.id,
      amount,
      requestKey: `tg-stars-${ctx.user.chatId}-${messageId}-${amount}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64),
    });
    if (!started.ok) {
      const key = started.reason === 'too_many_pending' ? 'payRails.stars.tooMany' : 'payRails.stars.unavailable';
      return void (await ctx.reply(t(key), { reply_markup: backToMenu(ctx.user) }));
    }
    const money = formatMoney(started.payment.amount, ctx.user.locale);
    const line = t('payRails.stars.invoice', { amount: money, stars: started.stars });
    // The price in Stars in words first, then Telegram's invoice with its Pay button.
    await ctx.reply(line, { reply_markup: backToMenu(ctx.user) });
    await ctx.replyWithInvoice(started.title, line, started.payload, STARS_CURRENCY, [{ label: money, amount: started.stars }]);
  });

  // The buyer hears of the credit from the SDK's `payment.credited` event (the durable `topup_credited` notice), once.
  bot.on(['message:successful_payment', 'message:refunded_payment'], async (ctx) => {
    const result = await settleStarsMessage(shop, ctx.message);
    if (result.outcome === 'mismatch' || result.outcome === 'unknown' || result.outcome === 'unchanged')
      shop.logger.warn(
        { paymentId: result.payment?.id ?? null, outcome: result.outcome },
        'a Stars message credited nothing; left for an admin',
      );
  });
}
