import { InlineKeyboard, type Composer } from 'grammy';
import { formatMoney } from '../../i18n/format.js';
import { planListedPrice } from '../../i18n/plan-text.js';
import { gatewayBase } from '../../config/public-addresses.js';
import { activeGateway } from '../../app/payments/crypto/gateway-settings.js';
import { startCryptoInvoice } from '../../app/payments/crypto/start-invoice.js';
import type { Shop } from '../../app/shop.js';
import type { BotContext, BotDeps, BotUser } from '../context.js';
import { backToMenu } from '../menu.js';

/** The amounts offered, as multiples of the cheapest plan on sale: what a buyer tops up for is a plan. */
const MULTIPLES = [1, 2, 5] as const;

/**
 * The crypto amounts a buyer can pick in the bot (minor units), or none when crypto cannot be offered
 * there: the gateway is off, or the shop has no PUBLIC_URL for the gateway's callbacks.
 */
export async function cryptoAmounts(shop: Shop): Promise<number[]> {
  if (shop.config.publicUrl === null || (await activeGateway(shop)) === null) return [];
  return planMultiples(shop);
}

/**
 * {@link MULTIPLES} of the cheapest plan on sale in the shop's currency, at its listed price (`planListedPrice`: a
 * plan the buyer composes at the least it sells for, not its stored price); none without one.
 */
export async function planMultiples(shop: Shop): Promise<number[]> {
  const prices = (await shop.storage.plans.list({ onSale: true }))
    .map((p) => planListedPrice(p).price)
    .filter((price) => price.currency === shop.config.currency && price.amount > 0)
    .map((price) => price.amount);
  if (prices.length === 0) return [];
  const cheapest = Math.min(...prices);
  return MULTIPLES.map((m) => m * cheapest);
}

/** One button per amount (`cg:<minor units>`), for the top-up message's keyboard. */
export function cryptoButtons(keyboard: InlineKeyboard, user: BotUser, shop: Shop, amounts: readonly number[]): InlineKeyboard {
  for (const amount of amounts) {
    const money = formatMoney({ amount, currency: shop.config.currency }, user.locale);
    keyboard.text(user.t('telegram.crypto.amount', { amount: money }), `cg:${amount}`).row();
  }
  return keyboard;
}

/**
 * A crypto top-up from the bot: a tapped amount becomes an invoice on the gateway (keyed by the message
 * the button is on and the amount, so a double tap or a redelivered update makes one invoice), answered
 * with a button to the gateway's page. The wallet is credited by the gateway's callback, as on the web.
 */
export function cryptoTopUpHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;
  bot.callbackQuery(/^cg:(\d{1,15})$/, async (ctx) => {
    const { t, customer } = ctx.user;
    await ctx.answerCallbackQuery();
    const amount = Number(ctx.match[1]);
    const gateway = await activeGateway(shop);
    // Only the amounts offered now: an old button for an amount no longer offered is refused.
    if (gateway === null || shop.config.publicUrl === null || !(await planMultiples(shop)).includes(amount))
      return void (await ctx.reply(t('wallet.noProviders'), { reply_markup: backToMenu(ctx.user) }));
    const messageId = ctx.callbackQuery.message?.message_id ?? 0;
    const started = await startCryptoInvoice(shop, {
      customerId: customer.id,
      amount,
      requestKey: `tg-crypto-${ctx.user.chatId}-${messageId}-${amount}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64),
      base: gatewayBase(shop.config),
      from: 'bot',
    });
    if (!started.ok) {
      const key = started.reason === 'too_many_pending' ? 'telegram.crypto.tooMany' : 'wallet.crypto.unavailable';
      return void (await ctx.reply(t(key), { reply_markup: backToMenu(ctx.user) }));
    }
    const money = formatMoney(started.payment.amount, ctx.user.locale);
    const keyboard = new InlineKeyboard().url(t('telegram.crypto.pay'), started.invoiceUrl).row().text(t('telegram.menu.back'), 'm');
    await ctx.reply(t('telegram.crypto.invoice', { amount: money }), { reply_markup: keyboard });
  });
}
