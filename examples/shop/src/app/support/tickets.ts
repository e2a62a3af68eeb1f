import { createId } from '@panelkit/sdk';
import type { ReceiptImage } from '../../db/telegram-receipt-photos.js';
import { storedImage } from '../../db/telegram-receipt-photos.js';
import { TicketReads, type Ticket, type TicketMessage, type TicketWrites } from '../../db/support-tickets.js';
import { ticketTransaction } from './ticket-transaction.js';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';
import { MESSAGE_MAX, optionalText, REASON_MAX, requiredText, SUBJECT_MAX, subjectFrom } from './ticket-input.js';
import { noticeStaffOfBuyerMessage } from './ticket-notices.js';

/** A buyer may have this many tickets open at once; one more is refused until one is closed. */
export const OPEN_TICKETS_MAX = 3;
/** A buyer may open this many tickets per {@link OPENING_WINDOW_MS} (closed ones count too). */
export const TICKETS_PER_WINDOW = 5;
/** The window of {@link TICKETS_PER_WINDOW}: a day. */
export const OPENING_WINDOW_MS = 24 * 60 * 60_000;
/** The tickets a buyer's list shows. */
const LISTED = 50;

/** What a buyer writes to open a ticket or in one: text, an optional subject (else the first line), a picture sent in Telegram. */
export interface BuyerMessageInput {
  subject?: unknown;
  text: unknown;
  picture?: ReceiptImage | null;
}

/** A ticket with its thread, as its buyer or staff reads it. */
export interface TicketThread {
  ticket: Ticket;
  messages: TicketMessage[];
}

/** The reads of the shop's tickets. */
export function ticketReads(shop: Shop): TicketReads {
  return new TicketReads(shop.db, shop.shopSchema);
}

/**
 * Opens a ticket for a buyer: the ticket, its first message, the audit entry and the staff's notice in one
 * transaction. `invalid_input` for an empty or too long text or subject; `too_many_requests` past
 * {@link OPEN_TICKETS_MAX} open tickets or {@link TICKETS_PER_WINDOW} a day, counted under a lock on the buyer's
 * openings, so openings at once on several replicas cannot pass the limits together. Nothing is written when refused.
 */
export async function openTicket(shop: Shop, customerId: string, input: BuyerMessageInput): Promise<Ticket> {
  const text = requiredText(input.text, 'text', MESSAGE_MAX);
  const subject = optionalText(input.subject, 'subject', SUBJECT_MAX) ?? subjectFrom(text);
  const ticketId = createId('tkt');
  const messageId = createId('tkm');
  return ticketTransaction(shop, async (tx, writes) => {
    await writes.lockOpening(customerId);
    const now = shop.clock.now();
    const counts = await writes.openingCounts(customerId, new Date(now.getTime() - OPENING_WINDOW_MS));
    if (counts.open >= OPEN_TICKETS_MAX) return new ShopError('too_many_requests', 'support.errors.tooManyOpen', { max: OPEN_TICKETS_MAX });
    if (counts.recent >= TICKETS_PER_WINDOW)
      return new ShopError('too_many_requests', 'support.errors.tooManyToday', { max: TICKETS_PER_WINDOW });
    await writes.insertTicket({ id: ticketId, customerId, subject, at: now });
    await writes.insertMessage({ id: messageId, ticketId, author: 'buyer', staffId: null, body: text, picture: pictureOf(input), at: now });
    const ticket = (await writes.lock(ticketId)) as Ticket;
    await tx.audit.append({
      actor: { type: 'customer', id: customerId },
      action: 'ticket.opened',
      subjectType: 'ticket',
      subjectId: ticketId,
      data: { customerId, subject },
    });
    await noticeStaffOfBuyerMessage(shop, tx, ticket, messageId, text);
    return ticket;
  });
}

const pictureOf = (input: { picture?: ReceiptImage | null }): string | null =>
  input.picture === undefined || input.picture === null ? null : storedImage(input.picture);

/** The buyer's own ticket, locked; `not_found` for another's or none (the same answer, so ids cannot be probed). */
async function ownTicket(writes: TicketWrites, customerId: string, ticketId: string): Promise<Ticket | ShopError> {
  const ticket = await writes.lock(ticketId);
  if (ticket === null || ticket.customerId !== customerId) return new ShopError('not_found', 'errors.notFound');
  return ticket;
}

/**
 * A buyer's message in their ticket. A closed ticket opens again with it (audited as `ticket.reopened`): a buyer
 * who writes again still needs help, and a new ticket would lose the thread. The staff are notified.
 */
export async function writeInTicket(shop: Shop, customerId: string, ticketId: string, input: BuyerMessageInput): Promise<TicketMessage> {
  const text = requiredText(input.text, 'text', MESSAGE_MAX);
  const messageId = createId('tkm');
  return ticketTransaction(shop, async (tx, writes) => {
    const ticket = await ownTicket(writes, customerId, ticketId);
    if (ticket instanceof ShopError) return ticket;
    // The time is read once the ticket is locked, so a thread's times follow the order its writes took effect.
    const now = shop.clock.now();
    const message = { id: messageId, ticketId, author: 'buyer' as const, staffId: null, body: text, picture: pictureOf(input), at: now };
    await writes.insertMessage(message);
    await writes.buyerWrote(ticketId, now);
    await tx.audit.append({
      actor: { type: 'customer', id: customerId },
      action: ticket.status === 'closed' ? 'ticket.reopened' : 'ticket.written',
      subjectType: 'ticket',
      subjectId: ticketId,
      data: { customerId, messageId },
    });
    await noticeStaffOfBuyerMessage(shop, tx, ticket, messageId, text);
    return { ...message, createdAt: now };
  });
}

/** The buyer closes their ticket (solved), with an optional reason; `conflict` when it is closed already. */
export async function closeTicketAsBuyer(shop: Shop, customerId: string, ticketId: string, input: { reason?: unknown }): Promise<Ticket> {
  const reason = optionalText(input.reason, 'reason', REASON_MAX) ?? '';
  return ticketTransaction(shop, async (tx, writes) => {
    const own = await ownTicket(writes, customerId, ticketId);
    if (own instanceof ShopError) return own;
    const now = shop.clock.now();
    if (!(await writes.close(ticketId, { by: 'buyer', reason, at: now }))) return new ShopError('conflict', 'support.errors.closed');
    await tx.audit.append({
      actor: { type: 'customer', id: customerId },
      action: 'ticket.closed',
      subjectType: 'ticket',
      subjectId: ticketId,
      data: { customerId, by: 'buyer', reason },
    });
    return (await writes.lock(ticketId)) as Ticket;
  });
}

/** A buyer's tickets, newest first. */
export function ticketsOfBuyer(shop: Shop, customerId: string): Promise<Ticket[]> {
  return ticketReads(shop).ofCustomer(customerId, LISTED);
}

/** A buyer's ticket with its thread; `not_found` for another's or none. */
export async function ticketOfBuyer(shop: Shop, customerId: string, ticketId: string): Promise<TicketThread> {
  const reads = ticketReads(shop);
  const ticket = await reads.get(ticketId);
  if (ticket === null || ticket.customerId !== customerId) throw new ShopError('not_found', 'errors.notFound');
  return { ticket, messages: await reads.messages(ticketId) };
}
