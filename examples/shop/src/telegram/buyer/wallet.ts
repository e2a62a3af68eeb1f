import { InlineKeyboard, type Composer } from 'grammy';
import type { Message } from 'grammy/types';
import { paymentsOf } from '../../app/payments/records.js';
import { formatDateTime, formatMoney } from '../../i18n/format.js';
import { payoutCard } from '../../app/payments/payout-card.js';
import { enabledProvider, paymentStatusKey } from '../../app/payments/registry.js';
import { submitTopUp } from '../../app/payments/topup.js';
import { instantToZoned } from '../../app/input/zoned-time.js';
import type { BotContext, BotDeps } from '../context.js';
import { splitMessage } from '../message-text.js';
import type { ReceiptImage } from '../../db/telegram-receipt-photos.js';
import { backToMenu } from '../menu.js';
import { cryptoAmounts, cryptoButtons } from './crypto-top-up.js';
import { starsButtons, starsOffers } from './stars-top-up.js';
import { railButtons, railOffers } from './gateway-top-up.js';
import { paymentNoteText } from '../../app/payments/payment-notes.js';
import { offersStars } from '../face.js';

const HISTORY = 15;
const PAYMENTS = 5;

/** The top-up form's key for a receipt message: the same message handled twice records one payment. */
export function receiptKey(chatId: string, messageId: number): string {
  return `telegram-receipt-${chatId}-${messageId}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** "12.50 AB123456 1234": the amount, the bank's reference and the last 4 digits of the paying card, separated by spaces. */
function receiptFields(caption: string): { amount: string; reference: string; cardLast4: string } | null {
  const words = caption.trim().split(/\s+/);
  if (words.length !== 3) return null;
  const [amount, reference, cardLast4] = words as [string, string, string];
  return { amount, reference, cardLast4 };
}

/** The balance with recent history, card-to-card instructions, and a receipt photo into the admins' queue. */
export function walletHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;

  bot.callbackQuery('w', async (ctx) => {
    const { t, locale, customer } = ctx.user;
    await ctx.answerCallbackQuery();
    const zone = shop.config.timeZone;
    const [balance, ledger, payments] = await Promise.all([
      shop.storage.ledger.balance(customer.id, shop.config.currency),
      shop.storage.ledger.list(customer.id, { limit: HISTORY }),
      paymentsOf(shop).listByCustomer(customer.id, { limit: PAYMENTS }),
    ]);
    const lines = [
      t('telegram.wallet.balance', { balance: formatMoney({ amount: balance, currency: shop.config.currency }, locale) }),
      '',
      t('wallet.ledger.title'),
    ];
    if (ledger.items.length === 0) lines.push(t('wallet.ledger.empty'));
    for (const e of ledger.items) {
      lines.push(
        `${formatDateTime(e.createdAt, locale, zone)} · ${t(`wallet.kinds.${e.kind}`)} · ${formatMoney({ amount: e.amount, currency: e.currency }, locale)}`,
      );
    }
    if (payments.items.length > 0) {
      lines.push('', t('wallet.payments.title'));
      for (const p of payments.items) {
        const noteText = paymentNoteText(p, t);
        const note = noteText === null ? '' : ` (${noteText})`;
        lines.push(`${formatDateTime(p.createdAt, locale, zone)} · ${formatMoney(p.amount, locale)} · ${t(paymentStatusKey(p))}${note}`);
      }
    }
    const parts = splitMessage(lines.join('\n'));
    const keyboard = new InlineKeyboard()
      .text(t('telegram.menu.topUp'), 'tu')
      .text(t('wallet.methods.title'), 'pm')
      .text(t('telegram.menu.back'), 'm');
    for (const [i, part] of parts.entries()) await ctx.reply(part, i === parts.length - 1 ? { reply_markup: keyboard } : {});
  });

  bot.callbackQuery('tu', async (ctx) => {
    const { t } = ctx.user;
    await ctx.answerCallbackQuery();
    // Card-to-card is on exactly when there is a payout card (see the card provider).
    const card = await payoutCard(shop);
    const [amounts, stars, rails] = await Promise.all([cryptoAmounts(shop), offersStars(ctx) ? starsOffers(shop) : [], railOffers(shop)]);
    if (card === null && amounts.length === 0 && stars.length === 0 && rails.length === 0)
      return void (await ctx.reply(t('wallet.noProviders'), { reply_markup: backToMenu(ctx.user) }));
    const parts: string[] = [];
    if (card !== null)
      parts.push(t('telegram.topUp.instructions', { card: card.cardNumber, holder: card.holder, currency: shop.config.currency }));
    if (amounts.length > 0) parts.push(t('telegram.crypto.offer'));
    if (stars.length > 0) parts.push(t('payRails.stars.offer'));
    for (const { rail } of rails) parts.push(t(`payRails.rails.${rail}.offer`));
    let keyboard = cryptoButtons(new InlineKeyboard(), ctx.user, shop, amounts);
    keyboard = railButtons(starsButtons(keyboard, ctx.user, shop, stars), ctx.user, shop, rails);
    keyboard.text(t('telegram.menu.back'), 'm');
    await ctx.reply(parts.join('\n\n'), { reply_markup: keyboard });
  });

  // A receipt is a photo, or an image sent as a file (uncompressed, as some phones send screenshots).
  bot.on(['message:photo', 'message:document'], async (ctx) => {
    const { t, customer } = ctx.user;
    const image = receiptImageOf(ctx.message);
    if (image === null) return void (await ctx.reply(t('telegram.topUp.captionHelp')));
    if ((await enabledProvider(shop, 'card')) === null)
      return void (await ctx.reply(t('wallet.noProviders'), { reply_markup: backToMenu(ctx.user) }));
    const fields = receiptFields(ctx.message.caption ?? '');
    if (fields === null) return void (await ctx.reply(t('telegram.topUp.captionHelp')));
    const body = {
      ...fields,
      paidAt: instantToZoned(new Date(ctx.message.date * 1000), shop.config.timeZone),
      idempotencyKey: receiptKey(ctx.user.chatId, ctx.message.message_id),
    };
    const result = await submitTopUp(shop, customer.id, 'card', body, t);
    if (!result.ok) return void (await ctx.reply([t('telegram.topUp.refused'), ...Object.values(result.fields)].join('\n')));
    await deps.photos.save(result.payment.id, image);
    await ctx.reply(t(result.notice === 'credited' ? 'wallet.notices.credited' : 'wallet.notices.pending'), {
      reply_markup: backToMenu(ctx.user),
    });
  });
}

/** The receipt's picture in a message: its largest photo, or a file whose type is an image; `null` for anything else. */
export function receiptImageOf(message: Message): ReceiptImage | null {
  const largest = message.photo?.at(-1);
  if (largest !== undefined) return { fileId: largest.file_id, kind: 'photo' };
  const document = message.document;
  if (document?.mime_type?.startsWith('image/') === true) return { fileId: document.file_id, kind: 'document' };
  return null;
}
