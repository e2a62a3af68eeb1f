import type { StorageTransaction } from '@panelkit/sdk/storage';
import { ticketUrl } from '../../config/public-addresses.js';
import { writeNotification } from '../../db/notifications.js';
import type { Ticket } from '../../db/support-tickets.js';
import { buyerLabel } from '../payments/buyer-label.js';
import type { Shop } from '../shop.js';

/** How much of a message a notice quotes. */
const QUOTED = 500;

const quote = (text: string): string => (text.length <= QUOTED ? text : `${text.slice(0, QUOTED - 1)}…`);

/** The ticket's page on the web (the buyer's), or `null` without a public address. */
const ticketLink = (shop: Shop, ticketId: string): string | null => ticketUrl(shop.config, ticketId);

/**
 * Tells the staff a buyer wrote in a ticket (`ticket_waiting`, to the bot's admins and the staff's e-mail), in the
 * transaction that wrote the message: the message's id is the notice's cause, so it is told once.
 */
export async function noticeStaffOfBuyerMessage(shop: Shop, tx: StorageTransaction, ticket: Ticket, messageId: string, text: string) {
  const customer = await tx.customers.get(ticket.customerId);
  await writeNotification(tx, shop.shopSchema, shop.clock.now(), {
    recipient: { kind: 'staff' },
    kind: 'ticket_waiting',
    source: `ticket_message:${messageId}`,
    params: { ticketId: ticket.id, subject: ticket.subject, buyer: buyerLabel(customer, ticket.customerId), text: quote(text) },
  });
}

/** Tells the buyer staff answered (`ticket_answered`, in Telegram and/or by e-mail), in the answer's transaction. */
export async function noticeBuyerOfAnswer(shop: Shop, tx: StorageTransaction, ticket: Ticket, messageId: string, text: string) {
  await writeNotification(tx, shop.shopSchema, shop.clock.now(), {
    recipient: { kind: 'customer', customerId: ticket.customerId },
    kind: 'ticket_answered',
    source: `ticket_message:${messageId}`,
    params: { ticketId: ticket.id, subject: ticket.subject, text: quote(text), link: ticketLink(shop, ticket.id) },
  });
}

/** Tells the buyer staff closed their ticket, with the reason (`ticket_closed`), in the closing transaction. */
export async function noticeBuyerOfClose(shop: Shop, tx: StorageTransaction, ticket: Ticket, closeId: string, reason: string) {
  await writeNotification(tx, shop.shopSchema, shop.clock.now(), {
    recipient: { kind: 'customer', customerId: ticket.customerId },
    kind: 'ticket_closed',
    source: `ticket_close:${closeId}`,
    params: { ticketId: ticket.id, subject: ticket.subject, note: reason, link: ticketLink(shop, ticket.id) },
  });
}
