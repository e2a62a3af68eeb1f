import type { Plan } from '@panelkit/sdk';
import type { BuiltChoice, BuiltPlanDecision, PlanBuilder, PlanLocation } from '@panelkit/sdk/plan-builder';
import { InlineKeyboard, type Composer } from 'grammy';
import { formatMoney, formatNumber } from '../../i18n/format.js';
import { buyerLocationNames } from '../../i18n/plan-text.js';
import { quoteBuiltPlanFor } from '../../app/selling/quote-built-plan.js';
import { locationsOfPlan } from '../../app/selling/plan-locations.js';
import { buyPlansFor } from '../../app/selling/buy-plans.js';
import { localizedPlan } from '../../db/plan-texts.js';
import { callbackData } from '../callback-data.js';
import type { BotContext, BotDeps, BotUser } from '../context.js';
import { trimText } from '../message-text.js';
import { backToMenu } from '../menu.js';
import { replyToPurchase } from './purchase-reply.js';
import { buyerBalance } from './balance.js';

/**
 * What the buyer has composed so far, carried in the buttons (any replica reads it; nothing is stored): the chosen
 * locations as a bitmask over the builder's options, and each count (absent: the part's minimum).
 */
export interface BuilderState {
  mask: bigint;
  devices?: number | undefined;
  trafficGiB?: number | undefined;
  days?: number | undefined;
}

type CountPart = 'devices' | 'trafficGiB' | 'days';
const COUNT_PARTS: readonly CountPart[] = ['devices', 'trafficGiB', 'days'];
const builderPart = (b: PlanBuilder, part: CountPart) => (part === 'days' ? b.durationDays : b[part]);

const count36 = (v: number | undefined) => (v === undefined ? '' : v.toString(36));

/** The state as a button's argument: `<mask hex>.<devices>.<GiB>.<days>` (counts in base 36), at most 30 bytes. */
export function encodeState(s: BuilderState): string {
  return `${s.mask.toString(16)}.${count36(s.devices)}.${count36(s.trafficGiB)}.${count36(s.days)}`;
}

const STATE = /^([0-9a-f]{1,16})\.([0-9a-z]{0,4})\.([0-9a-z]{0,4})\.([0-9a-z]{0,3})$/;

/** A button's state, or `null` when it is not one {@link encodeState} writes (forged or damaged data). */
export function decodeState(text: string): BuilderState | null {
  const m = STATE.exec(text);
  if (m === null) return null;
  const count = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number.parseInt(v, 36));
  return { mask: BigInt(`0x${m[1]}`), devices: count(m[2]), trafficGiB: count(m[3]), days: count(m[4]) };
}

/** The choice a state stands for on this plan's builder: only the parts it offers (the SDK's rule judges the rest). */
export function choiceOf(builder: PlanBuilder, s: BuilderState): BuiltChoice {
  const choice: BuiltChoice = {};
  if (builder.locations !== null) {
    const picked = builder.locations.options.filter((_, i) => ((s.mask >> BigInt(i)) & 1n) === 1n);
    // None picked: the rule answers `locations_required`.
    if (picked.length > 0) choice.locations = picked;
  }
  for (const part of COUNT_PARTS) if (builderPart(builder, part) !== null && s[part] !== undefined) choice[part] = s[part];
  return choice;
}

/** The first screen's state: the fewest locations the plan sells, picked in its order, and every count at its minimum. */
export function initialState(builder: PlanBuilder): BuilderState {
  const n = builder.locations?.min ?? 0;
  return { mask: (1n << BigInt(n)) - 1n };
}

function screenText(
  user: BotUser,
  name: string,
  builder: PlanBuilder,
  s: BuilderState,
  decision: BuiltPlanDecision,
  balance: string,
  offered: readonly PlanLocation[],
): string {
  const { t, locale } = user;
  const lines = [name, t('builder.choose'), ''];
  if (builder.locations !== null) {
    const picked = choiceOf(builder, s).locations ?? [];
    const names = buyerLocationNames(picked, offered, locale).join(', ');
    lines.push(`${t('builder.parts.locations')}: ${picked.length === 0 ? '—' : names}`);
  }
  for (const part of COUNT_PARTS) {
    const p = builderPart(builder, part);
    if (p !== null) lines.push(`${t(`builder.parts.${part}`)}: ${formatNumber(s[part] ?? p.min, locale)}`);
  }
  lines.push('');
  if (decision.allowed) lines.push(`${t('builder.price')}: ${formatMoney(decision.quote.price, locale)}`);
  else lines.push(t(`builder.reasons.${decision.reason}`));
  lines.push(t('telegram.wallet.balance', { balance }));
  return lines.join('\n');
}

