import type { Subscription } from '@panelkit/sdk';
import type { InlineKeyboard } from 'grammy';
import { callbackData } from '../callback-data.js';
import type { BotDeps, BotUser } from '../context.js';
import { isFamilyGroup } from './family.js';

/**
 * The subscription screen's buttons of issue 71: rename, its own link, move to another location, and for the payer
 * of a family plan its members. A member's seat gets no members button: a member sees only their own link.
 */
export async function addSubscriptionButtons(deps: BotDeps, user: BotUser, sub: Subscription, keyboard: InlineKeyboard): Promise<void> {
  const { t } = user;
  keyboard.row().text(t('buyerBot.name.button'), callbackData('kn', sub.id)).text(t('buyerBot.ownLinkButton'), callbackData('ko', sub.id));
  keyboard.row().text(t('buyerBot.location.move'), callbackData('km', sub.id));
  if (await isFamilyGroup(deps, sub)) keyboard.text(t('buyerBot.family.button'), callbackData('kf', sub.id));
}
