import type { Ticket } from '../../db/support-tickets.js';
import type { Shop } from '../shop.js';
import { ticketReads } from './tickets.js';

/** The open tickets the overview lists at most. */
const OPEN_SHOWN = 200;
/** Closed tickets count in the first-answer figures for this long after they closed. */
export const FIRST_ANSWER_WINDOW_MS = 30 * 24 * 60 * 60_000;

/** One open ticket and how long it waited. */
export interface TicketWait {
  ticket: Ticket;
  /** From opening to the first staff answer, or to now while there is none. */
  firstAnswerMs: number;
  /** Whether `firstAnswerMs` is still running (no staff answer yet). */
  unanswered: boolean;
  /** How long the buyer's newest unanswered message has waited for staff (now − `awaitingSince`); `null` when staff spoke last. */
  waitingMs: number | null;
}

/** Median and longest of a set of waits (milliseconds); `null`s when the set is empty. */
export interface WaitFigures {
  count: number;
  medianMs: number | null;
  longestMs: number | null;
}

/** The owner's overview of support: the open tickets, the longest waiting first, and the figures over them. */
export interface SupportOverview {
  open: TicketWait[];
  /** Over the tickets waiting for staff now: how long their buyer has waited. */
  waitingNow: WaitFigures;
  /** Over the open tickets and the answered ones closed in the last 30 days: time to the first staff answer (a running one counts as it stands). */
  firstAnswer: WaitFigures;
}

/**
 * The one definition of a ticket's waits, read from its row at `now`: the first answer's time from `createdAt` to
 * `firstAnswerAt` (running while there is none), and the current wait from `awaitingSince`, the first buyer message
 * no staff answer has followed. Every figure the admin and the bot show comes from here.
 */
export function ticketWait(ticket: Ticket, now: Date): TicketWait {
  const open = ticket.status !== 'closed';
  const firstEnd = ticket.firstAnswerAt ?? (open ? now : (ticket.closedAt ?? now));
  return {
    ticket,
    firstAnswerMs: Math.max(0, firstEnd.getTime() - ticket.createdAt.getTime()),
    unanswered: ticket.firstAnswerAt === null,
    waitingMs: open && ticket.awaitingSince !== null ? Math.max(0, now.getTime() - ticket.awaitingSince.getTime()) : null,
  };
}

/** Median (the lower middle of an even count, a wait someone really had) and longest of `values`. */
export function waitFigures(values: readonly number[]): WaitFigures {
  if (values.length === 0) return { count: 0, medianMs: null, longestMs: null };
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, medianMs: sorted[Math.floor((sorted.length - 1) / 2)] as number, longestMs: sorted.at(-1) as number };
}

/** The owner's overview at the shop's now. A closed ticket counts only when staff answered it (one its buyer closed unanswered has no answer time). */
export async function supportOverview(shop: Shop): Promise<SupportOverview> {
  const now = shop.clock.now();
  const reads = ticketReads(shop);
  const [open, closed] = await Promise.all([
    reads.open(OPEN_SHOWN),
    reads.closedSince(new Date(now.getTime() - FIRST_ANSWER_WINDOW_MS), 1000),
  ]);
  const waits = open.map((t) => ticketWait(t, now));
  const closedAnswered = closed.filter((t) => t.firstAnswerAt !== null).map((t) => ticketWait(t, now));
  return {
    open: waits,
    waitingNow: waitFigures(waits.flatMap((w) => (w.waitingMs === null ? [] : [w.waitingMs]))),
    firstAnswer: waitFigures([...waits, ...closedAnswered].map((w) => w.firstAnswerMs)),
  };
}
