import { paymentLedgerKey, type Actor, type JsonObject, type Panelkit, type Payment } from '@panelkit/sdk';
import type { LedgerRepository } from '@panelkit/sdk/storage';
import type { SqlQueryable } from '@panelkit/storage-postgres';

/** How long the crypto gateway's invoices lived when the shop kept its own payments table (24 hours). */
const LEGACY_INVOICE_TTL_MS = 24 * 3_600_000;

/** A row of the shop's own `payments` table, as releases before the SDK's payments wrote it. */
interface LegacyPaymentRow {
  id: string;
  customer_id: string;
  provider: string;
  amount: string | number;
  currency: string;
  status: 'pending' | 'approved' | 'rejected';
  reference: string | null;
  reference_key: string | null;
  details: Record<string, unknown> | string | null;
  created_at: Date | string;
  reviewed_at: Date | string | null;
  reviewed_by: string | null;
  review_note: string | null;
}

/** What the carry-over did: how many rows it read, how many were new to the SDK, which could not be carried. */
export interface CarryOverResult {
  read: number;
  imported: number;
  failed: { id: string; error: string }[];
}

const GATEWAY: Actor = { type: 'system', id: 'payment-gateway' };
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/**
 * One legacy row as an SDK payment, keeping its id (so its ledger key `payment:<id>` is the SDK's too).
 * An approved row is `credited` with the ledger entry its id's key holds; an approved row the ledger
 * never got (a crash the old settle sweep would have finished) is carried over `pending`, for an admin.
 * A crypto row's reference is its gateway invoice; a second gateway payment on one invoice is
 * `<invoice>/<gateway payment>`, as the SDK records one.
 */
export function legacyToSdk(row: LegacyPaymentRow, ledgerEntryId: string | null, now: Date): Payment {
  const details = (typeof row.details === 'string' ? JSON.parse(row.details) : (row.details ?? {})) as Record<string, unknown>;
  const createdAt = new Date(row.created_at);
  const decidedAt = row.reviewed_at === null ? createdAt : new Date(row.reviewed_at);
  const credited = row.status === 'approved' && ledgerEntryId !== null;
  const status = row.status === 'approved' ? (credited ? 'credited' : 'pending') : row.status;
  const gatewayPayment = row.reference_key !== null && !row.reference_key.startsWith('form:') ? row.reference_key : undefined;
  let externalRef: string | null = null;
  let requestKey = text(details['requestKey']) ?? null;
  const kept: JsonObject = {};
  for (const [key, value] of Object.entries(details)) if (typeof value === 'string') kept[key] = value;
  if (row.provider === 'crypto') {
    const invoice = text(details['invoiceId']);
    // Rows the shop made for a second gateway payment on an invoice carry no request key.
    externalRef =
      invoice === undefined ? (gatewayPayment ?? null) : requestKey === null && gatewayPayment ? `${invoice}/${gatewayPayment}` : invoice;
    if (gatewayPayment !== undefined) kept['settlementRef'] = gatewayPayment;
  } else if (row.provider === 'test') {
    requestKey = requestKey ?? row.reference_key;
  } else {
    externalRef = row.reference_key;
    if (row.reference !== null) kept['reference'] = row.reference;
  }
  const admin: Actor | null = row.reviewed_by === null ? null : { type: 'admin', id: row.reviewed_by };
  return {
    id: row.id,
    customerId: row.customer_id,
    providerId: row.provider,
    amount: Number(row.amount),
    currency: row.currency,
    status,
    externalRef,
    requestKey,
    details: kept,
    expiresAt:
      status === 'pending' && row.provider === 'crypto'
        ? new Date(Math.max(createdAt.getTime() + LEGACY_INVOICE_TTL_MS, now.getTime()))
        : null,
    confirmation: credited
      ? row.provider === 'test'
        ? 'instant'
        : row.provider === 'crypto'
          ? admin === null
            ? 'gateway'
            : 'admin_mark_paid'
          : 'admin_approval'
      : null,
    ledgerEntryId: credited ? ledgerEntryId : null,
    reversalEntryId: null,
    decidedBy: status === 'pending' ? null : (admin ?? GATEWAY),
    note: row.review_note,
    createdAt,
    updatedAt: status === 'pending' ? createdAt : decidedAt,
  };
}

/** Whether the shop's schema still has the `payments` table of earlier releases. */
export async function hasLegacyPayments(db: SqlQueryable, shopSchema: string): Promise<boolean> {
  const { rows } = await db.query<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [`${shopSchema}.payments`]);
  return rows[0]?.found === true;
}

/**
 * Carries the shop's own payments of earlier releases over to the SDK (`kit.payments.import`), once per
 * payment however often it runs, on however many replicas: a payment already carried is left as it is.
 * Reads the old table only; the shop migration `drop_legacy_payments` drops it once this has carried
 * every row (`migrateShopCarryingPayments`).
 */
export async function carryOverLegacyPayments(
  db: SqlQueryable,
  shopSchema: string,
  engine: { kit: Panelkit; ledger: Pick<LedgerRepository, 'getByIdempotencyKey'> },
  now: Date,
): Promise<CarryOverResult> {
  const result: CarryOverResult = { read: 0, imported: 0, failed: [] };
  if (!(await hasLegacyPayments(db, shopSchema))) return result;
  const { rows } = await db.query<LegacyPaymentRow>(`SELECT * FROM ${shopSchema}.payments ORDER BY created_at, id`);
  for (const row of rows) {
    result.read++;
    try {
      const entry = row.status === 'approved' ? await engine.ledger.getByIdempotencyKey(paymentLedgerKey(row.id)) : null;
      if (await engine.kit.payments.import(legacyToSdk(row, entry?.id ?? null, now))) result.imported++;
    } catch (error) {
      result.failed.push({ id: row.id, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return result;
}
