import { IdempotencyConflictError, InsufficientFundsError, ValidationError, createId } from '@panelkit/sdk';
import type { Customer, Money, Page, PageRequest } from '@panelkit/sdk';
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
import { inputKey, parseInput } from '@panelkit/sdk/storage';
import type { PayoutAppendResult, WithdrawalCreateResult } from '@panelkit/sdk/storage';
import { copy } from '../internal/copy.js';
import { compareStrings } from '../internal/keys.js';
import type { Op } from '../internal/op.js';
import { Table } from '../internal/table.js';
import { UniqueIndex } from '../internal/unique-index.js';
import { Balances } from './ledger.js';
import { newestFirst } from './newest-first.js';

/** Payout entries (unique by key), running balances, and withdrawals (unique by partner and key). */
export interface PayoutTables {
  readonly entries: Table<PayoutEntry>;
  readonly byKey: UniqueIndex<PayoutEntry>;
  readonly balances: Balances;
  readonly withdrawals: Table<Withdrawal>;
  readonly withdrawalsByKey: UniqueIndex<Withdrawal>;
}

/** Empty payout tables for a new memory storage. */
export function createPayoutTables(): PayoutTables {
  const byKey = new UniqueIndex<PayoutEntry>('a payout entry with this idempotency key', (e) => e.idempotencyKey);
  const withdrawalsByKey = new UniqueIndex<Withdrawal>(
    'a withdrawal under this idempotency key',
    (w) => `${w.partnerId}\u0000${w.idempotencyKey}`,
  );
  return {
    entries: new Table<PayoutEntry>('payout entry', [byKey]),
    byKey,
    balances: new Balances(),
    withdrawals: new Table<Withdrawal>('withdrawal', [withdrawalsByKey]),
    withdrawalsByKey,
  };
}

const HELD: ReadonlySet<WithdrawalStatus> = new Set(['requested', 'approved']);

function sumBy(rows: readonly Money[]): Money[] {
  const m = new Map<string, number>();
  for (const r of rows) m.set(r.currency, (m.get(r.currency) ?? 0) + r.amount);
  return [...m.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([currency, amount]) => ({ currency, amount }));
}

