import { createId, NotFoundError, PAYMENT_STATUSES, ValidationError } from '@panelkit/sdk';
import { ImportedPaymentSchema, NewPaymentSchema, PaymentPatchSchema } from '@panelkit/sdk/schemas';
import { inputKey, parseInput, timeKey } from '@panelkit/sdk/storage';
import type { NewPayment, PageRequest, Payment, PaymentPatch, PaymentStatus } from '@panelkit/sdk';
import type { CreatePaymentResult, PaymentFilter, PaymentRepository } from '@panelkit/sdk/storage';
import { rowLock } from '../internal/locks.js';
import { pageNewestFirst } from '../internal/paging.js';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';
import type { SqlQueryable } from '../client.js';

function paymentFromRow(r: Row): Payment {
  return {
    id: dec.text(r['id']),
    customerId: dec.text(r['customer_id']),
    providerId: dec.text(r['provider_id']),
    amount: dec.int(r['amount']),
    currency: dec.text(r['currency']),
    status: dec.text(r['status']) as PaymentStatus,
    externalRef: dec.textOrNull(r['external_ref']),
    requestKey: dec.textOrNull(r['request_key']),
    details: dec.json(r['details']),
    expiresAt: dec.timeOrNull(r['expires_at']),
    confirmation: dec.textOrNull(r['confirmation']) as Payment['confirmation'],
    ledgerEntryId: dec.textOrNull(r['ledger_entry_id']),
    reversalEntryId: dec.textOrNull(r['reversal_entry_id']),
    decidedBy: r['decided_by'] === null || r['decided_by'] === undefined ? null : dec.json(r['decided_by']),
    note: dec.textOrNull(r['note']),
    createdAt: dec.time(r['created_at']),
    updatedAt: dec.time(r['updated_at']),
  };
}

function parseStatuses(value: readonly PaymentStatus[]): PaymentStatus[] {
  if (!Array.isArray(value) || value.some((s) => !(PAYMENT_STATUSES as readonly string[]).includes(s)))
    throw new ValidationError('invalid payment statuses', [{ path: '(root)', message: 'must be payment statuses' }]);
  return [...value];
}

/** The columns a transition may set, by patch field. */
const PATCH_COLUMNS: Readonly<Record<string, readonly [column: string, cast: string]>> = {
  status: ['status', 'text'],
  externalRef: ['external_ref', 'text'],
  confirmation: ['confirmation', 'text'],
  ledgerEntryId: ['ledger_entry_id', 'text'],
  reversalEntryId: ['reversal_entry_id', 'text'],
  decidedBy: ['decided_by', 'jsonb'],
  note: ['note', 'text'],
};

/**
 * Payment intents. `create` serialises one buyer's creations with a transaction-scoped advisory lock
 * (so the pending limit holds across connections); `transition` is one conditional `UPDATE … WHERE
 * status = ANY(from)`, which waits for a concurrent transition of the row and then re-checks it.
 */
