import { InlineKeyboard, type Composer } from 'grammy';
import { buyerDevices, removeBuyerDevice, type SubscriptionDevices } from '../../app/devices/subscription-devices.js';
import { planName } from '../../app/subscriptions/plan-names.js';
import { deviceCountText, deviceDetails, deviceName } from '../../i18n/device-text.js';
import { formatDateTime } from '../../i18n/format.js';
import { callbackData, callbackPattern } from '../callback-data.js';
import type { BotContext, BotDeps, BotUser } from '../context.js';
import { splitMessage, trimText } from '../message-text.js';
import { devicePackOfferOf } from '../../app/devices/device-packs.js';
import { devicePackButton } from './device-packs.js';

/** `dx:<subscription>:<device>` asks "remove it?"; `dxc:<subscription>:<device>` removes it. */
const ASK_REMOVE = /^dx:([A-Za-z0-9_-]{1,40}):([A-Za-z0-9_-]{1,40})$/;
const REMOVE = /^dxc:([A-Za-z0-9_-]{1,40}):([A-Za-z0-9_-]{1,40})$/;
/** A button per device (Telegram allows 100; a plan allows at most a handful of devices in practice). */
const DEVICE_BUTTONS = 30;

/** The devices of a subscription as a message: count of limit, each device with its details and last use, the policy. */
function devicesText(user: BotUser, view: SubscriptionDevices, plan: string, timeZone: string): string {
  const { t, locale } = user;
  const lines = [t('devices.bot.title', { plan, count: deviceCountText(view.devices.length, view.limit, t) }), ''];
  if (view.devices.length === 0) lines.push(t('devices.none'));
  for (const device of view.devices) {
    const details = deviceDetails(device);
    lines.push(`• ${deviceName(device, t)}${details === '' ? '' : ` (${details})`}`);
    lines.push(`  ${t('devices.lastSeen')}: ${formatDateTime(device.lastSeenAt, locale, timeZone)}`);
  }
  lines.push('', t(`devices.policy.${view.noHwidPolicy}`));
  return lines.join('\n');
}

async function showDevices(ctx: BotContext, deps: BotDeps, view: SubscriptionDevices): Promise<void> {
  const { t } = ctx.user;
  const sub = view.subscription;
  const text = devicesText(ctx.user, view, await planName(deps.shop, sub.planId, ctx.user.locale), deps.shop.config.timeZone);
  const keyboard = new InlineKeyboard();
  for (const device of view.devices.slice(0, DEVICE_BUTTONS))
    keyboard.text(trimText(`✖ ${deviceName(device, t)}`, 60), callbackData('dx', sub.id, device.id)).row();
  const pack = devicePackButton(ctx.user, await devicePackOfferOf(deps.shop, sub));
  if (pack !== null) keyboard.text(pack.text, pack.data).row();
  keyboard.text(t('telegram.menu.back'), callbackData('s', sub.id));
  const parts = splitMessage(text);
  for (const [i, part] of parts.entries()) await ctx.reply(part, i === parts.length - 1 ? { reply_markup: keyboard } : {});
}

/**
 * "My devices" in the bot, from a subscription's details: the devices with a button each, a tap asks "remove it?",
 * and the confirmation removes it (the web's and the API's use case). Another buyer's ids find nothing.
 */
export function deviceHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;

  bot.callbackQuery(callbackPattern('dv'), async (ctx) => {
    await ctx.answerCallbackQuery();
    await showDevices(ctx, deps, await buyerDevices(shop, ctx.user.customer.id, ctx.match[1]));
  });

  bot.callbackQuery(ASK_REMOVE, async (ctx) => {
    const { t } = ctx.user;
    await ctx.answerCallbackQuery();
    const view = await buyerDevices(shop, ctx.user.customer.id, ctx.match[1]);
    const device = view.devices.find((d) => d.id === ctx.match[2]);
    const back = new InlineKeyboard().text(t('telegram.menu.back'), callbackData('dv', view.subscription.id));
    if (device === undefined) return void (await ctx.reply(t('devices.errors.gone'), { reply_markup: back }));
    const reply_markup = new InlineKeyboard()
      .text(t('devices.removeYes'), callbackData('dxc', view.subscription.id, device.id))
      .row()
      .text(t('telegram.menu.back'), callbackData('dv', view.subscription.id));
    await ctx.reply(t('devices.removeConfirm', { device: deviceName(device, t) }), { reply_markup });
  });

  bot.callbackQuery(REMOVE, async (ctx) => {
    const { t } = ctx.user;
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup({ reply_markup: new InlineKeyboard() }).catch(() => undefined);
    const { removed, left } = await removeBuyerDevice(shop, ctx.user.customer.id, ctx.match[1], ctx.match[2]);
    await ctx.reply(t('devices.bot.removed', { device: deviceName(removed, t) }));
    await showDevices(ctx, deps, left);
  });
}
