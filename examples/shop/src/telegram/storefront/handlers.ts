import { InlineKeyboard, type Composer } from 'grammy';
import { formatMoney } from '../../i18n/format.js';
import { planSummary } from '../../i18n/plan-text.js';
import { isLocale, translator, type Locale } from '../../i18n/translate.js';
import { LOCALES, localeInfo } from '../../i18n/locales.js';
import { buyPlansFor } from '../../app/selling/buy-plans.js';
import { setCustomerLanguage } from '../../app/customers/language.js';
import { buyerLinkOf } from '../../app/subscriptions/buyer-link.js';
import { subscriptionText } from '../buyer/subscriptions.js';
import { replyToPurchase } from '../buyer/purchase-reply.js';
import { findOwnedSubscription } from '../../app/subscriptions/owned.js';
import { localizedPlans } from '../../db/plan-texts.js';
import { planNames } from '../../app/subscriptions/plan-names.js';
import type { StorefrontOffer } from '../../app/storefront-bots/storefront-sales.js';
import type { TextsByLocale } from '../../db/storefront-brands.js';
import { callbackData, callbackPattern } from '../callback-data.js';
import { splitMessage, trimText } from '../message-text.js';
import { buyKey } from '../buyer/catalog.js';
import { brandName, type StorefrontContext, type StorefrontDeps } from './context.js';

/** A storefront's text in the buyer's language, else in English, else `null` (the shop's own text is used). */
function brandText(texts: TextsByLocale | undefined, locale: Locale): string | null {
  return texts?.[locale] ?? texts?.['en'] ?? null;
}

/** The storefront bot's menu: catalog, subscriptions, wallet, top-up, language, support. No owner or staff button. */
export function storefrontMenu(ctx: StorefrontContext): InlineKeyboard {
  const { t } = ctx.user;
  return new InlineKeyboard()
    .text(t('telegram.menu.catalog'), 'cat')
    .text(t('telegram.menu.subscriptions'), 'subs')
    .row()
    .text(t('telegram.menu.wallet'), 'w')
    .text(t('telegram.menu.topUp'), 'tu')
    .row()
    .text(t('telegram.menu.language'), 'lang')
    .text(t('telegram.menu.support'), 'sup');
}

/** The SDK's reasons a storefront refuses a sale (`StorefrontRefusalReason`). */
const STOREFRONT_REFUSALS = new Set([
  'storefront_suspended',
  'not_on_menu',
  'quota_subscriptions',
  'quota_traffic',
  'quota_panels',
  'reseller_credit',
]);

const back = (ctx: StorefrontContext) => new InlineKeyboard().text(ctx.user.t('telegram.menu.back'), 'm');

/** The menu message under the storefront's name, after an optional greeting. */
async function showMenu(ctx: StorefrontContext, greeting?: string): Promise<void> {
  const text = [greeting, ctx.user.t('telegram.menu.title', { shop: brandName(ctx.storefront) })].filter(Boolean).join('\n\n');
  await ctx.reply(text, { reply_markup: storefrontMenu(ctx) });
}

/**
 * A suspended storefront's bot answers every update with one short notice and does nothing else: it sells nothing,
 * and its buyers' subscriptions and links keep working (the links are the shop's web addresses).
 */
export function suspendedGate(bot: Composer<StorefrontContext>): void {
  bot.use(async (ctx, next) => {
    if (ctx.storefront.view.status === 'active') return next();
    if (ctx.callbackQuery !== undefined) await ctx.answerCallbackQuery();
    await ctx.reply(ctx.user.t('storefrontBot.suspended', { shop: brandName(ctx.storefront) }));
  });
}

/** The storefront's offer of a plan, or `undefined` when it does not sell it (or no longer). */
async function offerOf(deps: StorefrontDeps, ctx: StorefrontContext, planId: string): Promise<StorefrontOffer | undefined> {
  return (await deps.sales.offers(ctx.storefront.view.id)).find((offer) => offer.plan.id === planId);
}