export function paymentRepository({ runner, schema }: RepositoryContext): PaymentRepository {
  const table = `${schema}.payments`;
  const read = { read: true } as const;

  const holder = async (
    db: SqlQueryable,
    p: { customerId: string; providerId: string; externalRef: string | null; requestKey: string | null },
  ) => {
    const { rows } = await db.query(
      `SELECT * FROM ${table} WHERE (provider_id = $2 AND external_ref = $3) OR (customer_id = $1 AND provider_id = $2 AND request_key = $4) LIMIT 1`,
      [p.customerId, p.providerId, p.externalRef, p.requestKey],
    );
    return rows[0] === undefined ? null : paymentFromRow(rows[0]);
  };

  return {
    create: (input: NewPayment, limits: { maxPending: number | null }) =>
      runner.run('payments.create', async ({ db, now }): Promise<CreatePaymentResult> => {
        const parsed = parseInput(NewPaymentSchema, input, 'payment');
        // A missing customer is a NotFoundError before anything else. The advisory lock (not the
        // customer's row, which ledger appends lock) makes one buyer's creations wait for each other.
        const customer = await db.query(`SELECT id FROM ${schema}.customers WHERE id = $1`, [parsed.customerId]);
        if (customer.rows.length === 0) throw new NotFoundError('customer', parsed.customerId);
        await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`panelkit.payments:${parsed.customerId}`]);
        const held = await holder(db, parsed);
        if (held !== null) return { ok: false, reason: 'duplicate', existing: held };
        const maxPending = limits?.maxPending ?? null;
        if (maxPending !== null) {
          const { rows } = await db.query(
            `SELECT count(*) AS n FROM ${table} WHERE customer_id = $1 AND provider_id = $2 AND status = 'pending'`,
            [parsed.customerId, parsed.providerId],
          );
          const pending = dec.int(rows[0]!['n']);
          if (pending >= maxPending) return { ok: false, reason: 'too_many_pending', pending };
        }
        const { rows } = await db.query(
          `INSERT INTO ${table} (id, customer_id, provider_id, amount, currency, status, external_ref, request_key, details, expires_at, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8::jsonb, $9::timestamptz, $10::timestamptz, $10::timestamptz)
           ON CONFLICT DO NOTHING RETURNING *`,
          [
            parsed.id ?? createId('pay'),
            parsed.customerId,
            parsed.providerId,
            parsed.amount,
            parsed.currency,
            parsed.externalRef,
            parsed.requestKey,
            enc.json(parsed.details),
            enc.timeOrNull(parsed.expiresAt),
            enc.time(now),
          ],
        );
        if (rows[0] !== undefined) return { ok: true, payment: paymentFromRow(rows[0]) };
        // Another buyer took the same external reference between our check and insert.
        const winner = await holder(db, parsed);
        if (winner === null) throw new ValidationError('payment insert refused', [{ path: 'id', message: 'already used' }]);
        return { ok: false, reason: 'duplicate', existing: winner };
      }),

    import: (payment: Payment) =>
      runner.run('payments.import', async ({ db }) => {
        const p = parseInput(ImportedPaymentSchema, payment, 'payment');
        const { rows } = await db.query(
          `INSERT INTO ${table} (id, customer_id, provider_id, amount, currency, status, external_ref, request_key, details, expires_at,
             confirmation, ledger_entry_id, reversal_entry_id, decided_by, note, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::timestamptz, $11, $12, $13, $14::jsonb, $15, $16::timestamptz, $17::timestamptz)
           ON CONFLICT (id) DO NOTHING RETURNING id`,
          [
            p.id,
            p.customerId,
            p.providerId,
            p.amount,
            p.currency,
            p.status,
            p.externalRef,
            p.requestKey,
            enc.json(p.details),
            enc.timeOrNull(p.expiresAt),
            p.confirmation,
            p.ledgerEntryId,
            p.reversalEntryId,
            enc.jsonOrNull(p.decidedBy),
            p.note,
            enc.time(p.createdAt),
            enc.time(p.updatedAt),
          ],
        );
        return rows.length > 0;
      }),

    get: (id: string) =>
      runner.run(
        'payments.get',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT * FROM ${table} WHERE id = $1`, [inputKey(id, 'payment id')]);
          return rows[0] === undefined ? null : paymentFromRow(rows[0]);
        },
        read,
      ),

    getByExternalRef: (providerId: string, externalRef: string) =>
      runner.run(
        'payments.getByExternalRef',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT * FROM ${table} WHERE provider_id = $1 AND external_ref = $2`, [
            inputKey(providerId, 'provider id'),
            inputKey(externalRef, 'external reference'),
          ]);
          return rows[0] === undefined ? null : paymentFromRow(rows[0]);
        },
        read,
      ),

    transition: (id: string, from: readonly PaymentStatus[], patch: PaymentPatch) =>
      runner.run('payments.transition', async ({ db, now }) => {
        const statuses = parseStatuses(from);
        const parsed = parseInput(PaymentPatchSchema, patch, 'payment patch');
        const key = inputKey(id, 'payment id');
        // Lock first (and wait for a concurrent transition), then decide on what committed.
        const locked = await db.query(`SELECT status FROM ${table} WHERE id = $1 ${rowLock(parsed.externalRef !== undefined)}`, [key]);
        const current = locked.rows[0];
        if (current === undefined || !statuses.includes(dec.text(current['status']) as PaymentStatus)) return null;
        const sets: string[] = ['updated_at = $2::timestamptz'];
        const params: unknown[] = [key, enc.time(now)];
        for (const [field, value] of Object.entries(parsed)) {
          if (value === undefined) continue;
          if (field === 'details') {
            params.push(enc.json(value));
            sets.push(`details = details || $${params.length}::jsonb`);
            continue;
          }
          const [column, cast] = PATCH_COLUMNS[field]!;
          params.push(cast === 'jsonb' ? enc.jsonOrNull(value) : value);
          sets.push(`${column} = $${params.length}::${cast}`);
        }
        const { rows } = await db.query(`UPDATE ${table} SET ${sets.join(', ')} WHERE id = $1 RETURNING *`, params);
        return paymentFromRow(rows[0]!);
      }),

    list: (filter: PaymentFilter, page: PageRequest) =>
      runner.run(
        'payments.list',
        ({ db }) => {
          const where: string[] = [];
          const params: unknown[] = [];
          if (filter.customerId !== undefined) {
            params.push(inputKey(filter.customerId, 'customer id'));
            where.push(`customer_id = $${params.length}`);
          }
          if (filter.providerId !== undefined) {
            params.push(inputKey(filter.providerId, 'provider id'));
            where.push(`provider_id = $${params.length}`);
          }
          if (filter.statuses !== undefined) {
            params.push(parseStatuses(filter.statuses));
            where.push(`status = ANY($${params.length}::text[])`);
          }
          if (filter.createdFrom !== undefined) {
            params.push(enc.time(filter.createdFrom));
            where.push(`created_at >= $${params.length}::timestamptz`);
          }
          if (filter.createdBefore !== undefined) {
            params.push(enc.time(filter.createdBefore));
            where.push(`created_at < $${params.length}::timestamptz`);
          }
          const anyOf = filter.anyOf;
          if (anyOf !== undefined) {
            const either: string[] = [];
            if (anyOf.customerIds !== undefined) {
              params.push(anyOf.customerIds.map((id) => inputKey(id, 'customer id')));
              either.push(`customer_id = ANY($${params.length}::text[])`);
            }
            if (anyOf.externalRefContains !== undefined) {
              params.push(anyOf.externalRefContains);
              either.push(`strpos(external_ref, $${params.length}::text) > 0`);
            }
            if (anyOf.amount !== undefined) {
              params.push(anyOf.amount);
              either.push(`amount = $${params.length}::bigint`);
            }
            where.push(either.length === 0 ? 'false' : `(${either.join(' OR ')})`);
          }
          return pageNewestFirst(db, table, paymentFromRow, page, {
            ...(where.length === 0 ? {} : { where: where.join(' AND ') }),
            params,
            key: (p) => timeKey(p.createdAt, p.id),
          });
        },
        read,
      ),

    listExpiring: (at: Date, limit: number) =>
      runner.run(
        'payments.listExpiring',
        async ({ db }) => {
          const { rows } = await db.query(
            `SELECT * FROM ${table} WHERE status = 'pending' AND expires_at IS NOT NULL AND expires_at <= $1::timestamptz
             ORDER BY expires_at, id LIMIT $2`,
            [enc.time(at), Math.max(0, Math.trunc(limit))],
          );
          return rows.map(paymentFromRow);
        },
        read,
      ),

    countPending: (customerId: string, providerId: string) =>
      runner.run(
        'payments.countPending',
        async ({ db }) => {
          const { rows } = await db.query(
            `SELECT count(*) AS n FROM ${table} WHERE customer_id = $1 AND provider_id = $2 AND status = 'pending'`,
            [inputKey(customerId, 'customer id'), inputKey(providerId, 'provider id')],
          );
          return dec.int(rows[0]!['n']);
        },
        read,
      ),
  };
}
