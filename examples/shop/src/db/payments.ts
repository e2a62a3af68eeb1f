import { createId, type Clock, type Money, type Page } from '@panelkit/sdk';
import type { SqlClient, SqlQueryable } from '@panelkit/storage-postgres';
import { writeNotification } from '../notifications/store.js';

export type PaymentStatus = 'pending' | 'approved' | 'rejected';

/** What a provider keeps beside the amount: the receipt's card digits and payment time, the submitting form's key. */
export interface PaymentDetails {
  cardLast4?: string;
  /** ISO instant the buyer says they paid. */
  paidAt?: string;
  /** The key of the form that submitted it: the same form sent twice is one payment. */
  requestKey?: string;
  /** A gateway's invoice for this payment and the page the buyer pays on. */
  invoiceId?: string;
  invoiceUrl?: string;
}

/** A payment as the shop records it; the money itself moves in the engine's ledger once it is approved. */
export interface Payment {
  id: string;
  customerId: string;
  provider: string;
  amount: Money;
  status: PaymentStatus;
  reference: string | null;
  referenceKey: string | null;
  details: PaymentDetails;
  creditedEntryId: string | null;
  createdAt: Date;
  reviewedAt: Date | null;
  /** The reviewing admin's account id (`null` for instant providers). */
  reviewedBy: string | null;
  reviewNote: string | null;
}

/** A payment with its buyer's email, for the admin's lists. */
export type PaymentWithEmail = Payment & { email: string | null };

export interface NewPayment {
  customerId: string;
  provider: string;
  amount: Money;
  status: 'pending' | 'approved';
  reference: string | null;
  referenceKey: string | null;
  details: PaymentDetails;
}

export type CreatePaymentResult =
  | { ok: true; payment: Payment }
  /** The reference key was used before (`existing` is that payment), or the buyer has too many receipts waiting. */
  | { ok: false; reason: 'duplicate'; existing: Payment }
  | { ok: false; reason: 'too_many_pending' };

/** A `payments` row as the driver returns it. */
export interface PaymentRow {
  id: string;
  customer_id: string;
  provider: string;
  amount: string | number | bigint;
  currency: string;
  status: PaymentStatus;
  reference: string | null;
  reference_key: string | null;
  details: PaymentDetails | string | null;
  credited_entry_id: string | null;
  created_at: Date | string;
  reviewed_at: Date | string | null;
  reviewed_by: string | null;
  review_note: string | null;
  email?: string | null;
}

/** A `payments` row (with the account's email when joined) as a `Payment`. */
export function toPayment(row: PaymentRow): Payment {
  return {
    id: row.id,
    customerId: row.customer_id,
    provider: row.provider,
    amount: { amount: Number(row.amount), currency: row.currency },
    status: row.status,
    reference: row.reference,
    referenceKey: row.reference_key,
    details: typeof row.details === 'string' ? (JSON.parse(row.details) as PaymentDetails) : (row.details ?? {}),
    creditedEntryId: row.credited_entry_id,
    createdAt: new Date(row.created_at),
    reviewedAt: row.reviewed_at === null ? null : new Date(row.reviewed_at),
    reviewedBy: row.reviewed_by,
    reviewNote: row.review_note,
  };
}

