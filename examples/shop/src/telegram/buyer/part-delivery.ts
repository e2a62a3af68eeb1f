import type { Subscription } from '@panelkit/sdk';
import { type Composer, InlineKeyboard, InputFile } from 'grammy';
import QRCode from 'qrcode';
import { partDeliveryOf, type PartDelivery } from '../../app/kinds/part-delivery.js';
import { findOwnedSubscription } from '../../app/subscriptions/owned.js';
import { buyerLinkOf } from '../../app/subscriptions/buyer-link.js';
import { callbackData, callbackPattern } from '../callback-data.js';
import type { BotContext, BotDeps, BotUser } from '../context.js';

/** The callback of a WireGuard part's "QR code of the config" button. */
const CONFIG_QR = 'wq';

/** How the buyer takes a part the link does not deliver, while it is usable (`partDeliveryOf`); `null` otherwise. */
export async function botPartDelivery(deps: BotDeps, user: BotUser, sub: Subscription): Promise<PartDelivery | null> {
  return partDeliveryOf(sub, await buyerLinkOf(deps.shop, user.customer.id));
}

/**
 * A part's buttons on its screen, in place of the link's QR and apps: a WireGuard part's "QR code of the config"
 * (not for AmneziaWG: its app reads its own QR format), a Telegram part's one URL button to its `https://t.me/proxy`
 * link (a bot's URL buttons take only http(s)).
 */
export function addPartButtons(user: BotUser, sub: Subscription, delivery: PartDelivery, keyboard: InlineKeyboard): void {
  const { t } = user;
  if (delivery.form === 'telegram_proxy') keyboard.url(t('kinds.buyer.openTelegram'), delivery.https).row();
  else if (delivery.kind === 'wireguard') keyboard.text(t('kinds.bot.configQr'), callbackData(CONFIG_QR, sub.id)).row();
}

/** Sends a WireGuard/AmneziaWG part's `.conf` as a document named after its server; nothing for a Telegram part. */
export async function sendPartConfig(ctx: BotContext, delivery: PartDelivery): Promise<void> {
  if (delivery.form !== 'wireguard_config') return;
  await ctx.replyWithDocument(new InputFile(Buffer.from(delivery.text, 'utf8'), delivery.fileName), {
    caption: ctx.user.t('kinds.bot.configCaption'),
  });
}

/** "QR code of the config": the conf's text as a QR the WireGuard app scans, drawn here (the config is a secret). */
export function partDeliveryHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  bot.callbackQuery(callbackPattern(CONFIG_QR), async (ctx) => {
    const { t } = ctx.user;
    const sub = await findOwnedSubscription(deps.shop, ctx.user, ctx.match[1]);
    if (sub === null) return void (await ctx.answerCallbackQuery({ text: t('telegram.notYours') }));
    await ctx.answerCallbackQuery();
    const delivery = await botPartDelivery(deps, ctx.user, sub);
    if (delivery === null || delivery.form !== 'wireguard_config') return void (await ctx.reply(t('kinds.buyer.notReady')));
    const png = await QRCode.toBuffer(delivery.text, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 768 });
    await ctx.replyWithPhoto(new InputFile(png, 'config-qr.png'), {
      caption: t('kinds.bot.configQrCaption'),
      reply_markup: new InlineKeyboard().text(t('telegram.menu.back'), callbackData('s', sub.id)),
    });
  });
}
