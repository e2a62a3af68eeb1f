import { InlineKeyboard, type Composer } from 'grammy';
import { formatMoney } from '../../i18n/format.js';
import { referralUrl, subscriptionLinkUrl } from '../../config/public-addresses.js';
import { CUSTOMER_KINDS, kindTextKey } from '../../db/notification-kinds.js';
import { buyerNotificationChoices, saveBuyerNotificationChoices } from '../../app/notifications/preferences.js';
import { rotateSubscriptionLink, subscriptionLinkVersionOf } from '../../app/subscriptions/rotate-link.js';
import { callbackData } from '../callback-data.js';
import type { BotContext, BotDeps, BotUser } from '../context.js';
import { backToMenu } from '../menu.js';

/**
 * The buyer's account pages in the bot, as on the web and in the JSON API: the referral program with the
 * buyer's links and earnings (`kit.referralProgram`, `kit.referralStats`), the notification kinds they
 * get (`saveBuyerNotificationChoices`), and a new subscription link, asked first (`rotateSubscriptionLink` from the
 * version the buyer confirmed).
 */
export function accountHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;

  bot.callbackQuery('ref', async (ctx) => {
    const { t, locale, customer } = ctx.user;
    await ctx.answerCallbackQuery();
    const [program, stats] = await Promise.all([shop.kit.referralProgram(), shop.kit.referralStats(customer.id)]);
    if (program === null || !program.enabled) return void (await ctx.reply(t('referrals.off'), { reply_markup: backToMenu(ctx.user) }));
    const { reward } = program;
    const rewardText =
      reward.type === 'fixed'
        ? t('referrals.rewardFixed', { amount: formatMoney(reward.amount, locale) })
        : reward.maxAmount === null
          ? t('referrals.rewardShare', { percent: reward.percent })
          : `${t('referrals.rewardShare', { percent: reward.percent })} ${t('referrals.rewardCap', { amount: formatMoney(reward.maxAmount, locale) })}`;
    const lines = [
      t('referrals.title'),
      '',
      t('referrals.intro'),
      '',
      `${t('referrals.telegramLink')}:`,
      `https://t.me/${ctx.me.username}?start=ref_${customer.id}`,
    ];
    if (shop.config.publicUrl !== null) lines.push(`${t('referrals.link')}:`, referralUrl(shop.config, customer.id));
    lines.push(
      '',
      `${t('referrals.reward')}: ${rewardText}`,
      `${t('referrals.referred')}: ${stats.referred}`,
      `${t('referrals.rewarded')}: ${stats.rewarded}`,
      `${t('referrals.earned')}: ${stats.earned.length === 0 ? '0' : stats.earned.map((m) => formatMoney(m, locale)).join(', ')}`,
    );
    await ctx.reply(lines.join('\n'), { reply_markup: backToMenu(ctx.user) });
  });

  const choices = async (user: BotUser) => {
    const keyboard = new InlineKeyboard();
    for (const [i, { kind, on }] of (await buyerNotificationChoices(shop, user.customer.id)).entries())
      keyboard.text(`${on ? '✅' : '❌'} ${user.t(kindTextKey(kind, 'name'))}`, `nt:${i}`).row();
    return keyboard.text(user.t('telegram.menu.back'), 'm');
  };

  bot.callbackQuery('ntf', async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.user.t('notifications.page.intro'), { reply_markup: await choices(ctx.user) });
  });

  bot.callbackQuery(/^nt:(\d{1,2})$/, async (ctx) => {
    const kind = CUSTOMER_KINDS[Number(ctx.match[1])];
    await ctx.answerCallbackQuery();
    if (kind === undefined) return;
    const now = await buyerNotificationChoices(shop, ctx.user.customer.id);
    const send = now.filter((c) => (c.kind === kind ? !c.on : c.on)).map((c) => c.kind);
    await saveBuyerNotificationChoices(shop, ctx.user.customer.id, send);
    await ctx.reply(ctx.user.t('notifications.notices.saved'), { reply_markup: await choices(ctx.user) });
  });

  // `lr` says what a new link does and asks; `lry` replaces it. The confirm button carries the version of the link it
  // asked about, so a double tap (two updates, maybe on two replicas) replaces it once and both answers show one link.
  bot.callbackQuery('lr', async (ctx) => {
    const { t, customer } = ctx.user;
    await ctx.answerCallbackQuery();
    const version = await subscriptionLinkVersionOf(shop, customer.id);
    const reply_markup = new InlineKeyboard()
      .text(t('botOwnLink.confirm'), callbackData('lry', version))
      .row()
      .text(t('telegram.menu.back'), 'subs');
    await ctx.reply(t('sublink.rotateHelp'), { reply_markup });
  });

  bot.callbackQuery(/^lry:([0-9a-f]{12})$/, async (ctx) => {
    const { t, customer } = ctx.user;
    await ctx.answerCallbackQuery();
    const token = await rotateSubscriptionLink(shop, customer.id, { type: 'customer', id: customer.id }, ctx.match[1]);
    const lines = [t('sublink.notices.rotated'), '', subscriptionLinkUrl(shop.config, token)];
    await ctx.reply(lines.join('\n'), { reply_markup: backToMenu(ctx.user) });
  });
}
