import { InlineKeyboard, type Composer } from 'grammy';
import { findOwnedSubscription } from '../../app/subscriptions/owned.js';
import { ownLinkVersionOf, rotateOwnLink } from '../../app/subscriptions/own-link.js';
import { callbackData } from '../callback-data.js';
import type { BotContext, BotDeps } from '../context.js';

const ID = '([A-Za-z0-9_-]{1,40})';

/** The button under a subscription's own link that asks to replace it (`kor`). */
export function rotateOwnLinkButton(keyboard: InlineKeyboard, ctx: BotContext, subscriptionId: string): InlineKeyboard {
  return keyboard.text(ctx.user.t('ownSubscriptions.link.rotate'), callbackData('kor', subscriptionId)).row();
}

/** A link version in a button (`kit.links.subscriptionLinkVersion`). */
const VERSION = '([0-9a-f]{12})';

/**
 * Replacing a subscription's own link in the bot, through the web's and the API's use case (`rotateOwnLink`): `kor`
 * says what a new link does and asks, `koy` replaces it (the old one refused at once) and shows the new one. The
 * confirm button carries the version of the link it was asked about, so a double tap (two updates, maybe on two
 * replicas) replaces it once and both answers show the one new link. Another buyer's (or a gone) subscription is
 * answered and changes nothing.
 */
export function rotateOwnLinkHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;

  bot.callbackQuery(new RegExp(`^kor:${ID}$`), async (ctx) => {
    const { t } = ctx.user;
    const sub = await findOwnedSubscription(shop, ctx.user, ctx.match[1]);
    if (sub === null) return void (await ctx.answerCallbackQuery({ text: t('telegram.notYours') }));
    await ctx.answerCallbackQuery();
    const version = await ownLinkVersionOf(shop, ctx.user.customer.id, sub.id);
    const reply_markup = new InlineKeyboard()
      .text(t('botOwnLink.confirm'), callbackData('koy', sub.id, version))
      .row()
      .text(t('telegram.menu.back'), callbackData('ko', sub.id));
    await ctx.reply(t('ownSubscriptions.link.rotateHelp'), { reply_markup });
  });

  bot.callbackQuery(new RegExp(`^koy:${ID}:${VERSION}$`), async (ctx) => {
    const { t } = ctx.user;
    const sub = await findOwnedSubscription(shop, ctx.user, ctx.match[1]);
    if (sub === null) return void (await ctx.answerCallbackQuery({ text: t('telegram.notYours') }));
    await ctx.answerCallbackQuery();
    const link = await rotateOwnLink(shop, ctx.user.customer.id, sub.id, ctx.match[2]);
    const reply_markup = new InlineKeyboard().text(t('telegram.menu.back'), callbackData('s', sub.id));
    await ctx.reply(`${t('ownSubscriptions.notices.link_rotated')}\n${link}`, { reply_markup });
  });
}
