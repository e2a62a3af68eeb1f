import { InlineKeyboard, type Composer } from 'grammy';
import { storefrontName } from '../face.js';
import type { StorefrontContext } from './context.js';

/**
 * A suspended storefront's bot answers every update with one short notice and does nothing else: it sells nothing,
 * and its buyers' subscriptions and links keep working (the links are the shop's web addresses).
 */
export function suspendedGate(bot: Composer<StorefrontContext>): void {
  bot.use(async (ctx, next) => {
    if (ctx.storefront.view.status === 'active') return next();
    if (ctx.callbackQuery !== undefined) await ctx.answerCallbackQuery();
    await ctx.reply(ctx.user.t('storefrontBot.suspended', { shop: storefrontName(ctx.storefront) }));
  });
}

/**
 * The buttons of the owner's shop that a storefront's bot does not have, answered as a stale button: the referral
 * program and gifts (the owner's), and Telegram Stars (paid to whoever made the bot, the reseller: see `offersStars`).
 */
export function ownerOnlyButtons(bot: Composer<StorefrontContext>): void {
  bot.callbackQuery(['ref', 'gft', /^xs:/], (ctx) => ctx.answerCallbackQuery({ text: ctx.user.t('telegram.notYours') }));
}

/** Support in a storefront's bot: the contact its reseller gave (the owner's tickets are the owner's buyers'). */
export function storefrontSupport(bot: Composer<StorefrontContext>): void {
  bot.callbackQuery('sup', async (ctx) => {
    await ctx.answerCallbackQuery();
    const shop = storefrontName(ctx.storefront);
    const contact = ctx.storefront.brand?.support ?? null;
    const text =
      contact === null ? ctx.user.t('storefrontBot.noSupport', { shop }) : ctx.user.t('storefrontBot.support', { shop, contact });
    await ctx.reply(text, { reply_markup: new InlineKeyboard().text(ctx.user.t('telegram.menu.back'), 'm') });
  });
}
