import { Router } from 'express';
import { z } from 'zod';
import { requireAccount } from '../http/viewer.js';
import { ctxOf, viewerOf } from '../http/context.js';
import { parseOrThrow } from '../app/input/forms.js';
import { idParam } from '../app/input/ids.js';
import { noticeFrom } from '../http/notice.js';
import type { Shop } from '../app/shop.js';
import { supportContactOf } from '../app/growth/support-contact.js';
import { closeTicketAsBuyer, openTicket, ticketOfBuyer, ticketsOfBuyer, writeInTicket } from '../app/support/tickets.js';
import { MESSAGE_MAX, REASON_MAX, SUBJECT_MAX } from '../app/support/ticket-input.js';
import type { Ticket, TicketMessage } from '../db/support-tickets.js';
import { supportListPage, supportTicketPage } from '../views/support-pages.js';
import { ShopError } from '../app/shop-error.js';
import { fetchReceiptImage } from '../app/payments/receipt-image-file.js';
import { imageOfStored } from '../db/telegram-receipt-photos.js';

// The shapes a JSON client sends; the lengths are the use cases' (which also trim and refuse blank text).
/** `POST /api/v1/tickets`' body. */
export const OpenTicketBody = z.strictObject({
  subject: z
    .string()
    .max(SUBJECT_MAX * 4)
    .optional(),
  text: z.string().max(MESSAGE_MAX * 4),
});
/** `POST /api/v1/tickets/:id/messages`' body. */
export const TicketMessageBody = z.strictObject({ text: z.string().max(MESSAGE_MAX * 4) });
/** `POST /api/v1/tickets/:id/close`' body. */
export const CloseTicketBody = z.strictObject({
  reason: z
    .string()
    .max(REASON_MAX * 4)
    .optional(),
});

/** A ticket as the JSON API answers it. */
export function ticketJson(ticket: Ticket) {
  return {
    id: ticket.id,
    subject: ticket.subject,
    status: ticket.status,
    createdAt: ticket.createdAt.toISOString(),
    updatedAt: ticket.updatedAt.toISOString(),
    closedAt: ticket.closedAt?.toISOString() ?? null,
    closedBy: ticket.closedBy,
    closeReason: ticket.closeReason,
  };
}

/** A thread's message as the JSON API answers it (a picture is said to be there; staff see it). */
export function ticketMessageJson(message: TicketMessage) {
  return {
    id: message.id,
    author: message.author,
    text: message.body,
    hasPicture: message.picture !== null,
    createdAt: message.createdAt.toISOString(),
  };
}

/** The buyer's support tickets: pages (also the Mini App's) and the JSON API, each calling the same use cases. */
export function supportRoutes(shop: Shop): Router {
  const router = Router();
  router.use(['/support', '/api/v1/tickets'], requireAccount);

  router.get('/support', async (req, res) => {
    res.send(
      supportListPage(ctxOf(res), {
        tickets: await ticketsOfBuyer(shop, viewerOf(res).customer.id),
        contact: await supportContactOf(shop),
        timeZone: shop.config.timeZone,
        notice: noticeFrom(req),
      }).value,
    );
  });
  router.post('/support', async (req, res) => {
    const ticket = await openTicket(shop, viewerOf(res).customer.id, { subject: req.body?.subject, text: req.body?.text });
    res.redirect(303, `/support/${ticket.id}?done=support.opened`);
  });
  router.get('/support/:id', async (req, res) => {
    const thread = await ticketOfBuyer(shop, viewerOf(res).customer.id, idParam(req));
    res.send(supportTicketPage(ctxOf(res), { ...thread, timeZone: shop.config.timeZone, notice: noticeFrom(req) }).value);
  });
  // A picture sent in Telegram with a message of the buyer's own ticket (theirs or staff's), fetched from Telegram.
  router.get('/support/:id/messages/:messageId/picture', async (req, res) => {
    const thread = await ticketOfBuyer(shop, viewerOf(res).customer.id, idParam(req));
    const messageId = idParam(req, 'messageId');
    const picture = thread.messages.find((m) => m.id === messageId)?.picture ?? null;
    const telegram = shop.config.telegram;
    const file = telegram === null || picture === null ? null : await fetchReceiptImage(telegram, imageOfStored(picture)).catch(() => null);
    if (file === null) throw new ShopError('not_found', 'errors.notFound');
    res.set('cache-control', 'private, no-store');
    if (file.contentType === 'application/octet-stream') res.attachment('picture');
    res.type(file.contentType).send(file.bytes);
  });
  router.post('/support/:id/reply', async (req, res) => {
    const ticketId = idParam(req);
    await writeInTicket(shop, viewerOf(res).customer.id, ticketId, { text: req.body?.text });
    res.redirect(303, `/support/${ticketId}?done=support.sent`);
  });
  router.post('/support/:id/close', async (req, res) => {
    const ticketId = idParam(req);
    await closeTicketAsBuyer(shop, viewerOf(res).customer.id, ticketId, { reason: req.body?.reason });
    res.redirect(303, `/support/${ticketId}?done=support.closed`);
  });

  router.get('/api/v1/tickets', async (_req, res) => {
    res.json({ tickets: (await ticketsOfBuyer(shop, viewerOf(res).customer.id)).map(ticketJson) });
  });
  router.post('/api/v1/tickets', async (req, res) => {
    const body = parseOrThrow(OpenTicketBody, req.body, ctxOf(res).t);
    const customerId = viewerOf(res).customer.id;
    const ticket = await openTicket(shop, customerId, body);
    const thread = await ticketOfBuyer(shop, customerId, ticket.id);
    res.status(201).json({ ticket: ticketJson(thread.ticket), messages: thread.messages.map(ticketMessageJson) });
  });
  router.get('/api/v1/tickets/:id', async (req, res) => {
    const thread = await ticketOfBuyer(shop, viewerOf(res).customer.id, idParam(req));
    res.json({ ticket: ticketJson(thread.ticket), messages: thread.messages.map(ticketMessageJson) });
  });
  router.post('/api/v1/tickets/:id/messages', async (req, res) => {
    const ticketId = idParam(req);
    const body = parseOrThrow(TicketMessageBody, req.body, ctxOf(res).t);
    const message = await writeInTicket(shop, viewerOf(res).customer.id, ticketId, body);
    const thread = await ticketOfBuyer(shop, viewerOf(res).customer.id, ticketId);
    res.status(201).json({ message: ticketMessageJson(message), ticket: ticketJson(thread.ticket) });
  });
  router.post('/api/v1/tickets/:id/close', async (req, res) => {
    const body = parseOrThrow(CloseTicketBody, req.body, ctxOf(res).t);
    const ticket = await closeTicketAsBuyer(shop, viewerOf(res).customer.id, idParam(req), body);
    res.json({ ticket: ticketJson(ticket) });
  });
  return router;
}
