import { Router, type Response } from 'express';
import type { Actor } from '@panelkit/sdk';
import { ctxOf, viewerOf } from '../../http/context.js';
import { idParam } from '../../app/input/ids.js';
import { noticeFrom } from '../../http/notice.js';
import { ShopError } from '../../app/shop-error.js';
import type { Shop } from '../../app/shop.js';
import { buyerLabel } from '../../app/payments/buyer-label.js';
import { fetchReceiptImage } from '../../app/payments/receipt-image-file.js';
import { supportOverview } from '../../app/support/ticket-waits.js';
import { answerTicket, closeTicketAsStaff, deleteTicket, ticketForStaff } from '../../app/support/staff-tickets.js';
import { ticketReads } from '../../app/support/tickets.js';
import { imageOfStored } from '../../db/telegram-receipt-photos.js';
import { adminPage } from '../../views/admin-layout.js';
import { staffTicketBody, ticketsOverviewBody } from '../../views/admin/tickets-page.js';

const staffActor = (res: Response): Actor => ({ type: 'admin', id: viewerOf(res).account.id });

/** Support tickets in the back office: the owner's overview of waits, a ticket's thread, answering, closing, deleting. */
export function ticketRoutes(shop: Shop): Router {
  const router = Router();

  router.get('/admin/tickets', async (req, res) => {
    const ctx = ctxOf(res);
    const overview = await supportOverview(shop);
    const ids = [...new Set(overview.open.map((w) => w.ticket.customerId))];
    const customers = await Promise.all(ids.map(async (id) => [id, buyerLabel(await shop.storage.customers.get(id), id)] as const));
    const body = ticketsOverviewBody(ctx, overview, new Map(customers));
    res.send(adminPage(ctx, { title: ctx.t('support.admin.title'), notice: noticeFrom(req), body }).value);
  });
  router.get('/admin/tickets/:id', async (req, res) => {
    const ctx = ctxOf(res);
    const thread = await ticketForStaff(shop, idParam(req));
    const buyer = buyerLabel(await shop.storage.customers.get(thread.ticket.customerId), thread.ticket.customerId);
    const body = staffTicketBody(ctx, thread, buyer, shop.config.timeZone);
    res.send(adminPage(ctx, { title: thread.ticket.subject, notice: noticeFrom(req), body }).value);
  });
  // A picture sent in Telegram with a message, fetched from Telegram as a receipt's is.
  router.get('/admin/tickets/:id/messages/:messageId/picture', async (req, res) => {
    const telegram = shop.config.telegram;
    const message = await ticketReads(shop).message(idParam(req), idParam(req, 'messageId'));
    const file =
      telegram === null || message?.picture == null
        ? null
        : await fetchReceiptImage(telegram, imageOfStored(message.picture)).catch(() => null);
    if (file === null) throw new ShopError('not_found', 'errors.notFound');
    res.set('cache-control', 'private, no-store');
    if (file.contentType === 'application/octet-stream') res.attachment('picture');
    res.type(file.contentType).send(file.bytes);
  });
  router.post('/admin/tickets/:id/answer', async (req, res) => {
    const ticketId = idParam(req);
    await answerTicket(shop, staffActor(res), ticketId, { text: req.body?.text });
    res.redirect(303, `/admin/tickets/${ticketId}?done=support.answered`);
  });
  router.post('/admin/tickets/:id/close', async (req, res) => {
    const ticketId = idParam(req);
    await closeTicketAsStaff(shop, staffActor(res), ticketId, { reason: req.body?.reason });
    res.redirect(303, `/admin/tickets/${ticketId}?done=support.closed`);
  });
  router.post('/admin/tickets/:id/delete', async (req, res) => {
    await deleteTicket(shop, staffActor(res), idParam(req));
    res.redirect(303, '/admin/tickets?done=support.deleted');
  });
  return router;
}