/** Payouts over the memory tables; every call runs under the storage's one lock. */
export function payoutOperations(tables: PayoutTables, parents: { customers: Table<Customer> }) {
  const { entries, byKey, balances, withdrawals, withdrawalsByKey } = tables;
  const payouts = {
    append(op: Op, input: NewPayoutEntry): PayoutAppendResult {
      const entry = copy(parseInput(NewPayoutEntrySchema, input, 'payout entry'));
      const existingId = byKey.lookup(entry.idempotencyKey);
      if (existingId !== undefined) {
        const e = entries.load(existingId);
        if (e.partnerId !== entry.partnerId || e.kind !== entry.kind || e.amount !== entry.amount || e.currency !== entry.currency)
          throw new IdempotencyConflictError(entry.idempotencyKey);
        return { entry: copy(e), created: false };
      }
      parents.customers.require(entry.partnerId);
      if (entry.withdrawalId !== null) withdrawals.require(entry.withdrawalId);
      const balance = balances.get(entry.partnerId, entry.currency);
      const after = balance + entry.amount;
      if (!Number.isSafeInteger(after))
        throw new ValidationError('invalid payout entry: amount: the balance would leave the safe integer range', [
          { path: 'amount', message: 'the balance would leave the safe integer range' },
        ]);
      if (entry.kind === 'withdrawal_hold' && after < 0)
        throw new InsufficientFundsError(entry.partnerId, entry.currency, balance, -entry.amount, { details: { payout: true } });
      const stored: PayoutEntry = { ...entry, id: entry.id ?? createId('pay'), balanceAfter: after, createdAt: op.now };
      entries.insert(op.undo, stored);
      balances.set(op.undo, entry.partnerId, entry.currency, after);
      return { entry: copy(stored), created: true };
    },
    balance(_op: Op, partnerId: string, currency: string): number {
      return balances.get(inputKey(partnerId, 'partner id'), parseInput(CurrencySchema, currency, 'currency'));
    },
    balances(_op: Op, partnerId: string): Money[] {
      return balances.all(inputKey(partnerId, 'partner id'));
    },
    list(_op: Op, partnerId: string, page: PageRequest): Page<PayoutEntry> {
      const key = inputKey(partnerId, 'partner id');
      return newestFirst(
        [...entries.values()].filter((e) => e.partnerId === key),
        (e) => e.createdAt,
        page,
        copy,
      );
    },
    createWithdrawal(op: Op, input: NewWithdrawal): WithdrawalCreateResult {
      const parsed = parseInput(NewWithdrawalSchema, input, 'withdrawal');
      const existingId = withdrawalsByKey.lookup(`${parsed.partnerId}\u0000${parsed.idempotencyKey}`);
      if (existingId !== undefined) {
        const w = withdrawals.load(existingId);
        if (
          w.amount.amount !== parsed.amount.amount ||
          w.amount.currency !== parsed.amount.currency ||
          w.destination !== parsed.destination
        )
          throw new IdempotencyConflictError(parsed.idempotencyKey);
        return { withdrawal: copy(w), created: false };
      }
      parents.customers.require(parsed.partnerId);
      const row: Withdrawal = {
        ...parsed,
        id: parsed.id ?? createId('wdr'),
        status: 'requested',
        reason: null,
        reference: null,
        requestedAt: op.now,
        decidedAt: null,
        decidedBy: null,
        paidAt: null,
        updatedAt: op.now,
      };
      withdrawals.insert(op.undo, copy(row));
      payouts.append(op, {
        partnerId: row.partnerId,
        kind: 'withdrawal_hold',
        amount: -row.amount.amount,
        currency: row.amount.currency,
        idempotencyKey: `withdrawal.hold:${row.id}`,
        withdrawalId: row.id,
        actor: { type: 'customer', id: row.partnerId },
      });
      return { withdrawal: copy(row), created: true };
    },
    getWithdrawal(_op: Op, id: string): Withdrawal | null {
      const row = withdrawals.get(inputKey(id, 'withdrawal id'));
      return row === undefined ? null : copy(row);
    },
    listWithdrawals(_op: Op, filter: { partnerId?: string; status?: WithdrawalStatus }, page: PageRequest): Page<Withdrawal> {
      if (filter.status !== undefined && !WITHDRAWAL_STATUSES.includes(filter.status))
        throw new ValidationError('invalid status', [{ path: 'status', message: 'not a withdrawal status' }]);
      return newestFirst(
        [...withdrawals.values()].filter(
          (w) =>
            (filter.partnerId === undefined || w.partnerId === filter.partnerId) &&
            (filter.status === undefined || w.status === filter.status),
        ),
        (w) => w.requestedAt,
        page,
        copy,
      );
    },
    transitionWithdrawal(op: Op, id: string, from: readonly WithdrawalStatus[], transition: WithdrawalTransition): Withdrawal | null {
      const t = parseInput(WithdrawalTransitionSchema, transition, 'withdrawal transition');
      const before = withdrawals.get(inputKey(id, 'withdrawal id'));
      if (before === undefined || !from.includes(before.status)) return null;
      const decided = t.to === 'approved' || t.to === 'refused';
      const after: Withdrawal = {
        ...before,
        status: t.to,
        reason: t.reason ?? before.reason,
        reference: t.reference ?? before.reference,
        decidedAt: decided ? op.now : before.decidedAt,
        decidedBy: decided ? t.actor : before.decidedBy,
        paidAt: t.to === 'paid' ? op.now : before.paidAt,
        updatedAt: op.now,
      };
      withdrawals.replace(op.undo, copy(after));
      return copy(after);
    },
    held(_op: Op, partnerId: string): Money[] {
      const key = inputKey(partnerId, 'partner id');
      return sumBy([...withdrawals.values()].filter((w) => w.partnerId === key && HELD.has(w.status)).map((w) => w.amount));
    },
    paid(_op: Op, query: { from: Date; to: Date; partnerId?: string }): Money[] {
      const mine = [...withdrawals.values()].filter((w) => query.partnerId === undefined || w.partnerId === query.partnerId);
      const paid = mine.filter(
        (w) =>
          w.status === 'paid' && w.paidAt !== null && w.paidAt.getTime() >= query.from.getTime() && w.paidAt.getTime() < query.to.getTime(),
      );
      return sumBy(paid.map((w) => w.amount));
    },
  };
  return payouts;
}
