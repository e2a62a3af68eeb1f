import { IdempotencyConflictError, InsufficientFundsError, NotFoundError, ValidationError, createId } from '@panelkit/sdk';
import type { Actor, Money, PageRequest } from '@panelkit/sdk';
import { CurrencySchema } from '@panelkit/sdk/schemas';
import { NewPayoutEntrySchema, NewWithdrawalSchema, WITHDRAWAL_STATUSES, WithdrawalTransitionSchema } from '@panelkit/sdk/storefronts';
import type {
  NewPayoutEntry,
  NewWithdrawal,
  PayoutEntry,
  Withdrawal,
  WithdrawalStatus,
  WithdrawalTransition,
} from '@panelkit/sdk/storefronts';
import { inputKey, parseInput, timeKey } from '@panelkit/sdk/storage';
import type { PayoutAppendResult, PayoutRepository } from '@panelkit/sdk/storage';
import type { SqlQueryable } from '../client.js';
import { isUniqueViolation } from '../internal/errors.js';
import { rowLock } from '../internal/locks.js';
import { pageNewestFirst } from '../internal/paging.js';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';

function entryFromRow(r: Row): PayoutEntry {
  return {
    id: dec.text(r['id']),
    partnerId: dec.text(r['partner_id']),
    kind: dec.text(r['kind']) as PayoutEntry['kind'],
    amount: dec.int(r['amount']),
    currency: dec.text(r['currency']),
    idempotencyKey: dec.text(r['idempotency_key']),
    storefrontId: dec.textOrNull(r['storefront_id']),
    orderId: dec.textOrNull(r['order_id']),
    withdrawalId: dec.textOrNull(r['withdrawal_id']),
    note: dec.textOrNull(r['note']),
    actor: dec.json<Actor>(r['actor']),
    balanceAfter: dec.int(r['balance_after']),
    createdAt: dec.time(r['created_at']),
  };
}

function withdrawalFromRow(r: Row): Withdrawal {
  return {
    id: dec.text(r['id']),
    partnerId: dec.text(r['partner_id']),
    amount: { amount: dec.int(r['amount']), currency: dec.text(r['currency']) },
    status: dec.text(r['status']) as WithdrawalStatus,
    destination: dec.text(r['destination']),
    idempotencyKey: dec.text(r['idempotency_key']),
    reason: dec.textOrNull(r['reason']),
    reference: dec.textOrNull(r['reference']),
    requestedAt: dec.time(r['requested_at']),
    decidedAt: dec.timeOrNull(r['decided_at']),
    decidedBy: r['decided_by'] === null || r['decided_by'] === undefined ? null : dec.json<Actor>(r['decided_by']),
    paidAt: dec.timeOrNull(r['paid_at']),
    updatedAt: dec.time(r['updated_at']),
  };
}

function moneyRows(rows: Row[]): Money[] {
  return rows.map((r) => ({ amount: dec.int(r['amount']), currency: dec.text(r['currency']) }));
}

/**
 * Payouts: entries in `{schema}.payout_entries` with a balance row per partner and currency in `payout_balances`,
 * locked (`FOR NO KEY UPDATE`, made first when missing) by every append; withdrawals in `withdrawals`, moved by one
 * conditional `UPDATE … WHERE status = ANY(…)` so the row lock serialises racing decisions and the later ones match
 * nothing.
 */
