import type { InlineKeyboard } from 'grammy';
import type { Shop } from '../app/shop.js';
import { miniAppUrl } from '../config/public-addresses.js';
import { brandPlanName, brandText } from '../app/storefront-bots/brand-texts.js';
import type { BotContext, StorefrontOfUpdate } from './context.js';
import { mainMenu } from './menu.js';

/**
 * Who the buyer screens (`buyer/*`) speak for in an update: the owner's shop in the owner's bot, a reseller's
 * storefront in its own bot (`ctx.storefront`, issue 70). The screens are the same in both; only what is said here
 * differs: the shop's name, the menu, the welcome, the plan names and which payment rails are offered. Prices follow
 * the customer (`buyerCatalog`), and replies go through the bot the update came to.
 */

/** The name a storefront's buyers see: its brand's, else the storefront's own name. */
export function storefrontName(storefront: StorefrontOfUpdate): string {
  return storefront.brand?.shopName ?? storefront.view.name;
}

/** The shop's name as this update's buyer knows it. */
export function shopNameFor(shop: Shop, ctx: BotContext): string {
  return ctx.storefront === undefined ? shop.config.shopName : storefrontName(ctx.storefront);
}

/** The greeting of `/start`: the storefront's welcome in the buyer's language when it set one, else the shop's words. */
export function welcomeFor(shop: Shop, ctx: BotContext): string {
  const own = ctx.storefront === undefined ? null : brandText(ctx.storefront.brand?.welcome, ctx.user.locale);
  return own ?? ctx.user.t('telegram.start.welcome', { shop: shopNameFor(shop, ctx) });
}

/** A plan's name as this update's buyer sees it: the storefront's own name for it (`brandPlanName`), else `name`. */
export function planNameFor(ctx: BotContext, planId: string, name: string): string {
  return brandPlanName(ctx.storefront?.brand?.planNames, planId, ctx.user.locale, name);
}

/** The menu under this update's messages: the storefront's in its bot, the owner's shop's (with its Mini App) otherwise. */
export function menuFor(shop: Shop, ctx: BotContext): InlineKeyboard {
  return ctx.storefront === undefined ? mainMenu(ctx.user, miniAppUrl(shop.config)) : mainMenu(ctx.user, null, ctx.storefront);
}

/**
 * Whether Telegram Stars may be offered. Not in a storefront's bot: Stars paid through a bot are credited by Telegram
 * to that bot's owner, here the reseller who made it with @BotFather, never to the shop's rails, so the shop could
 * not collect them (nor refund them) and the buyer's wallet must not be credited for them. A storefront's buyers top
 * up on the owner's gateway and crypto rails and by card-to-card receipt instead.
 */
export function offersStars(ctx: BotContext): boolean {
  return ctx.storefront === undefined;
}
