import { ConflictError, IdempotencyConflictError, InsufficientFundsError, ValidationError, createId } from '@panelkit/sdk';
import { CreditLimitSchema, CurrencySchema, NewLedgerEntrySchema } from '@panelkit/sdk/schemas';
import { decideLedgerMove } from '@panelkit/sdk/rules';
import { inputKey, inputRows, isSameLedgerRequest, parseInput, parsePageWindow, timeCursorCodec, timeKey } from '@panelkit/sdk/storage';
import type { CreditLimit, Customer, LedgerEntry, Money, NewLedgerEntry, Order, Page, PageRequest, Subscription } from '@panelkit/sdk';
import type { LedgerAppendResult } from '@panelkit/sdk/storage';
import type { TimeKey } from '@panelkit/sdk/storage';
import { copy } from '../internal/copy.js';
import { compareStrings, compareTimeKeys } from '../internal/keys.js';
import type { Op } from '../internal/op.js';
import { ascending, collectPage, descending } from '../internal/paging.js';
import { SortedIndex } from '../internal/sorted-index.js';
import { Table } from '../internal/table.js';
import { UniqueIndex } from '../internal/unique-index.js';
import type { UndoLog } from '../internal/undo-log.js';

/** Running balances per customer and currency, kept in step with the entries (and undone with them). */
export class Balances {
  readonly #byCustomer = new Map<string, Map<string, number>>();

  get(customerId: string, currency: string): number {
    return this.#byCustomer.get(customerId)?.get(currency) ?? 0;
  }

  /** Every currency the customer has entries in, ordered by currency. */
  all(customerId: string): Money[] {
    const balances = this.#byCustomer.get(customerId);
    if (balances === undefined) return [];
    return [...balances].sort(([a], [b]) => compareStrings(a, b)).map(([currency, amount]) => ({ amount, currency }));
  }

