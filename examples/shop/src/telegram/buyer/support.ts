import { InlineKeyboard, type Composer } from 'grammy';
import type { Message } from 'grammy/types';
import { formatDateTime } from '../../i18n/format.js';
import { supportContactOf } from '../../app/growth/support-contact.js';
import { closeTicketAsBuyer, openTicket, ticketOfBuyer, ticketsOfBuyer, writeInTicket } from '../../app/support/tickets.js';
import type { TicketThread } from '../../app/support/tickets.js';
import type { Ticket } from '../../db/support-tickets.js';
import { imageOfStored } from '../../db/telegram-receipt-photos.js';
import { callbackData, callbackPattern } from '../callback-data.js';
import type { BotContext, BotDeps, BotUser } from '../context.js';
import { MESSAGE_MAX, trimText } from '../message-text.js';
import { backToMenu } from '../menu.js';
import { receiptImageOf } from './wallet.js';

/** Tickets the bot lists (newest first); the web lists more. */
const LISTED = 8;
/** The newest messages a ticket shows in the bot. */
const SHOWN_MESSAGES = 8;
/** The buyer's "Cancel" under the bot's question. */
const CANCEL = 'tkx';

function ticketLabel(user: BotUser, ticket: Ticket): string {
  return trimText(`${user.t(`support.statusIcon.${ticket.status}`)} ${ticket.subject}`, 60);
}

/** A thread as one message: the subject, status, the newest messages and the closing line. */
export function threadText(user: BotUser, thread: TicketThread, timeZone: string): string {
  const { t, locale } = user;
  const { ticket } = thread;
  const lines = [`${ticket.subject}`, t(`support.status.${ticket.status}`), ''];
  const shown = thread.messages.slice(-SHOWN_MESSAGES);
  if (shown.length < thread.messages.length) lines.push(t('support.thread.earlier', { count: thread.messages.length - shown.length }), '');
  for (const m of shown) {
    const who = t(m.author === 'buyer' ? 'support.thread.buyer' : 'support.thread.staff');
    lines.push(`${who} · ${formatDateTime(m.createdAt, locale, timeZone)}${m.picture === null ? '' : ` · ${t('support.thread.picture')}`}`);
    lines.push(m.body, '');
  }
  if (ticket.status === 'closed' && ticket.closedAt !== null) {
    const when = formatDateTime(ticket.closedAt, locale, timeZone);
    lines.push(
      `${t(ticket.closedBy === 'staff' ? 'support.closedByStaff' : 'support.closedByBuyer', { when })}${ticket.closeReason ? ` · ${ticket.closeReason}` : ''}`,
    );
  }
  return trimText(lines.join('\n').trim(), MESSAGE_MAX);
}

/** The newest pictures of a thread (both sides'), sent again by their Telegram file ids as receipts' are. */
export async function sendThreadPictures(ctx: BotContext, thread: TicketThread): Promise<void> {
  for (const m of thread.messages.filter((x) => x.picture !== null).slice(-3)) {
    const image = imageOfStored(m.picture as string);
    if (image.kind === 'photo') await ctx.replyWithPhoto(image.fileId);
    else await ctx.replyWithDocument(image.fileId);
  }
}

/** The text and picture of a buyer's message: its text or caption (a picture alone gets a placeholder), its picture. */
function buyerMessage(user: BotUser, message: Message) {
  const picture = receiptImageOf(message);
  const text = message.text ?? message.caption ?? (picture === null ? '' : user.t('support.pictureOnly'));
  return { text, picture };
}

/**
 * The buyer's support tickets in the bot, on the web's use cases: the list ("Support" in the menu), a ticket's thread,
 * opening one and writing in one (the bot asks, the buyer's next message, text or a picture with a caption, is it),
 * and closing one.
 */
