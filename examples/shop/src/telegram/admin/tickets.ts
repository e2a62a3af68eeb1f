import { InlineKeyboard, type Composer } from 'grammy';
import { formatDuration } from '../../i18n/duration.js';
import { ShopError } from '../../app/shop-error.js';
import { roleMayUse } from '../../app/auth/staff-roles.js';
import { buyerLabel } from '../../app/payments/buyer-label.js';
import { supportOverview } from '../../app/support/ticket-waits.js';
import { answerTicket, closeTicketAsStaff, deleteTicket, ticketForStaff } from '../../app/support/staff-tickets.js';
import type { ReceiptImage } from '../../db/telegram-receipt-photos.js';
import { callbackData, callbackPattern } from '../callback-data.js';
import type { BotContext, BotDeps } from '../context.js';
import { backToMenu } from '../menu.js';
import { sendThreadPictures, threadText } from '../buyer/support.js';
import { receiptImageOf } from '../buyer/wallet.js';
import { askAdmin, type TextContext } from './prompts.js';
import { assertStaffMay, botStaffOf } from './staff.js';

/** Open tickets listed per tap, the longest waiting first (the web lists them all). */
const LISTED = 10;

/**
 * Support tickets for staff in the bot, on the admin web's use cases and role table: the open tickets with how long
 * each waited (`/tickets`, the staff's notice), a ticket's thread with its pictures, answering and closing (typed,
 * like a rejection's reason), and deleting for the owner.
 */
export function adminTicketHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;
  const admins = bot.filter((ctx) => ctx.user.isAdmin);

  const showOpen = async (ctx: BotContext) => {
    const { t } = ctx.user;
    assertStaffMay(await botStaffOf(shop, ctx.user), 'GET', '/admin/tickets');
    const overview = await supportOverview(shop);
    const span = (ms: number | null) => (ms === null ? '—' : formatDuration(ms, t));
    const lines = [
      t('support.admin.title'),
      `${t('support.admin.waitingNow')}: ${t('support.admin.median')} ${span(overview.waitingNow.medianMs)} · ${t('support.admin.longest')} ${span(overview.waitingNow.longestMs)}`,
    ];
    if (overview.open.length === 0) lines.push('', t('support.admin.none'));
    const keyboard = new InlineKeyboard();
    for (const w of overview.open.slice(0, LISTED)) {
      const label = `${t(`support.statusIcon.${w.ticket.status}`)} ${w.waitingMs === null ? '' : `${span(w.waitingMs)} · `}${w.ticket.subject}`;
      keyboard.text(label.slice(0, 60), callbackData('tsv', w.ticket.id)).row();
    }
    keyboard.text(t('telegram.menu.back'), 'm');
    await ctx.reply(lines.join('\n'), { reply_markup: keyboard });
  };

  const showTicket = async (ctx: BotContext, ticketId: string) => {
    const { t } = ctx.user;
    const staff = await botStaffOf(shop, ctx.user);
    assertStaffMay(staff, 'GET', `/admin/tickets/${ticketId}`);
    const thread = await ticketForStaff(shop, ticketId);
    const buyer = buyerLabel(await shop.storage.customers.get(thread.ticket.customerId), thread.ticket.customerId);
    const keyboard = new InlineKeyboard();
    if (thread.ticket.status !== 'closed')
      keyboard.text(t('support.admin.answer'), callbackData('tsa', ticketId)).text(t('support.close'), callbackData('tsc', ticketId)).row();
    if (roleMayUse(staff.role, 'POST', `/admin/tickets/${ticketId}/delete`))
      keyboard.text(t('support.admin.delete'), callbackData('tsd', ticketId));
    keyboard.text(t('support.admin.list'), 'tsq');
    await ctx.reply(`${buyer}\n${threadText(ctx.user, thread, shop.config.timeZone)}`, { reply_markup: keyboard });
    await sendThreadPictures(ctx, thread);
  };

  admins.command('tickets', showOpen);
  // A picture (with the answer as its caption) sent while the bot waits for an answer: the answer with its picture.
  admins.on(['message:photo', 'message:document'], async (ctx, next) => {
    const prompt = await deps.prompts.takeIf(ctx.user.telegramUserId, ['ticket_answer']);
    if (prompt === null) return next();
    const picture = receiptImageOf(ctx.message);
    await answerTicketPrompt(deps)(ctx, prompt.subjectId, ctx.message.caption ?? ctx.user.t('support.pictureOnly'), picture);
  });
  admins.callbackQuery('tsq', async (ctx) => {
    await ctx.answerCallbackQuery();
    await showOpen(ctx);
  });
  admins.callbackQuery(callbackPattern('tsv'), async (ctx) => {
    await ctx.answerCallbackQuery();
    await showTicket(ctx, ctx.match[1] as string);
  });
  admins.callbackQuery(callbackPattern('tsa'), async (ctx) => {
    const ticketId = ctx.match[1] as string;
    assertStaffMay(await botStaffOf(shop, ctx.user), 'POST', `/admin/tickets/${ticketId}/answer`);
    await ctx.answerCallbackQuery();
    await askAdmin(ctx, deps, { action: 'ticket_answer', subjectId: ticketId }, ctx.user.t('support.admin.askAnswer'));
  });
  admins.callbackQuery(callbackPattern('tsc'), async (ctx) => {
    const ticketId = ctx.match[1] as string;
    assertStaffMay(await botStaffOf(shop, ctx.user), 'POST', `/admin/tickets/${ticketId}/close`);
    await ctx.answerCallbackQuery();
    await askAdmin(ctx, deps, { action: 'ticket_close_reason', subjectId: ticketId }, ctx.user.t('support.admin.askClose'));
  });
  admins.callbackQuery(callbackPattern('tsd'), async (ctx) => {
    const ticketId = ctx.match[1] as string;
    const staff = await botStaffOf(shop, ctx.user);
    assertStaffMay(staff, 'POST', `/admin/tickets/${ticketId}/delete`);
    await deleteTicket(shop, staff.actor, ticketId);
    await ctx.answerCallbackQuery({ text: ctx.user.t('support.notices.deleted') });
    await ctx.reply(ctx.user.t('support.notices.deleted'), { reply_markup: backToMenu(ctx.user) });
  });
  bot.callbackQuery(/^(tsq|tsv:|tsa:|tsc:|tsd:)/, (ctx) => ctx.answerCallbackQuery({ text: ctx.user.t('telegram.notYours') }));
}