/** A builder screen: the choice so far, its price by the SDK's quote (or why not), and a button per change and to buy. */
async function builderScreen(deps: BotDeps, ctx: BotContext, plan: Plan & { builder: PlanBuilder }, s: BuilderState): Promise<void> {
  const { shop } = deps;
  const { t, locale } = ctx.user;
  const { builder } = plan;
  const decision = await quoteBuiltPlanFor(shop, plan.id, choiceOf(builder, s));
  if (decision === null) return void (await ctx.reply(t('telegram.catalog.gone'), { reply_markup: backToMenu(ctx.user) }));
  const currency = builder.basePrice.currency;
  const balance = formatMoney({ amount: await buyerBalance(shop, ctx.user, currency), currency }, locale);
  const name = (await localizedPlan(shop, plan, locale)).name;
  const keyboard = new InlineKeyboard();
  const go = (next: BuilderState) => callbackData('kb', plan.id, encodeState(next));
  // The owner's names and each one's room, as the web's and the API's pickers show them.
  const offered = builder.locations === null ? [] : ((await locationsOfPlan(shop, plan.id)) ?? []);
  if (builder.locations !== null) {
    const status = new Map(offered.map((l) => [l.location, l.status]));
    const names = buyerLocationNames(builder.locations.options, offered, locale);
    builder.locations.options.forEach((option, i) => {
      const bit = 1n << BigInt(i);
      const on = (s.mask & bit) !== 0n;
      const busy = status.get(option) === 'busy' ? ` · ${t('builder.busy')}` : '';
      keyboard.text(trimText(`${on ? '✅' : '▫️'} ${names[i]}${busy}`, 60), go({ ...s, mask: s.mask ^ bit })).row();
    });
  }
  for (const part of COUNT_PARTS) {
    const p = builderPart(builder, part);
    if (p === null) continue;
    const value = s[part] ?? p.min;
    const label = t(`builder.parts.${part}`);
    if (value - p.step >= p.min) keyboard.text(`➖ ${label}`, go({ ...s, [part]: value - p.step }));
    if (value + p.step <= p.max) keyboard.text(`➕ ${label}`, go({ ...s, [part]: value + p.step }));
    keyboard.row();
    // A wide range (traffic in GiB) also moves ten steps at a time.
    const jump = p.step * 10;
    if ((p.max - p.min) / p.step <= 20) continue;
    if (value - jump >= p.min) keyboard.text(`⏬ ${formatNumber(jump, locale)}`, go({ ...s, [part]: value - jump }));
    if (value + jump <= p.max) keyboard.text(`⏫ ${formatNumber(jump, locale)}`, go({ ...s, [part]: value + jump }));
    keyboard.row();
  }
  if (decision.allowed)
    keyboard
      .text(t('telegram.catalog.buy', { price: formatMoney(decision.quote.price, locale) }), callbackData('kbb', plan.id, encodeState(s)))
      .row();
  keyboard.text(t('telegram.menu.back'), 'cat');
  await ctx.reply(screenText(ctx.user, name, builder, s, decision, balance, offered), { reply_markup: keyboard });
}

const ID = '([A-Za-z0-9_-]{1,40})';
const STATE_ARG = '([0-9a-z.]{4,30})';

/** The checkout key of a built plan's buy button: the screen it sits on and the choice on it, so a double tap buys once. */
export function builtBuyKey(chatId: string, messageId: number, state: string): string {
  return `tg:built:${chatId}:${messageId}:${state}`;
}

/**
 * The plan builder in the bot, on the API's and the web's use cases: each change (`kb`, a button carrying the whole
 * choice) answers with a new screen priced by the SDK's quote (`quoteBuiltPlanFor`), and `kbb` buys that choice from
 * the wallet. Forged or stale buttons are answered and change nothing.
 */
export function builderHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;

  const builtPlan = async (planId: string) => {
    const plan = await shop.storage.plans.get(planId);
    return plan?.onSale && plan.builder !== null ? (plan as Plan & { builder: PlanBuilder }) : null;
  };

  bot.callbackQuery(new RegExp(`^kb:${ID}:${STATE_ARG}$`), async (ctx) => {
    const plan = await builtPlan(ctx.match[1] as string);
    const state = decodeState(ctx.match[2] as string);
    if (plan === null || state === null) return void (await ctx.answerCallbackQuery({ text: ctx.user.t('buyerBot.stale') }));
    await ctx.answerCallbackQuery();
    await builderScreen(deps, ctx, plan, state);
  });

  bot.callbackQuery(new RegExp(`^kbb:${ID}:${STATE_ARG}$`), async (ctx) => {
    const plan = await builtPlan(ctx.match[1] as string);
    const state = decodeState(ctx.match[2] as string);
    const message = ctx.callbackQuery.message;
    if (plan === null || state === null || message === undefined)
      return void (await ctx.answerCallbackQuery({ text: ctx.user.t('buyerBot.stale') }));
    await ctx.answerCallbackQuery();
    const bought = await buyPlansFor(shop, ctx.user.customer.id, {
      items: [{ planId: plan.id, quantity: 1, trial: false, autoRenew: false, choice: choiceOf(plan.builder, state) }],
      idempotencyKey: builtBuyKey(ctx.user.chatId, message.message_id, ctx.match[2] as string),
    });
    await replyToPurchase(ctx.user, bought, shop.config.timeZone, (text, keyboard) => ctx.reply(text, { reply_markup: keyboard }));
  });
}

/** The builder's first screen for a plan the buyer composes (the catalog's plan button leads here). */
export async function showBuilder(deps: BotDeps, ctx: BotContext, plan: Plan): Promise<void> {
  if (plan.builder === null) return;
  await builderScreen(deps, ctx, plan as Plan & { builder: PlanBuilder }, initialState(plan.builder));
}
