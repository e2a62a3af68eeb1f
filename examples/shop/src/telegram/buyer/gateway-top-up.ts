import { InlineKeyboard, InputFile, type Composer } from 'grammy';
import QRCode from 'qrcode';
import { formatMoney } from '../../i18n/format.js';
import { gatewayBase } from '../../config/public-addresses.js';
import { isGatewayRail, offeredRails, railMethods, type GatewayRail } from '../../app/payments/rails/gateway-rails.js';
import { startGatewayTopUp } from '../../app/payments/rails/start-gateway-top-up.js';
import type { Shop } from '../../app/shop.js';
import type { BotContext, BotDeps, BotUser } from '../context.js';
import { backToMenu } from '../menu.js';
import { planMultiples } from './crypto-top-up.js';

/**
 * The gateway rails a buyer can pay with in the bot, each with the amounts offered (minor units), or none: a rail
 * the owner has off, or a shop without PUBLIC_URL (a gateway sends the buyer back there).
 */
export async function railOffers(shop: Shop): Promise<Array<{ rail: GatewayRail; amounts: number[] }>> {
  if (shop.config.publicUrl === null) return [];
  const [rails, amounts] = await Promise.all([offeredRails(shop), planMultiples(shop)]);
  return amounts.length === 0 ? [] : rails.map((rail) => ({ rail, amounts }));
}

/**
 * One button per rail and amount (`gp:<rail>:<minor units>`), or per rail, way to pay and amount where the rail
 * offers a choice (`gp:<rail>.<method>:<minor units>`: EPay's Alipay and WeChat Pay), for the top-up message's keyboard.
 */
export function railButtons(
  keyboard: InlineKeyboard,
  user: BotUser,
  shop: Shop,
  offers: ReadonlyArray<{ rail: GatewayRail; amounts: number[] }>,
): InlineKeyboard {
  for (const { rail, amounts } of offers) {
    const methods = railMethods(rail);
    for (const amount of amounts) {
      const money = formatMoney({ amount, currency: shop.config.currency }, user.locale);
      if (methods.length === 0) keyboard.text(user.t(`payRails.rails.${rail}.amount`, { amount: money }), `gp:${rail}:${amount}`).row();
      for (const method of methods)
        keyboard.text(user.t(`payRails.methods.${method}Amount`, { amount: money }), `gp:${rail}.${method}:${amount}`).row();
    }
  }
  return keyboard;
}

/**
 * A gateway top-up from the bot: a tapped rail and amount become a payment at the gateway (keyed by the message the
 * button is on, the rail and the amount, so a double tap or a redelivered update makes one), answered with a button
 * to the gateway's page. The wallet is credited by the gateway's webhook or verify, as on the web; the buyer hears
 * of it from the SDK's `payment.credited` event.
 */
export function gatewayTopUpHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;
  bot.callbackQuery(/^gp:([a-z]{1,20})(?:\.([a-z]{1,20}))?:(\d{1,15})$/, async (ctx) => {
    const { t, customer } = ctx.user;
    await ctx.answerCallbackQuery();
    const rail = ctx.match[1] ?? '';
    const method = ctx.match[2] ?? null;
    const amount = Number(ctx.match[3]);
    // Only what is offered now: an old button for a rail turned off, an amount or a way to pay no longer offered is refused.
    const offer = isGatewayRail(rail) ? (await railOffers(shop)).find((o) => o.rail === rail) : undefined;
    const methods = isGatewayRail(rail) ? railMethods(rail) : [];
    const methodFits = methods.length === 0 ? method === null : method !== null && methods.includes(method);
    if (!isGatewayRail(rail) || offer === undefined || !offer.amounts.includes(amount) || !methodFits)
      return void (await ctx.reply(t('wallet.noProviders'), { reply_markup: backToMenu(ctx.user) }));
    const messageId = ctx.callbackQuery.message?.message_id ?? 0;
    const started = await startGatewayTopUp(shop, {
      rail,
      customerId: customer.id,
      amount,
      requestKey: `tg-${rail}${method === null ? '' : `-${method}`}-${ctx.user.chatId}-${messageId}-${amount}`
        .replace(/[^A-Za-z0-9_-]/g, '_')
        .slice(0, 64),
      base: gatewayBase(shop.config),
      from: 'bot',
      method,
    });
    if (!started.ok) {
      const key =
        started.reason === 'too_many_pending'
          ? 'payRails.gateway.tooMany'
          : started.reason === 'gateway_misconfigured'
            ? 'payRails.gateway.misconfigured'
            : 'payRails.gateway.unavailable';
      return void (await ctx.reply(t(key), { reply_markup: backToMenu(ctx.user) }));
    }
    const money = formatMoney(started.payment.amount, ctx.user.locale);
    // A link Telegram cannot open as a button (WeChat Pay's `weixin://` QR content) is sent as the QR code to scan.
    if (!/^https?:\/\//i.test(started.payUrl)) {
      const png = await QRCode.toBuffer(started.payUrl, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 480 });
      return void (await ctx.replyWithPhoto(new InputFile(png, 'pay-qr.png'), {
        caption: t('payRails.gateway.invoiceQr', { amount: money }),
        reply_markup: backToMenu(ctx.user),
      }));
    }
    const keyboard = new InlineKeyboard()
      .url(t(`payRails.rails.${rail}.payNow`), started.payUrl)
      .row()
      .text(t('telegram.menu.back'), 'm');
    await ctx.reply(t('payRails.gateway.invoice', { amount: money }), { reply_markup: keyboard });
  });
}
