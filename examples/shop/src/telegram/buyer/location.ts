import { createHash } from 'node:crypto';
import type { Plan } from '@panelkit/sdk';
import { offeredLocations, type PlanLocation } from '@panelkit/sdk/plan-builder';
import { InlineKeyboard, type CallbackQueryContext, type Composer } from 'grammy';
import { buyerLocationName, planListPrice } from '../../i18n/plan-text.js';
import { locationsOfPlan } from '../../app/selling/plan-locations.js';
import { buyPlansFor } from '../../app/selling/buy-plans.js';
import { findOwnedSubscription } from '../../app/subscriptions/owned.js';
import { moveSubscriptionFor } from '../../app/subscriptions/move-subscription.js';
import { callbackData } from '../callback-data.js';
import type { BotContext, BotDeps, BotUser } from '../context.js';
import { trimText } from '../message-text.js';
import { backToMenu } from '../menu.js';
import { replyToPurchase } from './purchase-reply.js';

/**
 * A location in a button: the first 8 hex digits of its tag's SHA-256. A tag may be 64 characters, too long for
 * Telegram's 64 bytes beside an id; a key names one tag for good (an index would name another after the list changed).
 */
export function locationKey(tag: string): string {
  return createHash('sha256').update(tag).digest('hex').slice(0, 8);
}

/** The location of `list` whose key is `key`, or `null`. */
export function locationOfKey<T extends { location: string }>(list: readonly T[], key: string): T | null {
  return list.find((l) => locationKey(l.location) === key) ?? null;
}

/** A location as the buyer reads it: its buyers' name, and "busy" when a purchase there would be refused. */
export function locationLabel(user: BotUser, l: PlanLocation): string {
  const name = buyerLocationName(l, user.locale);
  return trimText(l.status === 'busy' ? `${name} · ${user.t('builder.busy')}` : name, 60);
}

/** The checkout key of a pinned purchase's confirm button: its quote message, so a double tap buys once. */
export function pinnedBuyKey(chatId: string, messageId: number): string {
  return `tg:pin:${chatId}:${messageId}`;
}

/** The move key of a confirm button: its message, so a double tap moves once. */
export function moveKey(chatId: string, messageId: number): string {
  return `tg:move:${chatId}:${messageId}`;
}

/**
 * Adds "Choose the location" to a fixed plan's screen when it offers several (the web checkout's picker shows then).
 * Only for a plan sold as it is: a plan the buyer composes picks its locations among its parts.
 */
export async function addLocationButton(deps: BotDeps, user: BotUser, plan: Plan, keyboard: InlineKeyboard): Promise<void> {
  if (plan.builder !== null || !plan.onSale) return;
  // How many it offers, not their names or room (what `kl` lists): the panels are read only for a plan that names none.
  const panels = plan.placement.allowedLocations.length > 0 ? [] : await deps.shop.storage.panels.list();
  if (offeredLocations(plan, panels).length > 1) keyboard.row().text(user.t('buyerBot.location.choose'), callbackData('kl', plan.id));
}

const ID = '([A-Za-z0-9_-]{1,40})';
const KEY = '([0-9a-f]{8})';

/**
 * The buyer's location in the bot, on the web's and the API's use cases: a fixed plan bought pinned to one of its
 * locations (`kl` lists them available/busy, `klq` quotes one, `klb` buys it once per quote message), and moving one's
 * own subscription to another location of its plan, the link unchanged (`km` lists, `kmq` asks, `kmg` moves once).
 */
