import { InlineKeyboard, type Composer } from 'grammy';
import type { PaymentWithEmail } from '../../app/payments/records.js';
import { listPendingReceipts } from '../../app/payments/receipt-search.js';
import { ShopError } from '../../app/shop-error.js';
import { formatDateTime, formatMoney } from '../../i18n/format.js';
import { buyerLabel } from '../../app/payments/buyer-label.js';
import { reviewPayment } from '../../app/payments/review.js';
import { callbackData, callbackPattern } from '../callback-data.js';
import type { BotContext, BotDeps, BotUser } from '../context.js';
import { CAPTION_MAX, trimText } from '../message-text.js';
import { backToMenu } from '../menu.js';

/** Receipts shown per tap of "Receipts": the oldest first, as on the web queue. */
const QUEUE_SHOWN = 10;

/** The reviewer id a Telegram admin's decisions are recorded under (payments and audit). */
export function telegramReviewer(telegramUserId: string): string {
  return `telegram:${telegramUserId}`;
}

function receiptCaption(user: BotUser, p: PaymentWithEmail, buyer: string, timeZone: string): string {
  const { t, locale } = user;
  const lines = [
    t('telegram.receipts.item', { amount: formatMoney(p.amount, locale), buyer }),
    t('telegram.receipts.reference', { reference: p.reference ?? '-' }),
    t('telegram.receipts.card', { last4: p.details.cardLast4 ?? '-' }),
    t('telegram.receipts.paidAt', {
      date: p.details.paidAt === undefined ? '-' : formatDateTime(new Date(p.details.paidAt), locale, timeZone),
    }),
  ];
  return trimText(lines.join('\n'), CAPTION_MAX);
}

/** The admins' receipts queue with each photo and Approve/Reject; the web's review code decides (one admin wins, credited once). */
export function receiptHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;
  const admins = bot.filter((ctx) => ctx.user.isAdmin);

  admins.callbackQuery('rq', async (ctx) => {
    const { t } = ctx.user;
    await ctx.answerCallbackQuery();
    // Receipts only: a gateway's payment is confirmed by the gateway (or marked paid on the web).
    const reviewable = new Set(
      shop.kit.payments
        .providers()
        .filter((p) => p.capabilities.confirmations.includes('admin_approval'))
        .map((p) => p.id),
    );
    const pending = (await listPendingReceipts(shop, QUEUE_SHOWN)).filter((p) => reviewable.has(p.provider));
    if (pending.length === 0) return void (await ctx.reply(t('telegram.receipts.none'), { reply_markup: backToMenu(ctx.user) }));
    for (const payment of pending) {
      const buyer = buyerLabel(await shop.storage.customers.get(payment.customerId), payment.customerId);
      const caption = receiptCaption(ctx.user, payment, buyer, shop.config.timeZone);
      const reply_markup = new InlineKeyboard()
        .text(t('telegram.receipts.approve'), callbackData('ra', payment.id))
        .text(t('telegram.receipts.reject'), callbackData('rr', payment.id));
      const image = await deps.photos.get(payment.id);
      if (image?.kind === 'photo') await ctx.replyWithPhoto(image.fileId, { caption, reply_markup });
      else if (image?.kind === 'document') await ctx.replyWithDocument(image.fileId, { caption, reply_markup });
      else await ctx.reply(caption, { reply_markup });
    }
  });

  for (const [action, decision] of [
    ['ra', 'approved'],
    ['rr', 'rejected'],
  ] as const) {
    admins.callbackQuery(callbackPattern(action), async (ctx) => {
      const { t } = ctx.user;
      try {
        const result = await reviewPayment(shop, {
          paymentId: ctx.match[1] as string,
          decision,
          reviewerId: telegramReviewer(ctx.user.telegramUserId),
          note: null,
        });
        const said = decision === 'rejected' ? 'rejected' : result.credited ? 'approved' : 'approvedNotCredited';
        await ctx.answerCallbackQuery({ text: t(`telegram.receipts.${said}`) });
        await ctx.editMessageReplyMarkup({ reply_markup: new InlineKeyboard() }).catch(() => undefined);
        await ctx.reply(t(`telegram.receipts.${said}`));
      } catch (error) {
        if (!(error instanceof ShopError)) throw error;
        await ctx.answerCallbackQuery({ text: t(error.code === 'conflict' ? 'telegram.receipts.already' : 'telegram.notYours') });
      }
    });
  }

  // Anyone else tapping an admin button (or forging its data) is told nothing and nothing happens.
  bot.callbackQuery(/^(rq|ra:|rr:|sum)/, (ctx) => ctx.answerCallbackQuery({ text: ctx.user.t('telegram.notYours') }));
}
