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
import { askAdmin, type TextContext } from './prompts.js';
import { assertStaffMay, botStaffOf } from './staff.js';

/** Receipts shown per tap of "Receipts": the oldest first, as on the web queue. */
const QUEUE_SHOWN = 10;

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

  /** The queue: each waiting receipt with its photo and Approve/Reject (the menu's button and `/receipts`). */
  const showQueue = async (ctx: BotContext) => {
    const { t } = ctx.user;
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
  };
  admins.callbackQuery('rq', async (ctx) => {
    await ctx.answerCallbackQuery();
    await showQueue(ctx);
  });
  // Named in the staff's receipt alert, and offered in the staff's command list (`commands.ts`).
  admins.command('receipts', showQueue);

  admins.callbackQuery(callbackPattern('ra'), async (ctx) => {
    const paymentId = ctx.match[1] as string;
    await decide(ctx, deps, paymentId, 'approved', null, async (said) => {
      await ctx.answerCallbackQuery({ text: ctx.user.t(said) });
      await ctx.editMessageReplyMarkup({ reply_markup: new InlineKeyboard() }).catch(() => undefined);
    });
  });

  // Rejecting asks why first (the buyer reads it); a receipt decided meanwhile is said so at once.
  admins.callbackQuery(callbackPattern('rr'), async (ctx) => {
    const { t, locale } = ctx.user;
    const payment = await shop.kit.payments.get(ctx.match[1] as string);
    if (payment === null) return void (await ctx.answerCallbackQuery({ text: t('telegram.notYours') }));
    if (payment.status !== 'pending') return void (await ctx.answerCallbackQuery({ text: t('telegram.receipts.already') }));
    await ctx.answerCallbackQuery();
    const buyer = buyerLabel(await shop.storage.customers.get(payment.customerId), payment.customerId);
    const question = t('telegram.receipts.rejectWhy', {
      amount: formatMoney({ amount: payment.amount, currency: payment.currency }, locale),
      buyer,
    });
    await askAdmin(ctx, deps, { action: 'reject_reason', subjectId: payment.id }, question);
  });

  // Anyone else tapping an admin button (or forging its data) is told nothing and nothing happens.
  bot.callbackQuery(/^(rq|ra:|rr:|sum)/, (ctx) => ctx.answerCallbackQuery({ text: ctx.user.t('telegram.notYours') }));
}

/**
 * One decision on a receipt through the web's review code: one admin wins, the money is credited once, and
 * whoever comes second is told the receipt was already decided.
 */
async function decide(
  ctx: BotContext,
  deps: BotDeps,
  paymentId: string,
  decision: 'approved' | 'rejected',
  note: string | null,
  done: (said: string) => Promise<void>,
): Promise<void> {
  const { t } = ctx.user;
  const staff = await botStaffOf(deps.shop, ctx.user);
  assertStaffMay(staff, 'POST', `/admin/receipts/${paymentId}/${decision === 'rejected' ? 'reject' : 'approve'}`);
  try {
    const result = await reviewPayment(deps.shop, { paymentId, decision, reviewerId: staff.actor.id as string, note });
    const said = decision === 'rejected' ? 'rejected' : result.credited ? 'approved' : 'approvedNotCredited';
    await done(`telegram.receipts.${said}`);
    await ctx.reply(t(`telegram.receipts.${said}`));
  } catch (error) {
    if (!(error instanceof ShopError)) throw error;
    if (error.code === 'invalid_input' && decision === 'rejected') {
      // No reason, or too long a one: asked again, nothing decided.
      const key = Object.values(error.fields)[0] ?? error.messageKey;
      return askAdmin(ctx, deps, { action: 'reject_reason', subjectId: paymentId }, t(key));
    }
    const said = error.code === 'conflict' ? 'telegram.receipts.already' : 'telegram.notYours';
    if (ctx.callbackQuery !== undefined) await ctx.answerCallbackQuery({ text: t(said) });
    else await ctx.reply(t(said));
  }
}

/** The answer to "why reject?": the receipt is rejected with it as the note the buyer reads. */
export function answerRejectReason(deps: BotDeps) {
  return (ctx: TextContext, paymentId: string, text: string) => decide(ctx, deps, paymentId, 'rejected', text, async () => undefined);
}