/** Keyset cursor over `(created_at, id)`, newest first. */
function encodeCursor(payment: Payment): string {
  return Buffer.from(`${payment.createdAt.toISOString()}|${payment.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { at: Date; id: string } | null {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(at ?? '');
  return id === undefined || id.length === 0 || Number.isNaN(date.getTime()) ? null : { at: date, id };
}

/** The `payments` table: receipts and instant payments, their review, and whether the ledger has them yet. */
export class PaymentStore {
  constructor(
    private readonly db: SqlClient,
    private readonly schema: string,
    private readonly clock: Clock,
  ) {}

  private get table(): string {
    return `${this.schema}.payments`;
  }

  /**
   * Records a payment. Under a per-customer lock (so the pending cap holds for concurrent
   * submissions too): a reference key already used is refused with the payment that used it,
   * then the pending cap is checked, then the row is inserted; the unique index
   * `payments_reference_once` settles a race between two customers with one reference.
   */
  async create(input: NewPayment, options: { maxPending: number | null }): Promise<CreatePaymentResult> {
    return this.db.transaction(async (db) => {
      await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`panelkit.shop.payments:${input.customerId}`]);
      const existing = await this.byReference(db, input.provider, input.referenceKey);
      if (existing !== null) return { ok: false, reason: 'duplicate', existing };
      if (options.maxPending !== null) {
        const { rows } = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${this.table} WHERE customer_id = $1 AND status = 'pending'`,
          [input.customerId],
        );
        if ((rows[0]?.n ?? 0) >= options.maxPending) return { ok: false, reason: 'too_many_pending' };
      }
      const now = this.clock.now();
      const { rows } = await db.query<PaymentRow>(
        `INSERT INTO ${this.table} (id, customer_id, provider, amount, currency, status, reference, reference_key, details, created_at, reviewed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING RETURNING *`,
        [
          createId('pay'),
          input.customerId,
          input.provider,
          input.amount.amount,
          input.amount.currency,
          input.status,
          input.reference,
          input.referenceKey,
          JSON.stringify(input.details),
          now,
          input.status === 'approved' ? now : null,
        ],
      );
      if (rows[0] !== undefined) return { ok: true, payment: toPayment(rows[0]) };
      const winner = await this.byReference(db, input.provider, input.referenceKey);
      if (winner === null) throw new Error('payment insert refused without a duplicate reference');
      return { ok: false, reason: 'duplicate', existing: winner };
    });
  }

  private async byReference(db: SqlQueryable, provider: string, referenceKey: string | null): Promise<Payment | null> {
    if (referenceKey === null) return null;
    const { rows } = await db.query<PaymentRow>(`SELECT * FROM ${this.table} WHERE provider = $1 AND reference_key = $2`, [
      provider,
      referenceKey,
    ]);
    return rows[0] === undefined ? null : toPayment(rows[0]);
  }

  async get(id: string): Promise<Payment | null> {
    const { rows } = await this.db.query<PaymentRow>(`SELECT * FROM ${this.table} WHERE id = $1`, [id]);
    return rows[0] === undefined ? null : toPayment(rows[0]);
  }

  /** Newest first; `null` cursor for the first page. A cursor that does not parse starts from the top. */
  async listByCustomer(customerId: string, page: { limit: number; cursor?: string | null }): Promise<Page<Payment>> {
    const after = page.cursor ? decodeCursor(page.cursor) : null;
    const { rows } = await this.db.query<PaymentRow>(
      `SELECT * FROM ${this.table} WHERE customer_id = $1 ${after === null ? '' : 'AND (created_at, id) < ($3, $4)'}
       ORDER BY created_at DESC, id DESC LIMIT $2`,
      after === null ? [customerId, page.limit + 1] : [customerId, page.limit + 1, after.at, after.id],
    );
    const items = rows.slice(0, page.limit).map(toPayment);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > page.limit && last !== undefined ? encodeCursor(last) : null };
  }

  /** Receipts waiting for an admin, oldest first. */
  async listPending(limit: number): Promise<PaymentWithEmail[]> {
    return this.withEmails(`WHERE p.status = 'pending' ORDER BY p.created_at, p.id LIMIT $1`, [limit]);
  }

  /** Receipts an admin decided, most recently decided first. */
  async listReviewed(limit: number): Promise<PaymentWithEmail[]> {
    return this.withEmails(`WHERE p.status <> 'pending' AND p.reviewed_by IS NOT NULL ORDER BY p.reviewed_at DESC, p.id DESC LIMIT $1`, [
      limit,
    ]);
  }

  private async withEmails(tail: string, params: unknown[]): Promise<PaymentWithEmail[]> {
    const { rows } = await this.db.query<PaymentRow>(
      `SELECT p.*, a.email FROM ${this.table} p LEFT JOIN ${this.schema}.accounts a ON a.customer_id = p.customer_id ${tail}`,
      params,
    );
    return rows.map((row) => ({ ...toPayment(row), email: row.email ?? null }));
  }

  /**
   * Decides a pending payment in one conditional update, so of two admins (or an approve and a
   * reject) exactly one wins; `null` when it was not pending any more (or does not exist). The
   * buyer's notification of the decision is written in the same transaction.
   */
  async review(id: string, decision: 'approved' | 'rejected', by: string, note: string | null): Promise<Payment | null> {
    const now = this.clock.now();
    return this.db.transaction(async (db) => {
      const { rows } = await db.query<PaymentRow>(
        `UPDATE ${this.table} SET status = $2, reviewed_at = $3, reviewed_by = $4, review_note = $5
         WHERE id = $1 AND status = 'pending' RETURNING *`,
        [id, decision, now, by, note],
      );
      if (rows[0] === undefined) return null;
      const payment = toPayment(rows[0]);
      // The buyer hears of the decision exactly when it commits.
      await writeNotification(db, this.schema, now, {
        recipient: { kind: 'customer', customerId: payment.customerId },
        kind: decision === 'approved' ? 'receipt_approved' : 'receipt_rejected',
        source: `payment:${payment.id}`,
        params: { paymentId: payment.id, amount: payment.amount.amount, currency: payment.amount.currency, note },
      });
      return payment;
    });
  }

  /**
   * A gateway confirmed payment `reference` for this pending payment: approved in one conditional update that also
   * takes the gateway's payment id as its reference key (unique per provider). `null` when it was not pending.
   */
  async approveFromGateway(id: string, reference: string): Promise<Payment | null> {
    const { rows } = await this.db.query<PaymentRow>(
      `UPDATE ${this.table} SET status = 'approved', reviewed_at = $3, reference = $2, reference_key = $2
        WHERE id = $1 AND status = 'pending' RETURNING *`,
      [id, reference, this.clock.now()],
    );
    return rows[0] === undefined ? null : toPayment(rows[0]);
  }

  /** A gateway says this pending payment will not be paid (failed, expired): rejected, once. */
  async rejectFromGateway(id: string, note: string): Promise<void> {
    await this.db.query(
      `UPDATE ${this.table} SET status = 'rejected', reviewed_at = $2, review_note = $3 WHERE id = $1 AND status = 'pending'`,
      [id, this.clock.now(), note],
    );
  }

  /** Notes the gateway's invoice (and its pay page) on a pending payment. */
  async attachInvoice(id: string, invoiceId: string, invoiceUrl: string): Promise<void> {
    await this.db.query(`UPDATE ${this.table} SET details = details || $2::jsonb WHERE id = $1`, [
      id,
      JSON.stringify({ invoiceId, invoiceUrl }),
    ]);
  }

  /** The payment a provider's reference key names, or `null`. */
  async byProviderReference(provider: string, referenceKey: string): Promise<Payment | null> {
    const { rows } = await this.db.query<PaymentRow>(`SELECT * FROM ${this.table} WHERE provider = $1 AND reference_key = $2`, [
      provider,
      referenceKey,
    ]);
    return rows[0] === undefined ? null : toPayment(rows[0]);
  }

  async markCredited(id: string, entryId: string): Promise<void> {
    await this.db.query(`UPDATE ${this.table} SET credited_entry_id = $2 WHERE id = $1 AND credited_entry_id IS NULL`, [id, entryId]);
  }

  /** Approved payments the ledger does not have yet, oldest first: the settle sweep's queue. */
  async listUncredited(limit: number): Promise<Payment[]> {
    const { rows } = await this.db.query<PaymentRow>(
      `SELECT * FROM ${this.table} WHERE status = 'approved' AND credited_entry_id IS NULL ORDER BY created_at, id LIMIT $1`,
      [limit],
    );
    return rows.map(toPayment);
  }
}

export function paymentsOf(shop: { db: SqlClient; shopSchema: string; clock: Clock }): PaymentStore {
  return new PaymentStore(shop.db, shop.shopSchema, shop.clock);
}
