import { InlineKeyboard, type Composer } from 'grammy';
import { customerOverview } from '../../app/customers/customer-overview.js';
import { customerDevices, resetDevicesAsStaff } from '../../app/devices/staff-devices.js';
import { ShopError } from '../../app/shop-error.js';
import { deviceCountText, deviceLine } from '../../i18n/device-text.js';
import { formatDateTime } from '../../i18n/format.js';
import { callbackData, callbackPattern } from '../callback-data.js';
import type { BotContext, BotDeps } from '../context.js';
import { splitMessage, trimText } from '../message-text.js';
import { askAdmin, type TextContext } from './prompts.js';
import { assertStaffMay, botStaffOf } from './staff.js';

/** The web route a reset mirrors: the bot allows a role exactly what the web does. */
const resetPath = (customerId: string) => `/admin/customers/${customerId}/devices/reset`;

/** "Devices of a buyer" for staff: each subscription's devices against its limit, a reset button under those with any. */
async function showCustomerDevices(ctx: BotContext, deps: BotDeps, customerId: string): Promise<void> {
  const { t, locale } = ctx.user;
  assertStaffMay(await botStaffOf(deps.shop, ctx.user), 'GET', `/admin/customers/${customerId}`);
  const overview = await customerOverview(deps.shop, customerId);
  const devices = await customerDevices(deps.shop, overview.subscriptions);
  const lines = [t('devices.admin.botTitle', { name: overview.customer.name ?? overview.email ?? customerId })];
  const keyboard = new InlineKeyboard();
  if (devices.length === 0) lines.push(t('devices.admin.noSubscriptions'));
  for (const view of devices) {
    const plan = overview.planNames.get(view.subscription.planId) ?? view.subscription.planId;
    lines.push('', t('devices.admin.botSubscription', { plan, count: deviceCountText(view.devices.length, view.limit, t) }));
    for (const device of view.devices)
      lines.push(`• ${deviceLine(device, t)} · ${formatDateTime(device.lastSeenAt, locale, deps.shop.config.timeZone)} · ${device.hwid}`);
    if (view.devices.length > 0)
      keyboard.text(trimText(t('devices.admin.botReset', { plan }), 60), callbackData('adr', view.subscription.id)).row();
  }
  keyboard.text(t('telegram.menu.back'), callbackData('ac', customerId));
  const parts = splitMessage(lines.join('\n'));
  for (const [i, part] of parts.entries()) await ctx.reply(part, i === parts.length - 1 ? { reply_markup: keyboard } : {});
}

/** The answer to "why reset the devices?": the reason goes with the reset into the audit log. */
export function answerDeviceResetReason(deps: BotDeps) {
  return async (ctx: TextContext, subscriptionId: string, text: string) => {
    const { t } = ctx.user;
    const sub = await deps.shop.storage.subscriptions.get(subscriptionId);
    if (sub === null) throw new ShopError('not_found', 'errors.notFound');
    const staff = await botStaffOf(deps.shop, ctx.user);
    assertStaffMay(staff, 'POST', resetPath(sub.customerId));
    const plan = (await deps.shop.storage.plans.get(sub.planId))?.name ?? sub.planId;
    try {
      const removed = await resetDevicesAsStaff(deps.shop, {
        customerId: sub.customerId,
        subscriptionId,
        actor: staff.actor,
        reason: text,
      });
      await ctx.reply(t('devices.admin.botDone', { plan, count: removed.length }));
    } catch (error) {
      // A reason too long: asked again, nothing done.
      if (!(error instanceof ShopError) || error.code !== 'invalid_input') throw error;
      return askAdmin(ctx, deps, { action: 'device_reset_reason', subjectId: subscriptionId }, t('telegram.admin.reasonTooLong'));
    }
    await showCustomerDevices(ctx, deps, sub.customerId);
  };
}

/**
 * Staff read a customer's devices from the customer card (`adv:<customer>`) and reset a subscription's
 * (`adr:<subscription>`) after saying why, as on the web's customer page: one use case, the same role table.
 */
export function adminDeviceHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const admins = bot.filter((ctx) => ctx.user.isAdmin);

  admins.callbackQuery(callbackPattern('adv'), async (ctx) => {
    await ctx.answerCallbackQuery();
    await showCustomerDevices(ctx, deps, ctx.match[1] as string);
  });

  admins.callbackQuery(callbackPattern('adr'), async (ctx) => {
    const { t } = ctx.user;
    await ctx.answerCallbackQuery();
    const sub = await deps.shop.storage.subscriptions.get(ctx.match[1] as string);
    if (sub === null) throw new ShopError('not_found', 'errors.notFound');
    assertStaffMay(await botStaffOf(deps.shop, ctx.user), 'POST', resetPath(sub.customerId));
    const plan = (await deps.shop.storage.plans.get(sub.planId))?.name ?? sub.planId;
    await askAdmin(ctx, deps, { action: 'device_reset_reason', subjectId: sub.id }, t('devices.admin.botWhy', { plan }));
  });

  // Anyone else tapping a devices button (or forging its data) is told nothing and nothing happens.
  bot.callbackQuery(/^(adv|adr):/, (ctx) => ctx.answerCallbackQuery({ text: ctx.user.t('telegram.notYours') }));
}