  set(undo: UndoLog, customerId: string, currency: string, amount: number): void {
    let balances = this.#byCustomer.get(customerId);
    if (balances === undefined) {
      balances = new Map();
      this.#byCustomer.set(customerId, balances);
    }
    const had = balances.has(currency);
    const previous = balances.get(currency) ?? 0;
    balances.set(currency, amount);
    const written = balances;
    undo.push(() => {
      if (had) written.set(currency, previous);
      else written.delete(currency);
      if (written.size === 0 && this.#byCustomer.get(customerId) === written) this.#byCustomer.delete(customerId);
    });
  }
}

export interface LedgerTables {
  readonly entries: Table<LedgerEntry>;
  readonly byIdempotencyKey: UniqueIndex<LedgerEntry>;
  readonly byCustomer: SortedIndex<LedgerEntry, TimeKey>;
  readonly balances: Balances;
  /** Credit limits per customer and currency (a customer may go down to minus its limit). */
  readonly creditLimits: Balances;
}

export function createLedgerTables(): LedgerTables {
  const byIdempotencyKey = new UniqueIndex<LedgerEntry>('a ledger entry with this idempotency key', (e) => e.idempotencyKey);
  const byCustomer = new SortedIndex<LedgerEntry, TimeKey>({
    partition: (e) => e.customerId,
    key: (e) => timeKey(e.createdAt, e.id),
    compare: compareTimeKeys,
  });
  return {
    entries: new Table<LedgerEntry>('ledger entry', [byIdempotencyKey], [byCustomer]),
    byIdempotencyKey,
    byCustomer,
    balances: new Balances(),
    creditLimits: new Balances(),
  };
}

/** The rows an entry may refer to; each reference must exist, as a foreign key would demand. */
export interface LedgerReferences {
  readonly customers: Table<Customer>;
  readonly orders: Table<Order>;
  readonly subscriptions: Table<Subscription>;
}

/**
 * The ledger's operations on the memory storage's tables: appends checked against the references and
 * the customer's credit limit (each runs inside the storage's one transaction lock), balances, limits, pages.
 */
export function ledgerOperations(tables: LedgerTables, refs: LedgerReferences) {
  const { entries, byIdempotencyKey, byCustomer, balances, creditLimits } = tables;

  const ledger = {
    /** One by one; the runner undoes the call's writes when one throws, so it is all or none. */
    appendMany(op: Op, inputs: readonly NewLedgerEntry[]): LedgerAppendResult[] {
      return inputRows(inputs, 'ledger entries').map((input) => ledger.append(op, input));
    },

    append(op: Op, input: NewLedgerEntry): LedgerAppendResult {
      const entry = copy(parseInput(NewLedgerEntrySchema, input, 'ledger entry'));
      const existingId = byIdempotencyKey.lookup(entry.idempotencyKey);
      if (existingId !== undefined) {
        const existing = entries.load(existingId);
        if (!isSameLedgerRequest(existing, entry)) throw new IdempotencyConflictError(entry.idempotencyKey);
        return { entry: copy(existing), created: false };
      }
      refs.customers.require(entry.customerId);
      if (entry.orderId !== null) refs.orders.require(entry.orderId);
      if (entry.subscriptionId !== null) refs.subscriptions.require(entry.subscriptionId);
      const balance = balances.get(entry.customerId, entry.currency);
      const creditLimit = creditLimits.get(entry.customerId, entry.currency);
      const decision = decideLedgerMove({ balance, creditLimit, amount: entry.amount });
      if (!decision.allowed && decision.reason === 'insufficient_funds')
        throw new InsufficientFundsError(entry.customerId, entry.currency, balance, -entry.amount, { details: { creditLimit } });
      if (!decision.allowed) {
        throw new ValidationError('invalid ledger entry: amount: the balance would leave the safe integer range', [
          { path: 'amount', message: 'the balance would leave the safe integer range' },
        ]);
      }
      const { balanceAfter } = decision;
      const stored: LedgerEntry = { ...entry, id: entry.id ?? createId('led'), balanceAfter, createdAt: op.now };
      entries.insert(op.undo, stored);
      balances.set(op.undo, entry.customerId, entry.currency, balanceAfter);
      return { entry: copy(stored), created: true };
    },

    getByIdempotencyKey(_op: Op, key: string): LedgerEntry | null {
      const id = byIdempotencyKey.lookup(inputKey(key, 'idempotency key'));
      return id === undefined ? null : copy(entries.load(id));
    },

    balance(_op: Op, customerId: string, currency: string): number {
      return balances.get(inputKey(customerId, 'customer id'), parseInput(CurrencySchema, currency, 'currency'));
    },

    balances(_op: Op, customerId: string): Money[] {
      const id = inputKey(customerId, 'customer id');
      const all = new Map(balances.all(id).map((m) => [m.currency, m]));
      for (const { currency } of creditLimits.all(id)) if (!all.has(currency)) all.set(currency, { amount: 0, currency });
      return [...all.values()].sort((a, b) => compareStrings(a.currency, b.currency));
    },

    creditLimit(_op: Op, customerId: string, currency: string): number {
      return creditLimits.get(inputKey(customerId, 'customer id'), parseInput(CurrencySchema, currency, 'currency'));
    },

    setCreditLimit(op: Op, input: CreditLimit): Money {
      const limit = parseInput(CreditLimitSchema, input, 'credit limit');
      refs.customers.require(limit.customerId);
      const balance = balances.get(limit.customerId, limit.currency);
      if (balance < -limit.amount) {
        throw new ConflictError(`customer ${limit.customerId} owes ${-balance} ${limit.currency}, more than a limit of ${limit.amount}`, {
          details: { reason: 'balance_below_limit', balance, creditLimit: limit.amount },
        });
      }
      creditLimits.set(op.undo, limit.customerId, limit.currency, limit.amount);
      return { amount: limit.amount, currency: limit.currency };
    },

    listByOrder(_op: Op, orderId: string): LedgerEntry[] {
      const order = refs.orders.get(inputKey(orderId, 'order id'));
      if (order === undefined) return [];
      // An order's entries are its customer's: walk that customer's entries, oldest first.
      return [...ascending(byCustomer.tree(order.customerId), compareTimeKeys)]
        .map(([, id]) => entries.load(id))
        .filter((e) => e.orderId === order.id)
        .map((e) => copy(e));
    },

    list(_op: Op, customerId: string, page: PageRequest): Page<LedgerEntry> {
      const customer = inputKey(customerId, 'customer id');
      const window = parsePageWindow(page, timeCursorCodec);
      return collectPage(descending(byCustomer.tree(customer), window.after), window, timeCursorCodec, ([, id]) => entries.load(id));
    },
  };
  return ledger;
}
