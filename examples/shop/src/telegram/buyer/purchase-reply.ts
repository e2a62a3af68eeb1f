import { InlineKeyboard } from 'grammy';
import type { Purchase } from '../../app/selling/buy-plans.js';
import type { BotUser } from '../context.js';
import { refusalText } from '../refusal-text.js';

/**
 * The bot's answer to a purchase: ordered (or already ordered, for a tap sent again) with the way to the
 * subscriptions, or the refusal in the buyer's words with a top-up button when funds are short.
 */
export async function replyToPurchase(
  user: BotUser,
  bought: Purchase,
  timeZone: string,
  reply: (text: string, keyboard: InlineKeyboard) => Promise<unknown>,
): Promise<void> {
  const { t } = user;
  if (bought.ok) {
    const text = t(bought.result.replayed ? 'telegram.catalog.alreadyOrdered' : 'telegram.catalog.ordered');
    await reply(text, new InlineKeyboard().text(t('telegram.menu.subscriptions'), 'subs').text(t('telegram.menu.back'), 'm'));
    return;
  }
  const keyboard = new InlineKeyboard();
  if (bought.refusal.reason === 'insufficient_funds') keyboard.text(t('telegram.menu.topUp'), 'tu');
  await reply(refusalText(user, bought.refusal, timeZone), keyboard.text(t('telegram.menu.back'), 'm'));
}