export function payoutRepository({ runner, schema }: RepositoryContext): PayoutRepository {
  const entries = `${schema}.payout_entries`;
  const balances = `${schema}.payout_balances`;
  const withdrawals = `${schema}.withdrawals`;
  const read = { read: true } as const;

  async function append(db: SqlQueryable, now: Date, input: NewPayoutEntry): Promise<PayoutAppendResult> {
    const entry = parseInput(NewPayoutEntrySchema, input, 'payout entry');
    const replay = async () => {
      const { rows } = await db.query(`SELECT * FROM ${entries} WHERE idempotency_key = $1`, [entry.idempotencyKey]);
      if (rows[0] === undefined) return undefined;
      const e = entryFromRow(rows[0]);
      if (e.partnerId !== entry.partnerId || e.kind !== entry.kind || e.amount !== entry.amount || e.currency !== entry.currency)
        throw new IdempotencyConflictError(entry.idempotencyKey);
      return { entry: e, created: false };
    };
    const early = await replay();
    if (early !== undefined) return early;
    const partner = await db.query(`SELECT id FROM ${schema}.customers WHERE id = $1`, [entry.partnerId]);
    if (partner.rows[0] === undefined) throw new NotFoundError('customer', entry.partnerId);
    await db.query(`INSERT INTO ${balances} (partner_id, currency, amount) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING`, [
      entry.partnerId,
      entry.currency,
    ]);
    const { rows } = await db.query(`SELECT amount FROM ${balances} WHERE partner_id = $1 AND currency = $2 ${rowLock()}`, [
      entry.partnerId,
      entry.currency,
    ]);
    // Another append with this key may have committed while we waited for the lock.
    const raced = await replay();
    if (raced !== undefined) return raced;
    const balance = dec.int(rows[0]!['amount']);
    const after = balance + entry.amount;
    if (!Number.isSafeInteger(after))
      throw new ValidationError('invalid payout entry: amount: the balance would leave the safe integer range', [
        { path: 'amount', message: 'the balance would leave the safe integer range' },
      ]);
    if (entry.kind === 'withdrawal_hold' && after < 0)
      throw new InsufficientFundsError(entry.partnerId, entry.currency, balance, -entry.amount, { details: { payout: true } });
    const inserted = await db.query(
      `INSERT INTO ${entries} (id, partner_id, kind, amount, currency, idempotency_key, storefront_id, order_id, withdrawal_id, note, actor,
         balance_after, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13::timestamptz) RETURNING *`,
      [
        entry.id ?? createId('pay'),
        entry.partnerId,
        entry.kind,
        entry.amount,
        entry.currency,
        entry.idempotencyKey,
        entry.storefrontId,
        entry.orderId,
        entry.withdrawalId,
        entry.note,
        enc.json(entry.actor),
        after,
        enc.time(now),
      ],
    );
    await db.query(`UPDATE ${balances} SET amount = $3 WHERE partner_id = $1 AND currency = $2`, [entry.partnerId, entry.currency, after]);
    return { entry: entryFromRow(inserted.rows[0]!), created: true };
  }

  return {
    append: (input: NewPayoutEntry) =>
      runner.run('payouts.append', ({ db, now }) => append(db, now, input), {
        retryOn: (error) => isUniqueViolation(error, 'payout_entries_idempotency_key'),
      }),
    balance: (partnerId: string, currency: string) =>
      runner.run(
        'payouts.balance',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT amount FROM ${balances} WHERE partner_id = $1 AND currency = $2`, [
            inputKey(partnerId, 'partner id'),
            parseInput(CurrencySchema, currency, 'currency'),
          ]);
          return rows[0] === undefined ? 0 : dec.int(rows[0]['amount']);
        },
        read,
      ),
    balances: (partnerId: string) =>
      runner.run(
        'payouts.balances',
        async ({ db }) =>
          moneyRows(
            (
              await db.query(`SELECT amount, currency FROM ${balances} WHERE partner_id = $1 ORDER BY currency`, [
                inputKey(partnerId, 'partner id'),
              ])
            ).rows,
          ),
        read,
      ),
    list: (partnerId: string, page: PageRequest) =>
      runner.run(
        'payouts.list',
        ({ db }) =>
          pageNewestFirst(db, entries, entryFromRow, page, {
            where: 'partner_id = $1',
            params: [inputKey(partnerId, 'partner id')],
            key: (e) => timeKey(e.createdAt, e.id),
          }),
        read,
      ),
    createWithdrawal: (input: NewWithdrawal) =>
      runner.run('payouts.createWithdrawal', async ({ db, now }) => {
        const w = parseInput(NewWithdrawalSchema, input, 'withdrawal');
        const existing = async () => {
          const { rows } = await db.query(`SELECT * FROM ${withdrawals} WHERE partner_id = $1 AND idempotency_key = $2`, [
            w.partnerId,
            w.idempotencyKey,
          ]);
          if (rows[0] === undefined) return undefined;
          const found = withdrawalFromRow(rows[0]);
          if (found.amount.amount !== w.amount.amount || found.amount.currency !== w.amount.currency || found.destination !== w.destination)
            throw new IdempotencyConflictError(w.idempotencyKey);
          return { withdrawal: found, created: false };
        };
        const early = await existing();
        if (early !== undefined) return early;
        const id = w.id ?? createId('wdr');
        // The same key asked at once on two connections: this insert waits for the other and does nothing.
        const { rows } = await db.query(
          `INSERT INTO ${withdrawals} (id, partner_id, amount, currency, status, destination, idempotency_key, requested_at, updated_at)
             VALUES ($1, $2, $3, $4, 'requested', $5, $6, $7::timestamptz, $7::timestamptz)
             ON CONFLICT (partner_id, idempotency_key) DO NOTHING RETURNING *`,
          [id, w.partnerId, w.amount.amount, w.amount.currency, w.destination, w.idempotencyKey, enc.time(now)],
        );
        if (rows[0] === undefined) return (await existing())!;
        await append(db, now, {
          partnerId: w.partnerId,
          kind: 'withdrawal_hold',
          amount: -w.amount.amount,
          currency: w.amount.currency,
          idempotencyKey: `withdrawal.hold:${id}`,
          withdrawalId: id,
          actor: { type: 'customer', id: w.partnerId },
        });
        return { withdrawal: withdrawalFromRow(rows[0]!), created: true };
      }),
    getWithdrawal: (id: string) =>
      runner.run(
        'payouts.getWithdrawal',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT * FROM ${withdrawals} WHERE id = $1`, [inputKey(id, 'withdrawal id')]);
          return rows[0] === undefined ? null : withdrawalFromRow(rows[0]);
        },
        read,
      ),
    listWithdrawals: (filter: { partnerId?: string; status?: WithdrawalStatus }, page: PageRequest) =>
      runner.run(
        'payouts.listWithdrawals',
        ({ db }) => {
          if (filter.status !== undefined && !WITHDRAWAL_STATUSES.includes(filter.status))
            throw new ValidationError('invalid status', [{ path: 'status', message: 'not a withdrawal status' }]);
          return pageNewestFirst(db, withdrawals, withdrawalFromRow, page, {
            where: '($1::text IS NULL OR partner_id = $1) AND ($2::text IS NULL OR status = $2)',
            params: [filter.partnerId ?? null, filter.status ?? null],
            time: 'requested_at',
            key: (w) => timeKey(w.requestedAt, w.id),
          });
        },
        read,
      ),
    transitionWithdrawal: (id: string, from: readonly WithdrawalStatus[], transition: WithdrawalTransition) =>
      runner.run(
        'payouts.transitionWithdrawal',
        async ({ db, now }) => {
          const t = parseInput(WithdrawalTransitionSchema, transition, 'withdrawal transition');
          const decided = t.to === 'approved' || t.to === 'refused';
          const { rows } = await db.query(
            `UPDATE ${withdrawals} SET status = $3, reason = coalesce($4, reason), reference = coalesce($5, reference),
               decided_at = CASE WHEN $6 THEN $7::timestamptz ELSE decided_at END,
               decided_by = CASE WHEN $6 THEN $8::jsonb ELSE decided_by END,
               paid_at = CASE WHEN $3 = 'paid' THEN $7::timestamptz ELSE paid_at END,
               updated_at = $7::timestamptz
             WHERE id = $1 AND status = ANY($2::text[]) RETURNING *`,
            [inputKey(id, 'withdrawal id'), [...from], t.to, t.reason, t.reference, decided, enc.time(now), enc.json(t.actor)],
          );
          return rows[0] === undefined ? null : withdrawalFromRow(rows[0]);
        },
        { single: true },
      ),
    held: (partnerId: string) =>
      runner.run(
        'payouts.held',
        async ({ db }) =>
          moneyRows(
            (
              await db.query(
                `SELECT currency, sum(amount) AS amount FROM ${withdrawals} WHERE partner_id = $1 AND status IN ('requested', 'approved')
                 GROUP BY currency ORDER BY currency`,
                [inputKey(partnerId, 'partner id')],
              )
            ).rows,
          ),
        read,
      ),
    paid: (query: { from: Date; to: Date; partnerId?: string }) =>
      runner.run(
        'payouts.paid',
        async ({ db }) =>
          moneyRows(
            (
              await db.query(
                `SELECT currency, sum(amount) AS amount FROM ${withdrawals}
                 WHERE status = 'paid' AND paid_at >= $1::timestamptz AND paid_at < $2::timestamptz AND ($3::text IS NULL OR partner_id = $3)
                 GROUP BY currency ORDER BY currency`,
                [enc.time(query.from), enc.time(query.to), query.partnerId ?? null],
              )
            ).rows,
          ),
        read,
      ),
  };
}
