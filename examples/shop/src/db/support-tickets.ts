import type { StorageTransaction } from '@panelkit/sdk/storage';
import { transactionSql, type SqlClient } from '@panelkit/storage-postgres';

/** Where a ticket stands: the buyer waits for staff, staff answered last, or it is closed. */
export type TicketStatus = 'waiting' | 'answered' | 'closed';

/** Who wrote a message, or closed a ticket. */
export type TicketSide = 'buyer' | 'staff';

/** A support ticket as stored (its thread is {@link TicketMessage}s). */
export interface Ticket {
  id: string;
  customerId: string;
  subject: string;
  status: TicketStatus;
  createdAt: Date;
  updatedAt: Date;
  /** The first buyer message no staff answer has followed yet; `null` when nothing waits. */
  awaitingSince: Date | null;
  firstAnswerAt: Date | null;
  lastAnswerAt: Date | null;
  closedAt: Date | null;
  closedBy: TicketSide | null;
  closeReason: string | null;
}

/** One message of a ticket's thread. */
export interface TicketMessage {
  id: string;
  ticketId: string;
  author: TicketSide;
  /** The staff account (or `telegram:<id>`) that answered; `null` for the buyer's messages. */
  staffId: string | null;
  body: string;
  /** A Telegram picture as `storedImage` writes it, or `null`. */
  picture: string | null;
  createdAt: Date;
}

interface TicketRow {
  id: string;
  customer_id: string;
  subject: string;
  status: TicketStatus;
  created_at: Date | string;
  updated_at: Date | string;
  awaiting_since: Date | string | null;
  first_answer_at: Date | string | null;
  last_answer_at: Date | string | null;
  closed_at: Date | string | null;
  closed_by: TicketSide | null;
  close_reason: string | null;
}

interface MessageRow {
  id: string;
  ticket_id: string;
  author: TicketSide;
  staff_id: string | null;
  body: string;
  picture: string | null;
  created_at: Date | string;
}

const at = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));

function toTicket(r: TicketRow): Ticket {
  return {
    id: r.id,
    customerId: r.customer_id,
    subject: r.subject,
    status: r.status,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    awaitingSince: at(r.awaiting_since),
    firstAnswerAt: at(r.first_answer_at),
    lastAnswerAt: at(r.last_answer_at),
    closedAt: at(r.closed_at),
    closedBy: r.closed_by,
    closeReason: r.close_reason,
  };
}

function toMessage(r: MessageRow): TicketMessage {
  return {
    id: r.id,
    ticketId: r.ticket_id,
    author: r.author,
    staffId: r.staff_id,
    body: r.body,
    picture: r.picture,
    createdAt: new Date(r.created_at),
  };
}

/** A message to add to a thread. */
export interface NewTicketMessage {
  id: string;
  ticketId: string;
  author: TicketSide;
  staffId: string | null;
  body: string;
  picture: string | null;
  at: Date;
}

/** Writes to the `support_tickets` tables inside the transaction of their cause (its audit entry and notices). */
export class TicketWrites {
  private readonly sql;
  constructor(
    tx: StorageTransaction,
    private readonly schema: string,
  ) {
    this.sql = transactionSql(tx);
  }

  /** The ticket, its row locked until the transaction ends (answers and closes of one ticket go one at a time). */
  async lock(ticketId: string): Promise<Ticket | null> {
    const { rows } = await this.sql.query<TicketRow>(`SELECT * FROM ${this.schema}.support_tickets WHERE id = $1 FOR UPDATE`, [ticketId]);
    return rows[0] === undefined ? null : toTicket(rows[0]);
  }