/** The plan's name as this storefront sells it in the buyer's language, else the shop's localized name. */
async function offerNames(deps: StorefrontDeps, ctx: StorefrontContext, offers: StorefrontOffer[]): Promise<Map<string, string>> {
  const localized = await localizedPlans(
    deps.shop,
    offers.map((o) => o.plan),
    ctx.user.locale,
  );
  const own = ctx.storefront.brand?.planNames ?? {};
  return new Map(localized.map((plan) => [plan.id, brandText(own[plan.id], ctx.user.locale) ?? plan.name]));
}

/**
 * `/start`, the menu, the catalog at the storefront's retail prices (only its menu: another storefront's plans and
 * prices are never shown), buying from the wallet (one order per quote message), the buyer's subscriptions with
 * their link, language and the storefront's support contact.
 */
export function storefrontHandlers(bot: Composer<StorefrontContext>, deps: StorefrontDeps): void {
  const { shop } = deps;

  bot.command('start', async (ctx) => {
    const welcome = brandText(ctx.storefront.brand?.welcome, ctx.user.locale);
    await showMenu(ctx, welcome ?? ctx.user.t('telegram.start.welcome', { shop: brandName(ctx.storefront) }));
  });
  bot.command('menu', (ctx) => showMenu(ctx));
  bot.callbackQuery('m', async (ctx) => {
    await ctx.answerCallbackQuery();
    await showMenu(ctx);
  });

  bot.callbackQuery('cat', async (ctx) => {
    const { t, locale } = ctx.user;
    await ctx.answerCallbackQuery();
    const offers = await deps.sales.offers(ctx.storefront.view.id);
    if (offers.length === 0) return void (await ctx.reply(t('telegram.catalog.empty'), { reply_markup: back(ctx) }));
    const names = await offerNames(deps, ctx, offers);
    const keyboard = new InlineKeyboard();
    for (const offer of offers)
      keyboard
        .text(trimText(`${names.get(offer.plan.id)} · ${formatMoney(offer.retail, locale)}`, 60), callbackData('p', offer.plan.id))
        .row();
    await ctx.reply(t('telegram.catalog.choosePlan'), { reply_markup: keyboard.text(t('telegram.menu.back'), 'm') });
  });

  bot.callbackQuery(callbackPattern('p'), async (ctx) => {
    const { t, locale, customer } = ctx.user;
    await ctx.answerCallbackQuery();
    const offer = await offerOf(deps, ctx, ctx.match[1] as string);
    if (offer === undefined) return void (await ctx.reply(t('telegram.catalog.gone'), { reply_markup: back(ctx) }));
    const balance = await shop.storage.ledger.balance(customer.id, offer.retail.currency);
    const price = formatMoney(offer.retail, locale);
    const lines = [
      (await offerNames(deps, ctx, [offer])).get(offer.plan.id),
      planSummary(offer.plan, t, locale),
      t('telegram.catalog.price', { price }),
      t('telegram.wallet.balance', { balance: formatMoney({ amount: balance, currency: offer.retail.currency }, locale) }),
    ];
    const keyboard = new InlineKeyboard().text(t('telegram.catalog.buy', { price }), callbackData('b', offer.plan.id));
    await ctx.reply(lines.join('\n'), { reply_markup: keyboard.row().text(t('telegram.menu.back'), 'cat') });
  });

  bot.callbackQuery(callbackPattern('b'), async (ctx) => {
    const { t, customer } = ctx.user;
    const message = ctx.callbackQuery.message;
    if (message === undefined) return void (await ctx.answerCallbackQuery());
    // Only what this storefront sells now: another storefront's plan, or one taken off its menu, is refused.
    const offer = await offerOf(deps, ctx, ctx.match[1] as string);
    if (offer === undefined) return void (await ctx.answerCallbackQuery({ text: t('telegram.catalog.gone') }));
    await ctx.answerCallbackQuery();
    const bought = await buyPlansFor(shop, customer.id, {
      items: [{ planId: offer.plan.id, quantity: 1, trial: false, autoRenew: false }],
      idempotencyKey: `${buyKey('buy', ctx.user.chatId, message.message_id)}:sf:${ctx.storefront.botId}`,
    });
    // The storefront's own refusals (suspended meanwhile, off its menu, over its quotas or its reseller's credit), in
    // the buyer's words: nothing was charged. The reseller reads the reason in their back office.
    if (!bought.ok && STOREFRONT_REFUSALS.has(bought.refusal.reason)) {
      const key = bought.refusal.reason === 'storefront_suspended' ? 'storefrontBot.suspended' : 'storefrontBot.cannotSell';
      return void (await ctx.reply(t(key, { shop: brandName(ctx.storefront) }), { reply_markup: back(ctx) }));
    }
    await replyToPurchase(ctx.user, bought, shop.config.timeZone, (text, keyboard) => ctx.reply(text, { reply_markup: keyboard }));
  });

  bot.callbackQuery('subs', async (ctx) => {
    const { t } = ctx.user;
    await ctx.answerCallbackQuery();
    const listed = await shop.storage.subscriptions.listByCustomer(ctx.user.customer.id, { limit: 30 });
    if (listed.items.length === 0) {
      const reply_markup = new InlineKeyboard().text(t('telegram.menu.catalog'), 'cat').text(t('telegram.menu.back'), 'm');
      return void (await ctx.reply(t('telegram.subscriptions.none'), { reply_markup }));
    }
    const names = await planNames(shop, listed.items, ctx.user.locale);
    const keyboard = new InlineKeyboard();
    for (const sub of listed.items)
      keyboard
        .text(trimText(`${names.get(sub.planId) ?? sub.planId} · ${t(`subscription.status.${sub.status}`)}`, 60), callbackData('s', sub.id))
        .row();
    await ctx.reply(t('telegram.subscriptions.title'), { reply_markup: keyboard.text(t('telegram.menu.back'), 'm') });
  });

  bot.callbackQuery(callbackPattern('s'), async (ctx) => {
    const { t } = ctx.user;
    const sub = await findOwnedSubscription(shop, ctx.user, ctx.match[1]);
    if (sub === null) return void (await ctx.answerCallbackQuery({ text: t('telegram.notYours') }));
    await ctx.answerCallbackQuery();
    const name = (await planNames(shop, [sub], ctx.user.locale)).get(sub.planId) ?? sub.planId;
    const link = await buyerLinkOf(shop, ctx.user.customer.id);
    const parts = splitMessage(subscriptionText(ctx.user, sub, name, shop.config.timeZone, link));
    for (const [i, part] of parts.entries())
      await ctx.reply(part, i === parts.length - 1 ? { reply_markup: new InlineKeyboard().text(t('telegram.menu.back'), 'subs') } : {});
  });

  bot.callbackQuery('sup', async (ctx) => {
    await ctx.answerCallbackQuery();
    const contact = ctx.storefront.brand?.support ?? null;
    const text =
      contact === null
        ? ctx.user.t('storefrontBot.noSupport', { shop: brandName(ctx.storefront) })
        : ctx.user.t('storefrontBot.support', { shop: brandName(ctx.storefront), contact });
    await ctx.reply(text, { reply_markup: back(ctx) });
  });

  bot.callbackQuery('lang', async (ctx) => {
    await ctx.answerCallbackQuery();
    const keyboard = new InlineKeyboard();
    LOCALES.forEach((locale, i) => {
      if (i > 0 && i % 2 === 0) keyboard.row();
      keyboard.text(localeInfo(locale).name, `lang:${locale}`);
    });
    await ctx.reply(ctx.user.t('telegram.language.choose'), { reply_markup: keyboard });
  });
  bot.callbackQuery(new RegExp(`^lang:(${LOCALES.join('|')})$`), async (ctx) => {
    const locale = ctx.match[1];
    if (!isLocale(locale)) return;
    const customer = (await setCustomerLanguage(shop, ctx.user.customer.id, locale)) ?? ctx.user.customer;
    ctx.user = { ...ctx.user, customer, locale, t: translator(locale) };
    await ctx.answerCallbackQuery();
    await showMenu(ctx, ctx.user.t('telegram.language.changed'));
  });
}
