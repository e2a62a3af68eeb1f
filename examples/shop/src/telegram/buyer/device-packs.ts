import { InlineKeyboard, type Composer } from 'grammy';
import { buyDevicePackFor, devicePackOffer, type DevicePackOfferView } from '../../app/devices/device-packs.js';
import { formatDate, formatMoney, formatNumber } from '../../i18n/format.js';
import { callbackData, callbackPattern } from '../callback-data.js';
import type { BotContext, BotDeps, BotUser } from '../context.js';
import { refusalText } from '../refusal-text.js';

/** The most device counts offered as buttons at once. */
const MOST_CHOICES = 5;
/** `dpq:<subscription>:<devices>` shows the price and a pay button; `dpb:<subscription>:<devices>` pays. */
const QUOTE = /^dpq:([A-Za-z0-9_-]{1,40}):(\d{1,3})$/;
const BUY = /^dpb:([A-Za-z0-9_-]{1,40}):(\d{1,3})$/;

/** The idempotency key of a pack bought from the bot: one per chat, message and count, so a double tap charges once. */
export function devicePackKey(chatId: string, messageId: number, devices: number): string {
  return `tg-devices-${chatId}-${messageId}-${devices}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
}

/** The "add devices" button for the devices screen, when the subscription's plan sells extra devices. */
export function devicePackButton(user: BotUser, offer: DevicePackOfferView): { text: string; data: string } | null {
  if (offer.offer === null) return null;
  return { text: user.t('devicePacks.bot.button'), data: callbackData('dpk', offer.subscription.id) };
}

/**
 * "Add devices" in the bot, from a subscription's devices: the offer with a button per count, the price for the time
 * left, then the payment from the wallet (the web's and the API's use case, `buyDevicePackFor`). Another buyer's ids
 * find nothing.
 */
export function devicePackHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;
  const back = (user: BotUser, subId: string) => new InlineKeyboard().text(user.t('telegram.menu.back'), callbackData('dv', subId));

  bot.callbackQuery(callbackPattern('dpk'), async (ctx) => {
    const { t, locale } = ctx.user;
    await ctx.answerCallbackQuery();
    const view = await devicePackOffer(shop, ctx.user.customer.id, ctx.match[1]);
    const sub = view.subscription;
    if (view.offer === null || view.unitPrice === null || view.canAdd === 0)
      return void (await ctx.reply(t(`devicePacks.reasons.${view.reason ?? 'above_maximum'}`), { reply_markup: back(ctx.user, sub.id) }));
    const { offer, unitPrice } = view;
    const keyboard = new InlineKeyboard();
    for (let n = 1; n <= Math.min(view.canAdd, MOST_CHOICES); n++)
      keyboard.text(`+${formatNumber(n, locale)}`, callbackData('dpq', sub.id, n));
    keyboard.row().text(t('telegram.menu.back'), callbackData('dv', sub.id));
    const until = view.until === null ? '' : formatDate(view.until, locale, shop.config.timeZone);
    const text = [
      t('devicePacks.offer', {
        price: formatMoney(offer.pricePer30Days, locale),
        max: formatNumber(offer.maxExtraDevices, locale),
        extra: formatNumber(view.extraDevices, locale),
      }),
      t('devicePacks.prorated', { price: formatMoney(unitPrice, locale), until }),
      t('devicePacks.renewal'),
    ].join('\n\n');
    await ctx.reply(text, { reply_markup: keyboard });
  });

  bot.callbackQuery(QUOTE, async (ctx) => {
    const { t, locale } = ctx.user;
    await ctx.answerCallbackQuery();
    const view = await devicePackOffer(shop, ctx.user.customer.id, ctx.match[1]);
    const sub = view.subscription;
    const devices = Number(ctx.match[2]);
    if (view.unitPrice === null || devices > view.canAdd)
      return void (await ctx.reply(t(`devicePacks.reasons.${view.reason ?? 'above_maximum'}`), { reply_markup: back(ctx.user, sub.id) }));
    const price = { amount: view.unitPrice.amount * devices, currency: view.unitPrice.currency };
    const balance = await shop.storage.ledger.balance(sub.customerId, price.currency);
    const lines = [
      t('devicePacks.bot.quote', { devices: formatNumber(devices, locale), limit: formatNumber((sub.deviceLimit ?? 0) + devices, locale) }),
      `${t('devicePacks.price')}: ${formatMoney(price, locale)}`,
      t('telegram.wallet.balance', { balance: formatMoney({ amount: balance, currency: price.currency }, locale) }),
    ];
    const keyboard = new InlineKeyboard()
      .text(t('devicePacks.bot.pay', { price: formatMoney(price, locale) }), callbackData('dpb', sub.id, devices))
      .row()
      .text(t('telegram.menu.back'), callbackData('dv', sub.id));
    await ctx.reply(lines.join('\n'), { reply_markup: keyboard });
  });

  bot.callbackQuery(BUY, async (ctx) => {
    const { t } = ctx.user;
    const message = ctx.callbackQuery.message;
    await ctx.answerCallbackQuery();
    if (message === undefined) return;
    const devices = Number(ctx.match[2]);
    const bought = await buyDevicePackFor(shop, ctx.user.customer.id, ctx.match[1], {
      devices,
      idempotencyKey: devicePackKey(ctx.user.chatId, message.message_id, devices),
    });
    if (bought.ok) {
      const limit = formatNumber(bought.result.subscription.deviceLimit ?? 0, ctx.user.locale);
      return void (await ctx.reply(t('devicePacks.bot.bought', { limit }), {
        reply_markup: back(ctx.user, bought.result.subscription.id),
      }));
    }
    const keyboard = new InlineKeyboard();
    if (bought.refusal.reason === 'insufficient_funds') keyboard.text(t('telegram.menu.topUp'), 'tu');
    await ctx.reply(refusalText(ctx.user, bought.refusal, shop.config.timeZone), {
      reply_markup: keyboard.text(t('telegram.menu.back'), 'm'),
    });
  });
}
