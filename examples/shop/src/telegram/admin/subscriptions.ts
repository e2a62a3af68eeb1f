import type { Subscription } from '@panelkit/sdk';
import { InlineKeyboard, type Composer } from 'grammy';
import { actionsFor, jobsOf } from '../../app/ops/subscription-facts.js';
import {
  actOnSubscription,
  CONFIRMED_OPERATIONS,
  isSubscriptionOperation,
  SUBSCRIPTION_OPERATIONS,
  type SubscriptionOperation,
} from '../../app/subscriptions/admin-actions.js';
import { ShopError } from '../../app/shop-error.js';
import type { Shop } from '../../app/shop.js';
import { formatBytes, formatDateTime } from '../../i18n/format.js';
import { callbackData, callbackPattern } from '../callback-data.js';
import type { BotContext, BotDeps, BotUser } from '../context.js';
import { askAdmin, CANCEL_PROMPT, type TextContext } from './prompts.js';
import { assertStaffMay, botStaffOf } from './staff.js';

/** `ak:<operation>:<id>` asks first; `ad:<operation>:<id>` does it. */
const ASK = /^ak:(retry|suspend|terminate):([A-Za-z0-9_-]{1,40})$/;
const DO = /^ad:(retry|approve|suspend|resume|terminate):([A-Za-z0-9_-]{1,40})$/;

/** The web route each operation mirrors: the bot allows a role exactly what the web does. */
const webPath = (operation: SubscriptionOperation, subscriptionId: string) => `/admin/subscriptions/${subscriptionId}/${operation}`;

async function subscriptionCard(shop: Shop, user: BotUser, sub: Subscription): Promise<{ text: string; reply_markup: InlineKeyboard }> {
  const { t, locale } = user;
  const timeZone = shop.config.timeZone;
  const [plan, jobs] = await Promise.all([shop.storage.plans.get(sub.planId), jobsOf(shop, sub.id)]);
  const used = sub.usedBytes === null ? t('adminOps.subscriptions.notMeasured') : formatBytes(sub.usedBytes, locale);
  const limit = sub.trafficLimitBytes === null ? t('adminOps.unlimited') : formatBytes(sub.trafficLimitBytes, locale);
  const lines = [
    t('telegram.admin.subscription.title', { plan: plan?.name ?? sub.planId }),
    `${t('adminOps.subscriptions.status')}: ${t(`adminOps.subStatus.${sub.status}`)}`,
    `${t('adminOps.subscriptions.traffic')}: ${used} / ${limit}`,
    `${t('adminOps.subscriptions.expiresAt')}: ${sub.expiresAt === null ? '-' : formatDateTime(sub.expiresAt, locale, timeZone)}`,
    ...(sub.failureReason === null ? [] : [`${t('adminOps.subscriptions.failureReason')}: ${sub.failureReason}`]),
  ];
  const allowed = actionsFor(sub, jobs);
  const keyboard = new InlineKeyboard();
  for (const operation of SUBSCRIPTION_OPERATIONS) {
    if (!allowed[operation]) continue;
    // Approve and resume undo nothing: one tap. The others say what they do and wait for a second tap (or a reason).
    const data = CONFIRMED_OPERATIONS.has(operation) ? callbackData('ak', operation, sub.id) : callbackData('ad', operation, sub.id);
    keyboard.text(t(`adminOps.subscriptions.${operation}`), data).row();
  }
  keyboard.text(t('telegram.admin.subscription.customer'), callbackData('ac', sub.customerId));
  return { text: lines.join('\n'), reply_markup: keyboard };
}

async function showSubscription(ctx: BotContext, deps: BotDeps, subscriptionId: string): Promise<void> {
  assertStaffMay(await botStaffOf(deps.shop, ctx.user), 'GET', `/admin/subscriptions/${subscriptionId}`);
  const sub = await deps.shop.storage.subscriptions.get(subscriptionId);
  if (sub === null) throw new ShopError('not_found', 'errors.notFound');
  const card = await subscriptionCard(deps.shop, ctx.user, sub);
  await ctx.reply(card.text, { reply_markup: card.reply_markup });
}