  /**
   * Holds the buyer's right to open a ticket until the transaction ends (a transaction-scoped advisory lock on the
   * customer), so two openings at once, on any replicas, count each other against the limits.
   */
  async lockOpening(customerId: string): Promise<void> {
    await this.sql.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`${this.schema}.support_tickets:${customerId}`]);
  }

  /** How many of a buyer's tickets are open, and how many they opened since `since` (the opening limits). */
  async openingCounts(customerId: string, since: Date): Promise<{ open: number; recent: number }> {
    const { rows } = await this.sql.query<{ open: string; recent: string }>(
      `SELECT count(*) FILTER (WHERE status <> 'closed') AS open, count(*) FILTER (WHERE created_at >= $2) AS recent
       FROM ${this.schema}.support_tickets WHERE customer_id = $1`,
      [customerId, since],
    );
    return { open: Number(rows[0]?.open ?? 0), recent: Number(rows[0]?.recent ?? 0) };
  }

  /** A new ticket, waiting for staff since `at`. */
  async insertTicket(input: { id: string; customerId: string; subject: string; at: Date }): Promise<void> {
    await this.sql.query(
      `INSERT INTO ${this.schema}.support_tickets (id, customer_id, subject, status, created_at, updated_at, awaiting_since)
       VALUES ($1, $2, $3, 'waiting', $4, $4, $4)`,
      [input.id, input.customerId, input.subject, input.at],
    );
  }

  /** Adds a message at the end of the thread (call with the ticket locked: its place is the thread's length plus one). */
  async insertMessage(m: NewTicketMessage): Promise<void> {
    await this.sql.query(
      `INSERT INTO ${this.schema}.support_ticket_messages (id, ticket_id, seq, author, staff_id, body, picture, created_at)
       SELECT $1, $2, coalesce(max(seq), 0) + 1, $3, $4, $5, $6, $7 FROM ${this.schema}.support_ticket_messages WHERE ticket_id = $2`,
      [m.id, m.ticketId, m.author, m.staffId, m.body, m.picture, m.at],
    );
  }

  /** A buyer wrote: the ticket waits for staff (since its first unanswered message), and is open again if it was closed. */
  async buyerWrote(ticketId: string, now: Date): Promise<void> {
    await this.sql.query(
      `UPDATE ${this.schema}.support_tickets SET status = 'waiting', updated_at = $2, awaiting_since = coalesce(awaiting_since, $2),
         closed_at = NULL, closed_by = NULL, close_reason = NULL
       WHERE id = $1`,
      [ticketId, now],
    );
  }

  /** Staff answered: nothing waits any more; the first and last answer times move. */
  async staffAnswered(ticketId: string, now: Date): Promise<void> {
    await this.sql.query(
      `UPDATE ${this.schema}.support_tickets SET status = 'answered', updated_at = $2, awaiting_since = NULL,
         first_answer_at = coalesce(first_answer_at, $2), last_answer_at = $2
       WHERE id = $1`,
      [ticketId, now],
    );
  }

  /** Closes an open ticket; false when it was closed already (nothing changed). */
  async close(ticketId: string, input: { by: TicketSide; reason: string; at: Date }): Promise<boolean> {
    const { rows } = await this.sql.query(
      `UPDATE ${this.schema}.support_tickets SET status = 'closed', updated_at = $2, awaiting_since = NULL, closed_at = $2,
         closed_by = $3, close_reason = $4
       WHERE id = $1 AND status <> 'closed' RETURNING id`,
      [ticketId, input.at, input.by, input.reason],
    );
    return rows.length > 0;
  }

  /** Deletes a ticket and its thread; false when there was none. */
  async delete(ticketId: string): Promise<boolean> {
    const { rows } = await this.sql.query(`DELETE FROM ${this.schema}.support_tickets WHERE id = $1 RETURNING id`, [ticketId]);
    return rows.length > 0;
  }
}

/** Reads of the `support_tickets` tables (outside any transaction). */
export class TicketReads {
  constructor(
    private readonly db: SqlClient,
    private readonly schema: string,
  ) {}

  /** One ticket, or `null`. */
  async get(ticketId: string): Promise<Ticket | null> {
    const { rows } = await this.db.query<TicketRow>(`SELECT * FROM ${this.schema}.support_tickets WHERE id = $1`, [ticketId]);
    return rows[0] === undefined ? null : toTicket(rows[0]);
  }

  /** A ticket's thread, oldest first. */
  async messages(ticketId: string): Promise<TicketMessage[]> {
    const { rows } = await this.db.query<MessageRow>(
      `SELECT * FROM ${this.schema}.support_ticket_messages WHERE ticket_id = $1 ORDER BY seq`,
      [ticketId],
    );
    return rows.map(toMessage);
  }

  /** One message of a ticket, or `null`. */
  async message(ticketId: string, messageId: string): Promise<TicketMessage | null> {
    const { rows } = await this.db.query<MessageRow>(
      `SELECT * FROM ${this.schema}.support_ticket_messages WHERE ticket_id = $1 AND id = $2`,
      [ticketId, messageId],
    );
    return rows[0] === undefined ? null : toMessage(rows[0]);
  }

  /** A buyer's tickets, newest first. */
  async ofCustomer(customerId: string, limit: number): Promise<Ticket[]> {
    const { rows } = await this.db.query<TicketRow>(
      `SELECT * FROM ${this.schema}.support_tickets WHERE customer_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
      [customerId, limit],
    );
    return rows.map(toTicket);
  }

  /** Every open ticket, the longest waiting first (answered ones after those waiting). */
  async open(limit: number): Promise<Ticket[]> {
    const { rows } = await this.db.query<TicketRow>(
      `SELECT * FROM ${this.schema}.support_tickets WHERE status <> 'closed'
       ORDER BY awaiting_since ASC NULLS LAST, updated_at ASC, id LIMIT $1`,
      [limit],
    );
    return rows.map(toTicket);
  }

  /** Tickets closed since `since`, for the first-answer figures of the overview. */
  async closedSince(since: Date, limit: number): Promise<Ticket[]> {
    const { rows } = await this.db.query<TicketRow>(
      `SELECT * FROM ${this.schema}.support_tickets WHERE status = 'closed' AND closed_at >= $1 ORDER BY closed_at DESC LIMIT $2`,
      [since, limit],
    );
    return rows.map(toTicket);
  }
}
