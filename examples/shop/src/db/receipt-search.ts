import type { SqlClient } from '@panelkit/storage-postgres';
import { referenceKey } from '../payments/digits.js';
import { toPayment, type PaymentRow, type PaymentStatus, type PaymentWithEmail } from './payments.js';

/** What the admin receipts queue is narrowed by; every field is optional (`null`: not narrowed). */
export interface ReceiptFilters {
  /** A reference (compared as the duplicate check does), part of a customer's email, or an amount in minor units. */
  text: string | null;
  /** The amount `text` reads as, in minor units, when it reads as one. */
  amount: number | null;
  status: PaymentStatus | null;
  provider: string | null;
  /** Submitted on or after this day (YYYY-MM-DD in `timeZone`). */
  from: string | null;
  /** Submitted on or before this day (YYYY-MM-DD in `timeZone`). */
  to: string | null;
  timeZone: string;
  /** Only these payments (the bulk approval's selection). */
  ids?: readonly string[];
}

/** Payments matching the filters with their customer's email: pending oldest first, decided ones newest first. */
export async function searchReceipts(
  shop: { db: SqlClient; shopSchema: string },
  filters: ReceiptFilters,
  limit: number,
): Promise<PaymentWithEmail[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filters.ids !== undefined) where.push(`p.id = ANY(${param([...filters.ids])}::text[])`);
  if (filters.status !== null) where.push(`p.status = ${param(filters.status)}`);
  if (filters.provider !== null) where.push(`p.provider = ${param(filters.provider)}`);
  if (filters.from !== null)
    where.push(`p.created_at >= (${param(filters.from)}::date::timestamp AT TIME ZONE ${param(filters.timeZone)})`);
  if (filters.to !== null)
    where.push(`p.created_at < ((${param(filters.to)}::date + 1)::timestamp AT TIME ZONE ${param(filters.timeZone)})`);
  if (filters.text !== null) {
    const like = `%${filters.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const either = [`lower(a.email) LIKE ${param(like)}`];
    const key = referenceKey(filters.text);
    if (key.length > 0) either.push(`p.reference_key LIKE ${param(`%${key.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
    if (filters.amount !== null) either.push(`p.amount = ${param(filters.amount)}`);
    where.push(`(${either.join(' OR ')})`);
  }
  const order = filters.status === 'pending' ? 'p.created_at, p.id' : 'p.created_at DESC, p.id DESC';
  const { rows } = await shop.db.query<PaymentRow>(
    `SELECT p.*, a.email FROM ${shop.shopSchema}.payments p LEFT JOIN ${shop.shopSchema}.accounts a ON a.customer_id = p.customer_id
     ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`} ORDER BY ${order} LIMIT ${param(limit)}`,
    params,
  );
  return rows.map((row) => ({ ...toPayment(row), email: row.email ?? null }));
}
