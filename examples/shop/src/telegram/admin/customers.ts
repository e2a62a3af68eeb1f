import { InlineKeyboard, type Composer } from 'grammy';
import { customerOverview, type CustomerOverview } from '../../app/customers/customer-overview.js';
import { findCustomers } from '../../app/customers/find-customers.js';
import { rotateSubscriptionLinkAsStaff } from '../../app/subscriptions/rotate-link.js';
import { ShopError } from '../../app/shop-error.js';
import { formatDate, formatMoney, formatNumber } from '../../i18n/format.js';
import { callbackData, callbackPattern } from '../callback-data.js';
import type { BotContext, BotDeps, BotUser } from '../context.js';
import { MESSAGE_MAX, trimText } from '../message-text.js';
import { askAdmin, CANCEL_PROMPT, type TextContext } from './prompts.js';
import { assertStaffMay, botStaffOf } from './staff.js';

/** Customers listed when a search finds several; the admin narrows the search for the rest. */
const LISTED = 10;
/** Subscriptions with a button on a customer card (Telegram allows 100 buttons; a card stays readable). */
const SUBSCRIPTION_BUTTONS = 20;
/** Telegram's limit on a button's label is generous, but a long one wraps badly on phones. */
const LABEL_MAX = 60;

/** The customer card: who they are, their wallet and their subscriptions, each with a button. */
function customerCard(user: BotUser, view: CustomerOverview, timeZone: string): { text: string; reply_markup: InlineKeyboard } {
  const { t, locale } = user;
  const { customer, telegram } = view;
  const wallet = view.balances.length === 0 ? formatNumber(0, locale) : view.balances.map((m) => formatMoney(m, locale)).join(', ');
  const lines = [
    t('telegram.admin.customer.title', { name: customer.name ?? view.email ?? customer.id }),
    t('telegram.admin.customer.email', { email: view.email ?? '-' }),
    t('telegram.admin.customer.telegram', {
      telegram: telegram === null ? '-' : [telegram.userId, telegram.username === null ? '' : `@${telegram.username}`].join(' ').trim(),
    }),
    t('telegram.admin.customer.wallet', { balance: wallet }),
    view.subscriptions.length === 0
      ? t('telegram.admin.customer.noSubscriptions')
      : t('telegram.admin.customer.subscriptions', { count: view.subscriptions.length }),
  ];
  const keyboard = new InlineKeyboard();
  for (const sub of view.subscriptions.slice(0, SUBSCRIPTION_BUTTONS)) {
    const plan = view.planNames.get(sub.planId) ?? sub.planId;
    const until = sub.expiresAt === null ? '' : ` · ${formatDate(sub.expiresAt, locale, timeZone)}`;
    const label = `${plan} · ${t(`adminOps.subStatus.${sub.status}`)}${until}`;
    keyboard.text(trimText(label, LABEL_MAX), callbackData('as', sub.id)).row();
  }
  keyboard.text(t('devices.admin.title'), callbackData('adv', customer.id));
  keyboard.text(t('telegram.admin.customer.newLink'), callbackData('al', customer.id));
  return { text: lines.join('\n'), reply_markup: keyboard };
}

async function showCustomer(ctx: BotContext, deps: BotDeps, customerId: string): Promise<void> {
  assertStaffMay(await botStaffOf(deps.shop, ctx.user), 'GET', `/admin/customers/${customerId}`);
  const card = customerCard(ctx.user, await customerOverview(deps.shop, customerId), deps.shop.config.timeZone);
  await ctx.reply(trimText(card.text, MESSAGE_MAX), { reply_markup: card.reply_markup });
}

/**
 * Finds customers by Telegram id, `@username` or email (the web's search, one use case) and shows the one
 * found, or a button per customer when several match.
 */
export async function findAndShow(ctx: BotContext, deps: BotDeps, text: string): Promise<void> {
  const { t } = ctx.user;
  assertStaffMay(await botStaffOf(deps.shop, ctx.user), 'GET', '/admin/customers');
  if (text.trim() === '') throw new ShopError('invalid_input', 'adminOps.find.invalid');
  const found = await findCustomers(deps.shop, { query: text, limit: LISTED, offset: 0 });
  if (found.items.length === 0) return void (await ctx.reply(t('telegram.admin.find.none')));
  if (found.items.length === 1) return showCustomer(ctx, deps, found.items[0]!.customerId);
  const keyboard = new InlineKeyboard();
  for (const c of found.items)
    keyboard.text(trimText(c.email ?? c.name ?? c.customerId, LABEL_MAX), callbackData('ac', c.customerId)).row();
  await ctx.reply(t(found.hasMore ? 'telegram.admin.find.many' : 'telegram.admin.find.several', { count: found.items.length }), {
    reply_markup: keyboard,
  });
}

/** The answer to "which customer?": the text typed after the Find button. */
export function answerFind(deps: BotDeps) {
  return (ctx: TextContext, _subject: string, text: string) => findAndShow(ctx, deps, text);
}

/**
 * Admins find a customer (`/find <id, @username or email>`, or the menu's Find button then the text), read
 * their card, and give them a new subscription link after a confirmation, as on the web's customer page.
 */
export function customerHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;
  const admins = bot.filter((ctx) => ctx.user.isAdmin);

  admins.command('find', async (ctx) => {
    const text = ctx.match.trim();
    if (text === '') return askAdmin(ctx, deps, { action: 'find_customer', subjectId: '-' }, ctx.user.t('telegram.admin.find.ask'));
    await findAndShow(ctx, deps, text);
  });

  admins.callbackQuery('af', async (ctx) => {
    await ctx.answerCallbackQuery();
    await askAdmin(ctx, deps, { action: 'find_customer', subjectId: '-' }, ctx.user.t('telegram.admin.find.ask'));
  });

  admins.callbackQuery(callbackPattern('ac'), async (ctx) => {
    await ctx.answerCallbackQuery();
    await showCustomer(ctx, deps, ctx.match[1] as string);
  });

  admins.callbackQuery(callbackPattern('al'), async (ctx) => {
    const { t } = ctx.user;
    await ctx.answerCallbackQuery();
    const customerId = ctx.match[1] as string;
    assertStaffMay(await botStaffOf(shop, ctx.user), 'POST', `/admin/customers/${customerId}/subscription-link/rotate`);
    const reply_markup = new InlineKeyboard()
      .text(t('telegram.admin.customer.newLinkYes'), callbackData('ald', customerId))
      .text(t('telegram.admin.cancel'), CANCEL_PROMPT);
    await ctx.reply(t('telegram.admin.customer.newLinkConfirm'), { reply_markup });
  });

  admins.callbackQuery(callbackPattern('ald'), async (ctx) => {
    const customerId = ctx.match[1] as string;
    const staff = await botStaffOf(shop, ctx.user);
    assertStaffMay(staff, 'POST', `/admin/customers/${customerId}/subscription-link/rotate`);
    await rotateSubscriptionLinkAsStaff(shop, customerId, staff.actor);
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup({ reply_markup: new InlineKeyboard() }).catch(() => undefined);
    await ctx.reply(ctx.user.t('sublink.notices.rotatedByAdmin'));
  });

  // Anyone else tapping a customer button (or forging its data) is told nothing and nothing happens.
  bot.callbackQuery(/^(af$|ac:|al:|ald:)/, (ctx) => ctx.answerCallbackQuery({ text: ctx.user.t('telegram.notYours') }));
}