/** A staff action's refusal the staff member can act on: the ticket closed meanwhile, or the text refused (asked again). */
async function staffRefusal(ctx: BotContext, error: unknown, retry: () => Promise<void>): Promise<void> {
  if (!(error instanceof ShopError)) throw error;
  if (error.code === 'invalid_input') return retry();
  if (error.code === 'conflict') return void (await ctx.reply(ctx.user.t('support.errors.closed'), { reply_markup: backToMenu(ctx.user) }));
  throw error;
}

/** The staff's typed answer to "Your answer?" (and the picture sent with it): written in the ticket, the buyer notified. */
export function answerTicketPrompt(deps: BotDeps) {
  return async (ctx: BotContext, ticketId: string, text: string, picture: ReceiptImage | null = null) => {
    const staff = await botStaffOf(deps.shop, ctx.user);
    assertStaffMay(staff, 'POST', `/admin/tickets/${ticketId}/answer`);
    try {
      await answerTicket(deps.shop, staff.actor, ticketId, { text, picture });
      await ctx.reply(ctx.user.t('support.notices.answered'), {
        reply_markup: new InlineKeyboard().text(ctx.user.t('support.admin.list'), 'tsq'),
      });
    } catch (error) {
      await staffRefusal(ctx, error, () =>
        askAdmin(
          ctx,
          deps,
          { action: 'ticket_answer', subjectId: ticketId },
          ctx.user.t((error as ShopError).messageKey, (error as ShopError).params),
        ),
      );
    }
  };
}

/** The staff's typed reason to "Why close it?": the ticket closed with it, the buyer notified. */
export function answerTicketCloseReason(deps: BotDeps) {
  return async (ctx: TextContext, ticketId: string, text: string) => {
    const staff = await botStaffOf(deps.shop, ctx.user);
    assertStaffMay(staff, 'POST', `/admin/tickets/${ticketId}/close`);
    try {
      await closeTicketAsStaff(deps.shop, staff.actor, ticketId, { reason: text });
      await ctx.reply(ctx.user.t('support.notices.closed'), {
        reply_markup: new InlineKeyboard().text(ctx.user.t('support.admin.list'), 'tsq'),
      });
    } catch (error) {
      await staffRefusal(ctx, error, () =>
        askAdmin(
          ctx,
          deps,
          { action: 'ticket_close_reason', subjectId: ticketId },
          ctx.user.t((error as ShopError).messageKey, (error as ShopError).params),
        ),
      );
    }
  };
}