/** Does the operation as the web's button would (`actOnSubscription`), then says so and shows the card again. */
async function act(ctx: BotContext, deps: BotDeps, operation: SubscriptionOperation, subscriptionId: string, reason: string | null) {
  const staff = await botStaffOf(deps.shop, ctx.user);
  assertStaffMay(staff, 'POST', webPath(operation, subscriptionId));
  await actOnSubscription(deps.shop, { operation, subscriptionId, actor: staff.actor, reason });
  await ctx.reply(ctx.user.t(`adminOps.notices.subscription_${operation}`));
  await showSubscription(ctx, deps, subscriptionId);
}

/** The answer to "why suspend?": the reason goes with the suspension into the audit log. */
export function answerSuspendReason(deps: BotDeps) {
  return async (ctx: TextContext, subscriptionId: string, text: string) => {
    try {
      await act(ctx, deps, 'suspend', subscriptionId, text);
    } catch (error) {
      // Too long a reason: asked again, nothing done.
      if (!(error instanceof ShopError) || error.code !== 'invalid_input') throw error;
      await askAdmin(ctx, deps, { action: 'suspend_reason', subjectId: subscriptionId }, ctx.user.t('telegram.admin.reasonTooLong'));
    }
  };
}

/**
 * A subscription's card for admins, with the web admin's actions in its state: approve and resume at once;
 * retry (charges again) and terminate after "are you sure?"; suspend after asking why (or "without a reason").
 * Each is the web's use case, checked by the engine (a second admin's tap is a conflict) and audited the same.
 */
export function adminSubscriptionHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const admins = bot.filter((ctx) => ctx.user.isAdmin);

  admins.callbackQuery(callbackPattern('as'), async (ctx) => {
    await ctx.answerCallbackQuery();
    await showSubscription(ctx, deps, ctx.match[1] as string);
  });

  admins.callbackQuery(ASK, async (ctx) => {
    const { t } = ctx.user;
    const operation = ctx.match[1] as SubscriptionOperation;
    const subscriptionId = ctx.match[2] as string;
    await ctx.answerCallbackQuery();
    assertStaffMay(await botStaffOf(deps.shop, ctx.user), 'POST', webPath(operation, subscriptionId));
    if (operation === 'suspend') {
      await deps.prompts.ask(ctx.user.telegramUserId, { action: 'suspend_reason', subjectId: subscriptionId });
      const reply_markup = new InlineKeyboard()
        .text(t('telegram.admin.subscription.suspendWithout'), callbackData('ad', 'suspend', subscriptionId))
        .row()
        .text(t('telegram.admin.cancel'), CANCEL_PROMPT);
      return void (await ctx.reply(`${t('adminOps.subscriptions.suspendConfirm')}\n${t('telegram.admin.subscription.suspendWhy')}`, {
        reply_markup,
      }));
    }
    const reply_markup = new InlineKeyboard()
      .text(t(`adminOps.subscriptions.${operation}`), callbackData('ad', operation, subscriptionId))
      .text(t('telegram.admin.cancel'), CANCEL_PROMPT);
    await ctx.reply(t(`adminOps.subscriptions.${operation}Confirm`), { reply_markup });
  });

  admins.callbackQuery(DO, async (ctx) => {
    const operation = ctx.match[1] as string;
    if (!isSubscriptionOperation(operation)) return void (await ctx.answerCallbackQuery());
    await ctx.answerCallbackQuery();
    // A suspension without a reason closes the question asked with it.
    if (operation === 'suspend') await deps.prompts.cancel(ctx.user.telegramUserId);
    await ctx.editMessageReplyMarkup({ reply_markup: new InlineKeyboard() }).catch(() => undefined);
    await act(ctx, deps, operation, ctx.match[2] as string, null);
  });

  // Anyone else tapping a subscription button (or forging its data) is told nothing and nothing happens.
  bot.callbackQuery(/^(as|ak|ad):/, (ctx) => ctx.answerCallbackQuery({ text: ctx.user.t('telegram.notYours') }));
}