export function supportHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;

  const showList = async (ctx: BotContext) => {
    const { t } = ctx.user;
    const tickets = await ticketsOfBuyer(shop, ctx.user.customer.id);
    const contact = await supportContactOf(shop);
    const lines = [t('support.bot.intro')];
    if (contact !== null) lines.push(t('support.contact', { contact }));
    if (tickets.length === 0) lines.push('', t('support.none'));
    const keyboard = new InlineKeyboard().text(t('support.newTicket'), 'tkn').row();
    for (const ticket of tickets.slice(0, LISTED)) keyboard.text(ticketLabel(ctx.user, ticket), callbackData('tk', ticket.id)).row();
    keyboard.text(t('telegram.menu.back'), 'm');
    await ctx.reply(lines.join('\n'), { reply_markup: keyboard });
  };

  const showTicket = async (ctx: BotContext, ticketId: string) => {
    const { t } = ctx.user;
    const thread = await ticketOfBuyer(shop, ctx.user.customer.id, ticketId);
    const keyboard = new InlineKeyboard().text(
      t(thread.ticket.status === 'closed' ? 'support.bot.reopen' : 'support.bot.reply'),
      callbackData('tkr', ticketId),
    );
    if (thread.ticket.status !== 'closed') keyboard.text(t('support.close'), callbackData('tkc', ticketId));
    keyboard.row().text(t('support.bot.list'), 'sup');
    await ctx.reply(threadText(ctx.user, thread, shop.config.timeZone), { reply_markup: keyboard });
    await sendThreadPictures(ctx, thread);
  };

  const ask = async (ctx: BotContext, action: 'ticket_open' | 'ticket_reply', subjectId: string, question: string) => {
    await deps.prompts.ask(ctx.user.telegramUserId, { action, subjectId });
    await ctx.reply(question, { reply_markup: new InlineKeyboard().text(ctx.user.t('telegram.admin.cancel'), CANCEL) });
  };

  bot.callbackQuery('sup', async (ctx) => {
    await ctx.answerCallbackQuery();
    await showList(ctx);
  });
  bot.command('support', showList);
  bot.callbackQuery(callbackPattern('tk'), async (ctx) => {
    await ctx.answerCallbackQuery();
    await showTicket(ctx, ctx.match[1] as string);
  });
  bot.callbackQuery('tkn', async (ctx) => {
    await ctx.answerCallbackQuery();
    await ask(ctx, 'ticket_open', 'new', ctx.user.t('support.bot.askNew'));
  });
  bot.callbackQuery(callbackPattern('tkr'), async (ctx) => {
    const ticketId = ctx.match[1] as string;
    await ticketOfBuyer(shop, ctx.user.customer.id, ticketId);
    await ctx.answerCallbackQuery();
    await ask(ctx, 'ticket_reply', ticketId, ctx.user.t('support.bot.askReply'));
  });
  bot.callbackQuery(callbackPattern('tkc'), async (ctx) => {
    const ticketId = ctx.match[1] as string;
    await closeTicketAsBuyer(shop, ctx.user.customer.id, ticketId, {});
    await ctx.answerCallbackQuery({ text: ctx.user.t('support.notices.closed') });
    await showTicket(ctx, ticketId);
  });
  bot.callbackQuery(CANCEL, async (ctx) => {
    await ctx.answerCallbackQuery();
    await deps.prompts.takeIf(ctx.user.telegramUserId, ['ticket_open', 'ticket_reply']);
    await ctx.editMessageReplyMarkup({ reply_markup: new InlineKeyboard() }).catch(() => undefined);
    await ctx.reply(ctx.user.t('telegram.admin.cancelled'), { reply_markup: backToMenu(ctx.user) });
  });

  // The buyer's next message after the bot asked: text, or a picture (a receipt is a picture too, so this runs first).
  bot.on(['message:text', 'message:photo', 'message:document'], async (ctx, next) => {
    if (ctx.message.text?.startsWith('/') === true) return next();
    const prompt = await deps.prompts.takeIf(ctx.user.telegramUserId, ['ticket_open', 'ticket_reply']);
    if (prompt === null) return next();
    await answerBuyerPrompt(deps)(ctx, prompt.action === 'ticket_open' ? null : prompt.subjectId, ctx.message);
  });
}

/**
 * A buyer's message the bot asked for: a new ticket (`ticketId` `null`) or a message in theirs. Refused input (too
 * long, too many tickets) is said in the buyer's language; the buyer may try again from the ticket's buttons.
 */
export function answerBuyerPrompt(deps: BotDeps) {
  return async (ctx: BotContext, ticketId: string | null, message: Message): Promise<void> => {
    const { shop } = deps;
    const { t, customer } = ctx.user;
    const input = buyerMessage(ctx.user, message);
    const id =
      ticketId === null
        ? (await openTicket(shop, customer.id, input)).id
        : (await writeInTicket(shop, customer.id, ticketId, input)).ticketId;
    const reply_markup = new InlineKeyboard().text(t('support.bot.open'), callbackData('tk', id)).row().text(t('telegram.menu.back'), 'm');
    await ctx.reply(t(ticketId === null ? 'support.notices.opened' : 'support.notices.sent'), { reply_markup });
  };
}
