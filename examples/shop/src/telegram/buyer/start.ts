import { InlineKeyboard, type Composer } from 'grammy';
import { isLocale, translator } from '../../i18n/translate.js';
import { LOCALES, localeInfo } from '../../i18n/locales.js';
import { recordSignUpReferral } from '../../app/selling/sign-up-referral.js';
import { customerOfTelegramUser, linkByToken } from '../../app/auth/telegram-buyers.js';
import { setCustomerLanguage } from '../../app/customers/language.js';
import type { BotContext, BotDeps } from '../context.js';
import { menuFor, shopNameFor, welcomeFor } from '../face.js';
import { CAMPAIGN_START_PREFIX } from '../../config/public-addresses.js';
import { joinCampaign } from '../../app/growth/campaigns.js';
import { GIFT_START, offerGiftClaim } from './gifts.js';
import { acceptFamilyInvite, FAMILY_START } from './family.js';

const LINK_TOKEN = /^[A-Za-z0-9_-]{32}$/;
/** `/start ref_<customer id>`: a referral link shared from the web's referral page. */
const REFERRAL_START = /^ref_([A-Za-z0-9_-]{1,100})$/;
/**
 * A referral is taken only at sign-up: in Telegram, by a customer the bot made for this user moments ago
 * (its first contact). The engine refuses the customer's own link and anyone who has ordered.
 */
const SIGN_UP_WINDOW_MS = 10 * 60_000;

/** Every language the shop speaks, each named in itself, two to a row (`lang:<code>`). */
function languageKeyboard(): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  LOCALES.forEach((locale, i) => {
    if (i > 0 && i % 2 === 0) keyboard.row();
    keyboard.text(localeInfo(locale).name, `lang:${locale}`);
  });
  return keyboard;
}

/** The menu message under the name of the shop this bot speaks for (`face.ts`), after an optional greeting. */
export async function showMenuOf(deps: BotDeps, ctx: BotContext, greeting?: string): Promise<void> {
  const { shop } = deps;
  const { t } = ctx.user;
  const text = [greeting, t('telegram.menu.title', { shop: shopNameFor(shop, ctx) })].filter(Boolean).join('\n\n');
  await ctx.reply(text, { reply_markup: menuFor(shop, ctx) });
}

/**
 * `/start <payload>`: a campaign (`campaign_<slug>`, joined at first contact only), a referral (`ref_<customer id>`,
 * taken at sign-up only), a gift's claim (`gift_<code>`), a web account's link token, or nothing. Also resumed by the
 * required channel's "done" button with the payload the user first came with.
 */
export async function startWith(deps: BotDeps, ctx: BotContext, token: string): Promise<void> {
  const { shop, links } = deps;
  const { t } = ctx.user;
  // Campaigns, referrals, gifts and web account links are the owner's shop's: a storefront's bot only welcomes.
  if (ctx.storefront !== undefined) return showMenuOf(deps, ctx, welcomeFor(shop, ctx));
  if (token.startsWith(CAMPAIGN_START_PREFIX)) {
    // A campaign's link at the user's first contact; an unknown campaign or an existing buyer just gets the menu.
    await joinCampaign(shop, ctx.user.customer.id, token.slice(CAMPAIGN_START_PREFIX.length));
    return showMenuOf(deps, ctx, t('telegram.start.welcome', { shop: shop.config.shopName }));
  }
  const referral = REFERRAL_START.exec(token);
  if (referral !== null) {
    const customer = ctx.user.customer;
    if (shop.clock.now().getTime() - customer.createdAt.getTime() <= SIGN_UP_WINDOW_MS)
      await recordSignUpReferral(shop, referral[1], customer.id);
    return showMenuOf(deps, ctx, t('telegram.start.welcome', { shop: shop.config.shopName }));
  }
  const gift = GIFT_START.exec(token);
  if (gift !== null) return offerGiftClaim(deps, ctx, gift[1]!);
  const invite = FAMILY_START.exec(token);
  if (invite !== null) return acceptFamilyInvite(deps, ctx, invite[1]!);
  if (!LINK_TOKEN.test(token)) return showMenuOf(deps, ctx, t('telegram.start.welcome', { shop: shop.config.shopName }));
  const current = { telegramUserId: ctx.user.telegramUserId, chatId: ctx.user.chatId, customerId: ctx.user.customer.id };
  const outcome = await linkByToken(shop, links, current, token);
  if (outcome === 'linked' && ctx.from !== undefined) {
    // From now on this user acts as the web account's customer, in its language.
    const { customer } = await customerOfTelegramUser(shop, links, ctx.from, ctx.user.chatId);
    const locale = isLocale(customer.locale) ? customer.locale : ctx.user.locale;
    ctx.user = { ...ctx.user, customer, locale, t: translator(locale) };
  }
  await showMenuOf(deps, ctx, ctx.user.t(`telegram.start.link.${outcome}`));
}

/** `/start` (with or without a deep link from the web), the menu and language (support: `buyer/support.ts`). */
export function startHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;

  const showMenu = (ctx: BotContext, greeting?: string) => showMenuOf(deps, ctx, greeting);

  bot.command('start', (ctx) => startWith(deps, ctx, typeof ctx.match === 'string' ? ctx.match.trim() : ''));

  bot.command('menu', (ctx) => showMenu(ctx));
  bot.callbackQuery('m', async (ctx) => {
    await ctx.answerCallbackQuery();
    await showMenu(ctx);
  });

  bot.callbackQuery('lang', async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.user.t('telegram.language.choose'), {
      reply_markup: languageKeyboard(),
    });
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
