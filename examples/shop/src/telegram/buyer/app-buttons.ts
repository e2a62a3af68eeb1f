import { InlineKeyboard, type Composer } from 'grammy';
import { appButtonsOf } from '../../app/subscriptions/app-buttons.js';
import type { BotContext, BotDeps } from '../context.js';

/** The callback that asks for the app buttons (the buyer's link is one for all their subscriptions). */
export const APP_BUTTONS_CALLBACK = 'ap';

/** Buttons per row: two fit an app's name on a phone. */
const PER_ROW = 2;

/**
 * "Add to an app": one URL button per client app with an import link, each through the shop's https hop
 * (`/s/<token>/open/<app>`), since Telegram's buttons take only http(s) and tg links. The same apps, in the same
 * order, as the link's page offers.
 */
export function appButtonHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  bot.callbackQuery(APP_BUTTONS_CALLBACK, async (ctx) => {
    const { t } = ctx.user;
    await ctx.answerCallbackQuery();
    const keyboard = new InlineKeyboard();
    for (const [i, button] of (await appButtonsOf(deps.shop, ctx.user.customer.id)).entries()) {
      keyboard.url(button.app.name, button.url);
      if (i % PER_ROW === PER_ROW - 1) keyboard.row();
    }
    keyboard.row().text(t('telegram.menu.back'), 'subs');
    await ctx.reply(t('linkPage.apps.botTitle'), { reply_markup: keyboard });
  });
}
