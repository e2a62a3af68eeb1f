import type { Subscription } from '@panelkit/sdk';
import { type CallbackQueryContext, InlineKeyboard } from 'grammy';
import { formatDateTime, formatMoney, formatNumber } from '../../i18n/format.js';
import { kindName } from '../../i18n/kind-text.js';
import { callbackData } from '../callback-data.js';
import type { BotContext, BotDeps } from '../context.js';

/**
 * The bot's extension quote for a part of a bundle of kinds: the bundle's total, each part's share, and that paying
 * extends every part; its confirm buttons (`xc`, `xk`) run the same use case as any extension (`extendFor`), which
 * extends the whole bundle. No discount code is offered for a bundle.
 */
export async function replyBundleQuote(deps: BotDeps, ctx: CallbackQueryContext<BotContext>, sub: Subscription): Promise<void> {
  const { shop } = deps;
  const { t, locale } = ctx.user;
  const back = new InlineKeyboard().text(t('telegram.menu.back'), callbackData('s', sub.id));
  const quote = await shop.kit.quoteBundleExtension(sub.id);
  if (!quote.allowed) {
    const opensAt = quote.refused.details.opensAt;
    const text = t(
      `extension.reasons.${quote.refused.reason}`,
      opensAt === undefined ? {} : { opensAt: formatDateTime(opensAt, locale, shop.config.timeZone) },
    );
    return void (await ctx.reply(text, { reply_markup: back }));
  }
  const total = formatMoney(quote.total, locale);
  const balance = await shop.storage.ledger.balance(sub.customerId, quote.total.currency);
  const lines = [t('kinds.extension.botQuote', { price: total, count: quote.parts.length })];
  for (const { subscription: part, quote: q } of quote.parts) {
    if (!q.allowed) continue;
    lines.push(
      t('kinds.extension.botPart', {
        kind: kindName(part.kind, t),
        price: formatMoney(q.quote.price, locale),
        date: formatDateTime(q.quote.newExpiresAt, locale, shop.config.timeZone),
      }),
    );
  }
  lines.push(t('telegram.wallet.balance', { balance: formatMoney({ amount: balance, currency: quote.total.currency }, locale) }));
  if (quote.linkChanges) lines.push(t('kinds.extension.linkChanges'));
  const keyboard = new InlineKeyboard().text(t('telegram.extension.confirm', { price: total }), callbackData('xc', sub.id)).row();
  const held = quote.parts.find((part) => part.quote.extraDevices !== null);
  const kept = held?.quote.extraDevices;
  if (held !== undefined && kept !== null && kept !== undefined) {
    const limit = formatNumber((held.subscription.deviceLimit ?? kept.devices) - kept.devices, locale);
    lines.push(t('devicePacks.keepNote', { limit }));
    const label = t('devicePacks.keep', { devices: formatNumber(kept.devices, locale), price: formatMoney(kept.price, locale) });
    keyboard.text(label, callbackData('xk', sub.id)).row();
  }
  keyboard.text(t('telegram.menu.back'), callbackData('s', sub.id));
  await ctx.reply(lines.join('\n'), { reply_markup: keyboard });
}
