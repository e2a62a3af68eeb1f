import { createId, type Actor } from '@panelkit/sdk';
import type { ReceiptImage } from '../../db/telegram-receipt-photos.js';
import { storedImage } from '../../db/telegram-receipt-photos.js';
import type { Ticket, TicketMessage } from '../../db/support-tickets.js';
import { ticketTransaction } from './ticket-transaction.js';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';
import { MESSAGE_MAX, REASON_MAX, requiredText } from './ticket-input.js';
import { noticeBuyerOfAnswer, noticeBuyerOfClose } from './ticket-notices.js';
import { ticketReads, type TicketThread } from './tickets.js';

/**
 * Staff actions on tickets. Who may do which is the channels' check against the one table of staff routes
 * (`STAFF_ROUTES`: support staff answer and close, only the owner deletes); each action is audited with the staff
 * member as its actor, in the transaction that makes it. Each locks the ticket's row first, so two staff acting on
 * one ticket at once go one after the other: both answers are kept, one close wins and the other is `conflict`, and
 * an answer that comes after a close is refused (`conflict`), never dropped without a word.
 */

/** A staff answer in a ticket: the buyer is notified. `conflict` on a closed ticket; `not_found` for none. */
export async function answerTicket(
  shop: Shop,
  actor: Actor,
  ticketId: string,
  input: { text: unknown; picture?: ReceiptImage | null },
): Promise<TicketMessage> {
  const text = requiredText(input.text, 'text', MESSAGE_MAX);
  const messageId = createId('tkm');
  return ticketTransaction(shop, async (tx, writes) => {
    const ticket = await writes.lock(ticketId);
    if (ticket === null) return new ShopError('not_found', 'errors.notFound');
    if (ticket.status === 'closed') return new ShopError('conflict', 'support.errors.closed');
    // The time is read once the ticket is locked, so a thread's times follow the order its writes took effect.
    const now = shop.clock.now();
    const picture = input.picture === undefined || input.picture === null ? null : storedImage(input.picture);
    const message = { id: messageId, ticketId, author: 'staff' as const, staffId: actor.id, body: text, picture, at: now };
    await writes.insertMessage(message);
    await writes.staffAnswered(ticketId, now);
    await tx.audit.append({
      actor,
      action: 'ticket.answered',
      subjectType: 'ticket',
      subjectId: ticketId,
      data: { customerId: ticket.customerId, messageId },
    });
    await noticeBuyerOfAnswer(shop, tx, ticket, messageId, text);
    return { ...message, createdAt: now };
  });
}

/** Staff close a ticket with a reason the buyer reads. `conflict` when it is closed already (another staff member was first). */
export async function closeTicketAsStaff(shop: Shop, actor: Actor, ticketId: string, input: { reason: unknown }): Promise<Ticket> {
  const reason = requiredText(input.reason, 'reason', REASON_MAX);
  return ticketTransaction(shop, async (tx, writes) => {
    const ticket = await writes.lock(ticketId);
    if (ticket === null) return new ShopError('not_found', 'errors.notFound');
    const now = shop.clock.now();
    if (!(await writes.close(ticketId, { by: 'staff', reason, at: now }))) return new ShopError('conflict', 'support.errors.closed');
    const event = await tx.audit.append({
      actor,
      action: 'ticket.closed',
      subjectType: 'ticket',
      subjectId: ticketId,
      data: { customerId: ticket.customerId, by: 'staff', reason },
    });
    await noticeBuyerOfClose(shop, tx, ticket, event.id, reason);
    return (await writes.lock(ticketId)) as Ticket;
  });
}

/** The owner deletes a ticket and its thread (spam, a mistake); audited with its subject. `not_found` for none. */
export async function deleteTicket(shop: Shop, actor: Actor, ticketId: string): Promise<void> {
  await ticketTransaction(shop, async (tx, writes) => {
    const ticket = await writes.lock(ticketId);
    if (ticket === null || !(await writes.delete(ticketId))) return new ShopError('not_found', 'errors.notFound');
    await tx.audit.append({
      actor,
      action: 'ticket.deleted',
      subjectType: 'ticket',
      subjectId: ticketId,
      data: { customerId: ticket.customerId, subject: ticket.subject },
    });
  });
}

/** Any ticket with its thread, for staff; `not_found` for none. */
export async function ticketForStaff(shop: Shop, ticketId: string): Promise<TicketThread> {
  const reads = ticketReads(shop);
  const ticket = await reads.get(ticketId);
  if (ticket === null) throw new ShopError('not_found', 'errors.notFound');
  return { ticket, messages: await reads.messages(ticketId) };
}