export function locationHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;

  const planLocations = async (ctx: BotContext, planId: string) => {
    const locations = await locationsOfPlan(shop, planId);
    if (locations === null) await ctx.reply(ctx.user.t('telegram.catalog.gone'), { reply_markup: backToMenu(ctx.user) });
    return locations;
  };

  bot.callbackQuery(new RegExp(`^kl:${ID}$`), async (ctx) => {
    await ctx.answerCallbackQuery();
    const planId = ctx.match[1] as string;
    const locations = await planLocations(ctx, planId);
    if (locations === null) return;
    const keyboard = new InlineKeyboard();
    for (const l of locations) keyboard.text(locationLabel(ctx.user, l), callbackData('klq', planId, locationKey(l.location))).row();
    await ctx.reply(ctx.user.t('buyerBot.location.pick'), {
      reply_markup: keyboard.text(ctx.user.t('telegram.menu.back'), callbackData('p', planId)),
    });
  });

  bot.callbackQuery(new RegExp(`^klq:${ID}:${KEY}$`), async (ctx) => {
    const { t, locale } = ctx.user;
    const [, planId, key] = ctx.match as unknown as [string, string, string];
    const plan = await shop.storage.plans.get(planId);
    const locations = plan === null || !plan.onSale || plan.builder !== null ? null : await locationsOfPlan(shop, planId);
    const picked = locations === null ? null : locationOfKey(locations, key);
    if (plan === null || picked === null) return void (await ctx.answerCallbackQuery({ text: t('buyerBot.stale') }));
    await ctx.answerCallbackQuery();
    const text = t('buyerBot.location.quote', { location: locationLabel(ctx.user, picked), price: planListPrice(plan, t, locale) });
    const keyboard = new InlineKeyboard()
      .text(t('telegram.catalog.buy', { price: planListPrice(plan, t, locale) }), callbackData('klb', planId, key))
      .row()
      .text(t('telegram.menu.back'), callbackData('kl', planId));
    await ctx.reply(text, { reply_markup: keyboard });
  });

  bot.callbackQuery(new RegExp(`^klb:${ID}:${KEY}$`), async (ctx) => {
    const { t, customer } = ctx.user;
    const [, planId, key] = ctx.match as unknown as [string, string, string];
    const message = ctx.callbackQuery.message;
    const locations = await locationsOfPlan(shop, planId);
    const picked = locations === null ? null : locationOfKey(locations, key);
    if (picked === null || message === undefined) return void (await ctx.answerCallbackQuery({ text: t('buyerBot.stale') }));
    await ctx.answerCallbackQuery();
    const bought = await buyPlansFor(shop, customer.id, {
      items: [{ planId, quantity: 1, trial: false, autoRenew: false, location: picked.location }],
      idempotencyKey: pinnedBuyKey(ctx.user.chatId, message.message_id),
    });
    await replyToPurchase(ctx.user, bought, shop.config.timeZone, (text, keyboard) => ctx.reply(text, { reply_markup: keyboard }));
  });

  const ownSub = async (ctx: CallbackQueryContext<BotContext>) => {
    const sub = await findOwnedSubscription(shop, ctx.user, ctx.match[1]);
    if (sub === null) await ctx.answerCallbackQuery({ text: ctx.user.t('telegram.notYours') });
    return sub;
  };

  bot.callbackQuery(new RegExp(`^km:${ID}$`), async (ctx) => {
    const sub = await ownSub(ctx);
    if (sub === null) return;
    await ctx.answerCallbackQuery();
    const { t } = ctx.user;
    const locations = (await shop.kit.planLocations(sub.planId).catch(() => null)) ?? [];
    const keyboard = new InlineKeyboard();
    for (const l of locations) keyboard.text(locationLabel(ctx.user, l), callbackData('kmq', sub.id, locationKey(l.location))).row();
    const text = locations.length === 0 ? t('buyerBot.location.none') : t('buyerBot.location.moveTo');
    await ctx.reply(text, { reply_markup: keyboard.text(t('telegram.menu.back'), callbackData('s', sub.id)) });
  });

  bot.callbackQuery(new RegExp(`^kmq:${ID}:${KEY}$`), async (ctx) => {
    const sub = await ownSub(ctx);
    if (sub === null) return;
    const { t } = ctx.user;
    const key = ctx.match[2] as string;
    const picked = locationOfKey((await shop.kit.planLocations(sub.planId).catch(() => null)) ?? [], key);
    if (picked === null) return void (await ctx.answerCallbackQuery({ text: t('buyerBot.stale') }));
    await ctx.answerCallbackQuery();
    const keyboard = new InlineKeyboard()
      .text(t('buyerBot.location.moveConfirm'), callbackData('kmg', sub.id, key))
      .row()
      .text(t('telegram.menu.back'), callbackData('s', sub.id));
    await ctx.reply(t('buyerBot.location.moveAsk', { location: locationLabel(ctx.user, picked) }), { reply_markup: keyboard });
  });

  bot.callbackQuery(new RegExp(`^kmg:${ID}:${KEY}$`), async (ctx) => {
    const sub = await ownSub(ctx);
    if (sub === null) return;
    const { t } = ctx.user;
    const message = ctx.callbackQuery.message;
    const picked = locationOfKey((await shop.kit.planLocations(sub.planId).catch(() => null)) ?? [], ctx.match[2] as string);
    if (picked === null || message === undefined) return void (await ctx.answerCallbackQuery({ text: t('buyerBot.stale') }));
    await ctx.answerCallbackQuery();
    const moved = await moveSubscriptionFor(shop, ctx.user.customer.id, sub.id, {
      location: picked.location,
      idempotencyKey: moveKey(ctx.user.chatId, message.message_id),
    });
    const back = new InlineKeyboard().text(t('telegram.menu.back'), callbackData('s', sub.id));
    await ctx.reply(moved.ok ? t('buyerBot.location.moved', { location: locationLabel(ctx.user, picked) }) : t(moved.refusal.key), {
      reply_markup: back,
    });
  });
}
