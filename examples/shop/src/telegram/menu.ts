import { InlineKeyboard } from 'grammy';
import type { BotUser } from './context.js';

/**
 * The buttons under every menu message: the shop as a Mini App first (when `miniAppUrl`, see `miniAppUrl` in
 * `config/public-addresses.ts`), the buyer's actions, and the admins' below them. In a storefront's bot (`storefront`)
 * no referral, gift or staff button (those are the owner's shop's), and for its reseller the back office.
 */
export function mainMenu(user: BotUser, miniAppUrl: string | null, storefront?: { byReseller: boolean }): InlineKeyboard {
  const { t } = user;
  const keyboard = new InlineKeyboard();
  if (miniAppUrl !== null) keyboard.webApp(t('miniapp.open'), miniAppUrl).row();
  keyboard
    .text(t('telegram.menu.catalog'), 'cat')
    .text(t('telegram.menu.subscriptions'), 'subs')
    .row()
    .text(t('telegram.menu.wallet'), 'w')
    .text(t('telegram.menu.topUp'), 'tu')
    .row();
  if (storefront === undefined) keyboard.text(t('telegram.menu.referrals'), 'ref').text(t('telegram.menu.gifts'), 'gft').row();
  keyboard
    .text(t('telegram.menu.notifications'), 'ntf')
    .text(t('telegram.menu.language'), 'lang')
    .row()
    .text(t('telegram.menu.support'), 'sup');
  if (storefront?.byReseller === true) keyboard.row().text(t('storefrontOffice.menu'), 'sfo');
  if (user.isAdmin && storefront === undefined)
    keyboard
      .row()
      .text(t('telegram.menu.receipts'), 'rq')
      .text(t('support.admin.menu'), 'tsq')
      .text(t('telegram.menu.summary'), 'sum')
      .row()
      .text(t('telegram.menu.findCustomer'), 'af')
      .text(t('linkNoticeBot.menu'), 'aln');
  return keyboard;
}

/** A single "back to the menu" button. */
export function backToMenu(user: BotUser): InlineKeyboard {
  return new InlineKeyboard().text(user.t('telegram.menu.back'), 'm');
}
