import { HAS_REMOTE_CLIENT, planAsSold, type Subscription } from '@panelkit/sdk';
import { InlineKeyboard, InputFile, type CallbackQueryContext, type Composer } from 'grammy';
import QRCode from 'qrcode';
import { formatBytes, formatDateTime, formatMoney, formatNumber } from '../../i18n/format.js';
import { planName, planNames } from '../../app/subscriptions/plan-names.js';
import { callbackData, callbackPattern } from '../callback-data.js';
import { setBuyerAutoRenew } from '../../app/subscriptions/auto-renew.js';
import type { BotContext, BotDeps, BotUser } from '../context.js';
import { splitMessage, trimText } from '../message-text.js';
import { refusalText } from '../refusal-text.js';
import { extendFor } from '../../app/subscriptions/extend.js';
import { findOwnedSubscription } from '../../app/subscriptions/owned.js';
import { buyerLinkOf } from '../../app/subscriptions/buyer-link.js';
import { deviceCounts, type DeviceCount } from '../../app/devices/subscription-devices.js';
import { deviceCountText } from '../../i18n/device-text.js';
import { APP_BUTTONS_CALLBACK } from './app-buttons.js';
import { addSubscriptionButtons } from './subscription-buttons.js';
import { addPartButtons, botPartDelivery, partDeliveryHandlers, sendPartConfig } from './part-delivery.js';
import { deliveredByLink } from '../../app/kinds/part-delivery.js';
import { kindName } from '../../i18n/kind-text.js';
import { kindBundleOf } from '../../app/kinds/kind-bundle.js';
import { replyBundleQuote } from './bundle-extension.js';

const LISTED = 30;

/** The extension key of a confirm button: the quote message it sits on. */
export function extensionKey(chatId: string, messageId: number): string {
  return `tg:ext:${chatId}:${messageId}`;
}

function usageLine(user: BotUser, sub: Subscription): string {
  const { t, locale } = user;
  const limit = sub.trafficLimitBytes;
  if (sub.usedBytes === null) return t('subscription.usage.notMeasured');
  const used = formatBytes(sub.usedBytes, locale);
  if (limit === null) return t('subscription.usage.usedUnlimited', { used });
  const percent = formatNumber(Math.round(Math.min(1, limit === 0 ? 1 : sub.usedBytes / limit) * 100), locale);
  return t('subscription.usage.usedOf', { used, limit: formatBytes(limit, locale), percent });
}

/**
 * A subscription as a message: status, usage, expiry in the buyer's calendar, its devices against its limit
 * (`devices`, when it counts any or has a limit), and its links: the shop's own link (`shopLink`, never the panel's
 * subscription URL) and the share links.
 */
export function subscriptionText(
  user: BotUser,
  sub: Subscription,
  planName: string,
  timeZone: string,
  shopLink: string,
  devices: DeviceCount | null = null,
): string {
  const { t, locale } = user;
  const notYet = sub.status === 'pending' || sub.status === 'failed';
  const expiry =
    sub.expiresAt !== null
      ? formatDateTime(sub.expiresAt, locale, timeZone)
      : t(notYet ? 'subscription.expiry.notYet' : 'subscription.expiry.onFirstUse');
  const lines = [
    planName,
    `${t('subscription.statusLabel')}: ${t(`subscription.status.${sub.status}`)}`,
    `${t('subscription.usage.title')}: ${usageLine(user, sub)}`,
    `${t('subscription.expires')}: ${expiry}`,
  ];
  if (devices !== null) lines.push(`${t('devices.title')}: ${deviceCountText(devices.count, devices.limit, t)}`);
  // A WireGuard or Telegram part is taken from its config or proxy button, not from the link (its credentials stay out of the text).
  if (!deliveredByLink(sub)) {
    lines.push(`${t('kinds.bot.kind')}: ${kindName(sub.kind, t)}`);
    if (sub.kind === 'mtproto') lines.push('', t('kinds.bot.telegramLine'));
    return lines.join('\n');
  }
  lines.push('', `${t('subscription.url')}:`, shopLink);
  if (sub.shareLinks.length > 0) lines.push('', t('subscription.shareLinks', { count: sub.shareLinks.length }), ...sub.shareLinks);
  return lines.join('\n');
}

