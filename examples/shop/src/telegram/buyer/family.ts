import type { Subscription } from '@panelkit/sdk';
import { InlineKeyboard, type Composer } from 'grammy';
import { formatDate } from '../../i18n/format.js';
import { memberName } from '../../i18n/member-text.js';
import { acceptInviteFor } from '../../app/subscriptions/accept-invite.js';
import { inviteMemberFor } from '../../app/subscriptions/invite-member.js';
import { membersOf } from '../../app/subscriptions/list-members.js';
import { removeMemberFor } from '../../app/subscriptions/remove-member.js';
import { findOwnedSubscription } from '../../app/subscriptions/owned.js';
import { callbackData } from '../callback-data.js';
import { trimText } from '../message-text.js';
import type { BotContext, BotDeps } from '../context.js';

/** `/start fam_<invite token>`: the deep link a payer sends to invite someone into their family plan. */
export const FAMILY_START = /^fam_([A-Za-z0-9_-]{32})$/;

const ID = '([A-Za-z0-9_-]{1,40})';

/** Whether `sub` is the payer's group of a family plan (not a member's seat): only the payer sees its members. */
export async function isFamilyGroup(deps: BotDeps, sub: Subscription): Promise<boolean> {
  const plan = await deps.shop.storage.plans.get(sub.planId);
  if (plan === null || plan.sharing === null) return false;
  return (await deps.shop.kit.sharing.membership(sub.id)) === null;
}

/** Takes the seat an invite link offers (the bot's `/start fam_<token>`); a refusal is said by the bot's error reply. */
export async function acceptFamilyInvite(deps: BotDeps, ctx: BotContext, token: string): Promise<void> {
  const { t } = ctx.user;
  await acceptInviteFor(deps.shop, ctx.user.customer.id, token);
  const reply_markup = new InlineKeyboard().text(t('telegram.menu.subscriptions'), 'subs').text(t('telegram.menu.back'), 'm');
  await ctx.reply(t('buyerBot.family.joined'), { reply_markup });
}

/**
 * Family plans in the bot, on the API's use cases: the payer's members (`kf`), an invite as a `t.me` deep link
 * (`kfi`), removing a member after a confirmation (`kfr` asks, `kfy` removes: their link stops at once). A member
 * sees only their own subscription and link; another buyer's group or member changes nothing.
 */
export function familyHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;

  const ownGroup = async (ctx: BotContext, id: unknown) => {
    const sub = await findOwnedSubscription(shop, ctx.user, id);
    return sub !== null && (await isFamilyGroup(deps, sub)) ? sub : null;
  };

  bot.callbackQuery(new RegExp(`^kf:${ID}$`), async (ctx) => {
    const { t, locale } = ctx.user;
    const group = await ownGroup(ctx, ctx.match[1]);
    if (group === null) return void (await ctx.answerCallbackQuery({ text: t('telegram.notYours') }));
    await ctx.answerCallbackQuery();
    const members = await membersOf(shop, ctx.user.customer.id, group.id);
    const plan = await shop.storage.plans.get(group.planId);
    const lines = [t('buyerBot.family.title', { count: members.length, max: plan?.sharing?.maxMembers ?? 0 })];
    const keyboard = new InlineKeyboard();
    members.forEach((m, i) => {
      const name = memberName(m, i, t, locale);
      lines.push(t('familyNames.bot', { name, date: formatDate(m.joinedAt, locale, shop.config.timeZone) }));
      keyboard.text(trimText(t('familyNames.remove', { name }), 60), callbackData('kfr', m.subscriptionId)).row();
    });
    keyboard.text(t('buyerBot.family.invite'), callbackData('kfi', group.id)).row();
    await ctx.reply(lines.join('\n'), { reply_markup: keyboard.text(t('telegram.menu.back'), callbackData('s', group.id)) });
  });

  bot.callbackQuery(new RegExp(`^kfi:${ID}$`), async (ctx) => {
    const { t, locale } = ctx.user;
    const group = await ownGroup(ctx, ctx.match[1]);
    if (group === null) return void (await ctx.answerCallbackQuery({ text: t('telegram.notYours') }));
    await ctx.answerCallbackQuery();
    const invite = await inviteMemberFor(shop, ctx.user.customer.id, group.id);
    const link = `https://t.me/${ctx.me.username}?start=fam_${invite.token}`;
    const expires = formatDate(invite.expiresAt, locale, shop.config.timeZone);
    const reply_markup = new InlineKeyboard().text(t('telegram.menu.back'), callbackData('kf', group.id));
    await ctx.reply(`${t('buyerBot.family.inviteLink', { date: expires })}\n${link}`, { reply_markup });
  });

  /** The member's seat and the payer's group it sits in, when the group is this buyer's; else `null`. */
  const seatOf = async (ctx: BotContext, memberSubscriptionId: string) => {
    const membership = await shop.kit.sharing.membership(memberSubscriptionId).catch(() => null);
    if (membership === null || membership.removedAt !== null) return null;
    const group = await ownGroup(ctx, membership.groupId);
    return group === null ? null : { group, membership };
  };

  bot.callbackQuery(new RegExp(`^kfr:${ID}$`), async (ctx) => {
    const { t, locale } = ctx.user;
    const seat = await seatOf(ctx, ctx.match[1] as string);
    if (seat === null) return void (await ctx.answerCallbackQuery({ text: t('telegram.notYours') }));
    await ctx.answerCallbackQuery();
    const members = await membersOf(shop, ctx.user.customer.id, seat.group.id);
    const index = members.findIndex((m) => m.subscriptionId === seat.membership.subscriptionId);
    const who = index < 0 ? [] : [t('familyNames.removing', { name: memberName(members[index]!, index, t, locale) })];
    const keyboard = new InlineKeyboard()
      .text(t('buyerBot.family.removeConfirm'), callbackData('kfy', seat.membership.subscriptionId))
      .row()
      .text(t('telegram.menu.back'), callbackData('kf', seat.group.id));
    await ctx.reply([...who, t('buyerBot.family.removeAsk')].join('\n'), { reply_markup: keyboard });
  });

  bot.callbackQuery(new RegExp(`^kfy:${ID}$`), async (ctx) => {
    const { t } = ctx.user;
    const seat = await seatOf(ctx, ctx.match[1] as string);
    if (seat === null) return void (await ctx.answerCallbackQuery({ text: t('telegram.notYours') }));
    await ctx.answerCallbackQuery();
    await removeMemberFor(shop, ctx.user.customer.id, seat.group.id, seat.membership.subscriptionId);
    const reply_markup = new InlineKeyboard().text(t('telegram.menu.back'), callbackData('kf', seat.group.id));
    await ctx.reply(t('buyerBot.family.removed'), { reply_markup });
  });
}
