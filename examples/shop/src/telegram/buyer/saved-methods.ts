import { InlineKeyboard, type Composer } from 'grammy';
import { allowOwnSavedMethodForRenewal, removeOwnSavedMethod, savedMethodsOf } from '../../app/payments/saved-methods.js';
import { ShopError } from '../../app/shop-error.js';
import type { BotContext, BotDeps } from '../context.js';

/**
 * The buyer's saved payment methods in the bot (`pm` from the wallet): each with its renewal switch
 * (`pma:<id>:y|n`) and a remove button (`pmr:<id>`), through the same use cases as the web and the API.
 */
export function savedMethodHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;

  async function show(ctx: BotContext, notice: string | null): Promise<void> {
    const { t, customer } = ctx.user;
    const methods = await savedMethodsOf(shop, customer.id);
    const lines = [...(notice === null ? [] : [notice, '']), t('wallet.methods.title')];
    const keyboard = new InlineKeyboard();
    if (methods.length === 0) lines.push(t('wallet.methods.none'));
    for (const m of methods) {
      lines.push(
        `• ${m.label} (${t(`wallet.providers.${m.providerId}`)}): ${m.allowRenewal ? t('wallet.methods.renewalOn') : t('wallet.methods.renewalOff')}`,
      );
      keyboard
        .text(
          `${m.allowRenewal ? t('wallet.methods.disallow') : t('wallet.methods.allow')} · ${m.label}`,
          `pma:${m.id}:${m.allowRenewal ? 'n' : 'y'}`,
        )
        .row()
        .text(`${t('wallet.methods.remove')} · ${m.label}`, `pmr:${m.id}`)
        .row();
    }
    keyboard.text(t('telegram.menu.back'), 'w');
    await ctx.reply(lines.join('\n'), { reply_markup: keyboard });
  }

  async function changed(ctx: BotContext, change: () => Promise<unknown>, noticeKey: string): Promise<void> {
    try {
      await change();
    } catch (error) {
      if (!(error instanceof ShopError) || error.code !== 'not_found') throw error;
      await ctx.answerCallbackQuery({ text: ctx.user.t('telegram.notYours') });
      return;
    }
    await ctx.answerCallbackQuery();
    await show(ctx, ctx.user.t(noticeKey));
  }

  bot.callbackQuery('pm', async (ctx) => {
    await ctx.answerCallbackQuery();
    await show(ctx, null);
  });
  bot.callbackQuery(/^pma:([A-Za-z0-9_-]{1,50}):([yn])$/, (ctx) =>
    changed(
      ctx,
      () => allowOwnSavedMethodForRenewal(shop, ctx.user.customer.id, ctx.match[1] as string, ctx.match[2] === 'y'),
      'wallet.notices.method_updated',
    ),
  );
  bot.callbackQuery(/^pmr:([A-Za-z0-9_-]{1,50})$/, (ctx) =>
    changed(ctx, () => removeOwnSavedMethod(shop, ctx.user.customer.id, ctx.match[1] as string), 'wallet.notices.method_removed'),
  );
}