/** The buyer's subscriptions, each one's details, QR code and extension; another buyer's id does nothing. */
export function subscriptionHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;

  bot.callbackQuery('subs', async (ctx) => {
    const { t } = ctx.user;
    await ctx.answerCallbackQuery();
    const listed = await shop.storage.subscriptions.listByCustomer(ctx.user.customer.id, { limit: LISTED });
    if (listed.items.length === 0) {
      const reply_markup = new InlineKeyboard().text(t('telegram.menu.catalog'), 'cat').text(t('telegram.menu.back'), 'm');
      return void (await ctx.reply(t('telegram.subscriptions.none'), { reply_markup }));
    }
    const names = await planNames(shop, listed.items, ctx.user.locale, ctx.storefront?.brand?.planNames);
    const keyboard = new InlineKeyboard();
    for (const sub of listed.items) {
      keyboard
        .text(
          trimText(`${sub.label ?? names.get(sub.planId) ?? sub.planId} · ${t(`subscription.status.${sub.status}`)}`, 60),
          callbackData('s', sub.id),
        )
        .row();
    }
    // A new /s/ link when the old one leaked (the web dashboard's "make a new link").
    keyboard.text(t('sublink.rotate'), 'lr').row();
    await ctx.reply(t('telegram.subscriptions.title'), { reply_markup: keyboard.text(t('telegram.menu.back'), 'm') });
  });

  bot.callbackQuery(callbackPattern('s'), async (ctx) => {
    const { t } = ctx.user;
    const sub = await findOwnedSubscription(shop, ctx.user, ctx.match[1]);
    if (sub === null) return void (await ctx.answerCallbackQuery({ text: t('telegram.notYours') }));
    await ctx.answerCallbackQuery();
    const name = sub.label ?? (await planName(shop, sub.planId, ctx.user.locale, ctx.storefront?.brand?.planNames));
    const devices = (await deviceCounts(shop, [sub])).get(sub.id) ?? null;
    const link = await buyerLinkOf(shop, ctx.user.customer.id);
    const parts = splitMessage(subscriptionText(ctx.user, sub, name, shop.config.timeZone, link, devices));
    const keyboard = new InlineKeyboard();
    const delivery = deliveredByLink(sub) ? null : await botPartDelivery(deps, ctx.user, sub);
    if (delivery !== null) addPartButtons(ctx.user, sub, delivery, keyboard);
    else if (HAS_REMOTE_CLIENT.has(sub.status) && deliveredByLink(sub))
      keyboard
        .text(t('telegram.subscriptions.qr'), callbackData('q', sub.id))
        .text(t('linkPage.apps.botButton'), APP_BUTTONS_CALLBACK)
        .row();
    keyboard.text(t('subscription.extend'), callbackData('x', sub.id));
    const plan = await shop.storage.plans.get(sub.planId);
    if (plan !== null && planAsSold(plan, sub).trafficTopUp !== null) keyboard.text(t('traffic.link'), callbackData('tt', sub.id));
    keyboard.row().text(t('planChange.link'), callbackData('pl', sub.id));
    keyboard.text(t('devices.bot.button'), callbackData('dv', sub.id));
    keyboard.row();
    keyboard.text(
      t(sub.autoRenew ? 'subscription.autoRenewOff' : 'subscription.autoRenewOn'),
      callbackData(sub.autoRenew ? 'ar0' : 'ar1', sub.id),
    );
    await addSubscriptionButtons(deps, ctx.user, sub, keyboard);
    keyboard.row().text(t('telegram.menu.back'), 'subs');
    // The config file first, so the screen with its buttons stays the last message.
    if (delivery !== null) await sendPartConfig(ctx, delivery);
    for (const [i, part] of parts.entries()) await ctx.reply(part, i === parts.length - 1 ? { reply_markup: keyboard } : {});
  });
  partDeliveryHandlers(bot, deps);

  for (const [prefix, enabled] of [
    ['ar1', true],
    ['ar0', false],
  ] as const) {
    bot.callbackQuery(callbackPattern(prefix), async (ctx) => {
      const { t } = ctx.user;
      await ctx.answerCallbackQuery();
      const outcome = await setBuyerAutoRenew(shop, ctx.user.customer.id, ctx.match[1] ?? '', enabled);
      if (!outcome.ok)
        return void (await ctx.reply(
          outcome.reason === 'not_found' ? t('telegram.notYours') : t(`subscription.autoRenewRefused.${outcome.reason}`),
        ));
      await ctx.reply(t(`subscription.notices.auto_renew_${enabled ? 'on' : 'off'}`), {
        reply_markup: new InlineKeyboard().text(t('telegram.menu.back'), callbackData('s', outcome.subscription.id)),
      });
    });
  }

  bot.callbackQuery(callbackPattern('q'), async (ctx) => {
    const { t } = ctx.user;
    const sub = await findOwnedSubscription(shop, ctx.user, ctx.match[1]);
    if (sub === null) return void (await ctx.answerCallbackQuery({ text: t('telegram.notYours') }));
    await ctx.answerCallbackQuery();
    if (!HAS_REMOTE_CLIENT.has(sub.status)) return void (await ctx.reply(t('subscription.noUrl')));
    const text = await buyerLinkOf(shop, ctx.user.customer.id);
    // Drawn here, like the web page's: the link is a secret and never goes to a QR service.
    const png = await QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 512 });
    await ctx.replyWithPhoto(new InputFile(png, 'subscription-qr.png'), { caption: t('subscription.qrHelp') });
  });

  bot.callbackQuery(callbackPattern('x'), async (ctx) => {
    const { t, locale } = ctx.user;
    const sub = await findOwnedSubscription(shop, ctx.user, ctx.match[1]);
    if (sub === null) return void (await ctx.answerCallbackQuery({ text: t('telegram.notYours') }));
    await ctx.answerCallbackQuery();
    // A part of a bundle of kinds: the bundle's total, every part extended together.
    const bundle = await kindBundleOf(shop, sub);
    if (bundle !== null) return replyBundleQuote(deps, ctx, sub);
    const quote = await shop.kit.quoteExtension(sub.id);
    if (!quote.allowed) {
      const opensAt = quote.details.opensAt;
      const text = t(
        `extension.reasons.${quote.reason}`,
        opensAt === undefined ? {} : { opensAt: formatDateTime(opensAt, locale, shop.config.timeZone) },
      );
      return void (await ctx.reply(text, { reply_markup: new InlineKeyboard().text(t('telegram.menu.back'), callbackData('s', sub.id)) }));
    }
    const { price, newExpiresAt, newTrafficLimitBytes } = quote.quote;
    const balance = await shop.storage.ledger.balance(sub.customerId, price.currency);
    const lines = [
      t('telegram.extension.quote', {
        price: formatMoney(price, locale),
        date: formatDateTime(newExpiresAt, locale, shop.config.timeZone),
      }),
      t('telegram.extension.traffic', {
        traffic: newTrafficLimitBytes === null ? t('plans.unlimitedTraffic') : formatBytes(newTrafficLimitBytes, locale),
      }),
      t('telegram.wallet.balance', { balance: formatMoney({ amount: balance, currency: price.currency }, locale) }),
    ];
    if (quote.linkChanges) lines.push(t('telegram.extension.linkChanges'));
    const keyboard = new InlineKeyboard()
      .text(t('telegram.extension.confirm', { price: formatMoney(price, locale) }), callbackData('xc', sub.id))
      .row();
    // A device pack's extra devices: kept only when the buyer pays for them too; otherwise they fall back.
    const kept = quote.extraDevices;
    if (kept !== null) {
      const limit = formatNumber((sub.deviceLimit ?? kept.devices) - kept.devices, locale);
      lines.push(t('devicePacks.keepNote', { limit }));
      const keepLabel = t('devicePacks.keep', { devices: formatNumber(kept.devices, locale), price: formatMoney(kept.price, locale) });
      keyboard.text(keepLabel, callbackData('xk', sub.id)).row();
    }
    keyboard.text(t('telegram.menu.back'), callbackData('s', sub.id));
    await ctx.reply(lines.join('\n'), { reply_markup: keyboard });
  });

  // `xc` extends; `xk` extends keeping a device pack's extra devices. One key per quote message for both, so
  // tapping one and then the other (or either twice) extends once.
  const confirm = async (ctx: CallbackQueryContext<BotContext>, keepExtraDevices: boolean) => {
    const { t } = ctx.user;
    const sub = await findOwnedSubscription(shop, ctx.user, ctx.match[1]);
    const message = ctx.callbackQuery.message;
    if (sub === null || message === undefined) return void (await ctx.answerCallbackQuery({ text: t('telegram.notYours') }));
    await ctx.answerCallbackQuery();
    const idempotencyKey = extensionKey(ctx.user.chatId, message.message_id);
    const extended = await extendFor(shop, sub.customerId, sub.id, { idempotencyKey, keepExtraDevices });
    if (extended.ok) {
      await ctx.reply(t('telegram.extension.done'), {
        reply_markup: new InlineKeyboard().text(t('telegram.menu.back'), callbackData('s', sub.id)),
      });
      return;
    }
    const { refusal } = extended;
    const keyboard = new InlineKeyboard();
    if (refusal.reason === 'insufficient_funds') keyboard.text(t('telegram.menu.topUp'), 'tu');
    await ctx.reply(refusalText(ctx.user, refusal, shop.config.timeZone), { reply_markup: keyboard.text(t('telegram.menu.back'), 'm') });
  };
  bot.callbackQuery(callbackPattern('xc'), (ctx) => confirm(ctx, false));
  bot.callbackQuery(callbackPattern('xk'), (ctx) => confirm(ctx, true));
}
