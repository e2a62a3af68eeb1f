import { ConflictError, IdempotencyConflictError, InsufficientFundsError, NotFoundError, ValidationError, createId } from '@panelkit/sdk';
import { CreditLimitSchema, CurrencySchema, NewLedgerEntrySchema } from '@panelkit/sdk/schemas';
import { decideLedgerMove } from '@panelkit/sdk/rules';
import { inputKey, inputRows, isSameLedgerRequest, parseInput, timeKey } from '@panelkit/sdk/storage';
import type { CreditLimit, LedgerEntry, Money, NewLedgerEntry, PageRequest } from '@panelkit/sdk';
import type { LedgerAppendResult, LedgerRepository } from '@panelkit/sdk/storage';
import type { Column } from '../internal/columns.js';
import { rowTable } from '../internal/row-table.js';
import { isUniqueViolation } from '../internal/errors.js';
import { jsonRows } from '../internal/json-rows.js';
import { rowLock } from '../internal/locks.js';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';

/** A `ledger_balances` row (its `currency` and `amount`) as `ledger.balances` answers it. */
function balanceFromRow(r: Row): Money {
  return { amount: dec.int(r['amount']), currency: dec.text(r['currency']) };
}

/**
 * SQL of one value: the balances of the customer whose id is `customerIdSql`, by currency, as a JSON array (`NULL` when
 * there are none); decode it with {@link balancesFromJson}. What `ledger.balances` answers, for a statement that reads
 * them with the customer (`customers.getWithPriceBook`). `schema`: quoted.
 */
export function balancesJsonSql(schema: string, customerIdSql: string): string {
  return `(SELECT json_agg(json_build_object('currency', l.currency, 'amount', l.amount) ORDER BY l.currency)
    FROM ${schema}.ledger_balances l WHERE l.customer_id = ${customerIdSql})`;
}

/** The value of {@link balancesJsonSql}, decoded. */
export function balancesFromJson(value: unknown): Money[] {
  return jsonRows(value).map(balanceFromRow);
}

/** How a ledger entry is stored, one column per field. */
export const LEDGER_COLUMNS: readonly Column<LedgerEntry>[] = [
  ['id', 'text', (e) => e.id],
  ['customer_id', 'text', (e) => e.customerId],
  ['kind', 'text', (e) => e.kind],
  ['amount', 'bigint', (e) => e.amount],
  ['currency', 'text', (e) => e.currency],
  ['idempotency_key', 'text', (e) => e.idempotencyKey],
  ['order_id', 'text', (e) => e.orderId],
  ['subscription_id', 'text', (e) => e.subscriptionId],
  ['reference', 'text', (e) => e.reference],
  ['note', 'text', (e) => e.note],
  ['actor', 'jsonb', (e) => enc.json(e.actor)],
  ['balance_after', 'bigint', (e) => e.balanceAfter],
  ['created_at', 'timestamptz', (e) => enc.time(e.createdAt)],
];

function entryFromRow(r: Row): LedgerEntry {
  return {
    id: dec.text(r['id']),
    customerId: dec.text(r['customer_id']),
    kind: dec.text(r['kind']) as LedgerEntry['kind'],
    amount: dec.int(r['amount']),
    currency: dec.text(r['currency']),
    idempotencyKey: dec.text(r['idempotency_key']),
    orderId: dec.textOrNull(r['order_id']),
    subscriptionId: dec.textOrNull(r['subscription_id']),
    reference: dec.textOrNull(r['reference']),
    note: dec.textOrNull(r['note']),
    actor: dec.json(r['actor']),
    balanceAfter: dec.int(r['balance_after']),
    createdAt: dec.time(r['created_at']),
  };
}

/**
 * The append-only ledger. An append locks the customer's row (`FOR NO KEY UPDATE`, see
 * {@link rowLock}), so appends for one customer run one after another across every connection;
 * the balance lives in `ledger_balances` beside the customer's credit limit (the database checks
 * `amount >= -credit_limit` as well) and moves in the same transaction as the entry. A credit limit
 * change takes the same row lock.
 */
export function ledgerRepository({ runner, schema }: RepositoryContext): LedgerRepository {
  const entries = rowTable(`${schema}.ledger_entries`, 'ledger entry', LEDGER_COLUMNS, entryFromRow);
  const balances = `${schema}.ledger_balances`;
  const read = { read: true } as const;

  return {
    append: (input: NewLedgerEntry) =>
      runner.run(
        'ledger.append',
        async ({ db, now }) => {
          const entry = parseInput(NewLedgerEntrySchema, input, 'ledger entry');
          const replay = async () => {
            const existing = await entries.findOne(db, 'idempotency_key = $1', [entry.idempotencyKey]);
            if (existing === null) return undefined;
            if (!isSameLedgerRequest(existing, entry)) throw new IdempotencyConflictError(entry.idempotencyKey);
            return { entry: existing, created: false };
          };
          const early = await replay();
          if (early !== undefined) return early;
          const customer = await db.query(`SELECT id FROM ${schema}.customers WHERE id = $1 ${rowLock()}`, [entry.customerId]);
          if (customer.rows[0] === undefined) throw new NotFoundError('customer', entry.customerId);
          // Another append with this key may have committed while we waited for the lock.
          const raced = await replay();
          if (raced !== undefined) return raced;
          const { rows } = await db.query(`SELECT amount, credit_limit FROM ${balances} WHERE customer_id = $1 AND currency = $2`, [
            entry.customerId,
            entry.currency,
          ]);
          const balance = rows[0] === undefined ? 0 : dec.int(rows[0]['amount']);
          const creditLimit = rows[0] === undefined ? 0 : dec.int(rows[0]['credit_limit']);
          // Read under the customer's row lock, which every append and limit change takes first.
          const decision = decideLedgerMove({ balance, creditLimit, amount: entry.amount });
          if (!decision.allowed && decision.reason === 'insufficient_funds')
            throw new InsufficientFundsError(entry.customerId, entry.currency, balance, -entry.amount, { details: { creditLimit } });
          if (!decision.allowed) {
            throw new ValidationError('invalid ledger entry: amount: the balance would leave the safe integer range', [
              { path: 'amount', message: 'the balance would leave the safe integer range' },
            ]);
          }
          const { balanceAfter } = decision;
          const stored: LedgerEntry = { ...entry, id: entry.id ?? createId('led'), balanceAfter, createdAt: now };
          const inserted = await entries.insert(db, stored);
          // The row cannot appear or go meanwhile: its writers hold the customer's lock. (An upsert would
          // check the insert's default limit of 0 against a negative balance before seeing the conflict.)
          await db.query(
            rows[0] === undefined
              ? `INSERT INTO ${balances} (customer_id, currency, amount) VALUES ($1, $2, $3)`
              : `UPDATE ${balances} SET amount = $3 WHERE customer_id = $1 AND currency = $2`,
            [entry.customerId, entry.currency, balanceAfter],
          );
          return { entry: inserted, created: true };
        },
        // The same key appended at once for two customers: the loser sees the winner's entry next time.
        { retryOn: (error) => isUniqueViolation(error, 'ledger_entries_idempotency_key') },
      ),

    /**
     * A few statements for the whole list: lock its customers' rows in id order, read the keys already used
     * and the balances, decide every entry in order in memory as `append` would, then insert the entries in
     * one statement and write the balances back in two (an update of the rows there, an insert of the new).
     */
    appendMany: (inputs: readonly NewLedgerEntry[]) =>
      runner.run(
        'ledger.appendMany',
        async ({ db, now }) => {
          const list = inputRows(inputs, 'ledger entries').map((input) => parseInput(NewLedgerEntrySchema, input, 'ledger entry'));
          if (list.length === 0) return [];
          const customerIds = [...new Set(list.map((e) => e.customerId))];
          const locked = await db.query(`SELECT id FROM ${schema}.customers WHERE id = ANY($1::text[]) ORDER BY id ${rowLock()}`, [
            customerIds,
          ]);
          const present = new Set(locked.rows.map((r) => dec.text(r['id'])));
          // Read under the customers' locks, which every append and limit change takes first.
          const { rows: used } = await db.query(`SELECT * FROM ${schema}.ledger_entries WHERE idempotency_key = ANY($1::text[])`, [
            [...new Set(list.map((e) => e.idempotencyKey))],
          ]);
          const byKey = new Map(used.map((r) => [dec.text(r['idempotency_key']), entryFromRow(r)]));
          const { rows: held } = await db.query(
            `SELECT customer_id, currency, amount, credit_limit FROM ${balances} WHERE customer_id = ANY($1::text[])`,
            [customerIds],
          );
          const balanceKey = (customerId: string, currency: string) => `${customerId}\u0000${currency}`;
          const books = new Map(
            held.map((r) => [
              balanceKey(dec.text(r['customer_id']), dec.text(r['currency'])),
              { amount: dec.int(r['amount']), creditLimit: dec.int(r['credit_limit']), stored: true, moved: false },
            ]),
          );
          const results: LedgerAppendResult[] = [];
          const created: LedgerEntry[] = [];
          for (const entry of list) {
            const prior = byKey.get(entry.idempotencyKey);
            if (prior !== undefined) {
              if (!isSameLedgerRequest(prior, entry)) throw new IdempotencyConflictError(entry.idempotencyKey);
              results.push({ entry: prior, created: false });
              continue;
            }
            if (!present.has(entry.customerId)) throw new NotFoundError('customer', entry.customerId);
            const key = balanceKey(entry.customerId, entry.currency);
            const book = books.get(key) ?? { amount: 0, creditLimit: 0, stored: false, moved: false };
            const decision = decideLedgerMove({ balance: book.amount, creditLimit: book.creditLimit, amount: entry.amount });
            if (!decision.allowed && decision.reason === 'insufficient_funds') {
              throw new InsufficientFundsError(entry.customerId, entry.currency, book.amount, -entry.amount, {
                details: { creditLimit: book.creditLimit },
              });
            }
            if (!decision.allowed) {
              throw new ValidationError('invalid ledger entry: amount: the balance would leave the safe integer range', [
                { path: 'amount', message: 'the balance would leave the safe integer range' },
              ]);
            }
            books.set(key, { ...book, amount: decision.balanceAfter, moved: true });
            const stored: LedgerEntry = { ...entry, id: entry.id ?? createId('led'), balanceAfter: decision.balanceAfter, createdAt: now };
            byKey.set(entry.idempotencyKey, stored);
            created.push(stored);
            results.push({ entry: stored, created: true });
          }
          const inserted = new Map((await entries.insertMany(db, created)).map((e) => [e.id, e]));
          const moved = [...books.entries()].filter(([, book]) => book.moved);
          const column = (rows: typeof moved, pick: (key: string[], amount: number) => unknown) =>
            rows.map(([key, book]) => pick(key.split('\u0000'), book.amount));
          const updates = moved.filter(([, book]) => book.stored);
          const inserts = moved.filter(([, book]) => !book.stored);
          if (updates.length > 0) {
            await db.query(
              `UPDATE ${balances} AS b SET amount = v.amount
               FROM unnest($1::text[], $2::text[], $3::bigint[]) AS v(customer_id, currency, amount)
               WHERE b.customer_id = v.customer_id AND b.currency = v.currency`,
              [column(updates, (k) => k[0]), column(updates, (k) => k[1]), column(updates, (_, amount) => amount)],
            );
          }
          if (inserts.length > 0) {
            await db.query(
              `INSERT INTO ${balances} (customer_id, currency, amount)
               SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])`,
              [column(inserts, (k) => k[0]), column(inserts, (k) => k[1]), column(inserts, (_, amount) => amount)],
            );
          }
          return results.map((r) => (r.created ? { entry: inserted.get(r.entry.id) ?? r.entry, created: true } : r));
        },
        // The same key appended at once for two customers: the loser sees the winner's entry next time.
        { retryOn: (error) => isUniqueViolation(error, 'ledger_entries_idempotency_key') },
      ),

    getByIdempotencyKey: (key: string) =>
      runner.run(
        'ledger.getByIdempotencyKey',
        ({ db }) => entries.findOne(db, 'idempotency_key = $1', [inputKey(key, 'idempotency key')]),
        read,
      ),

    balance: (customerId: string, currency: string) =>
      runner.run(
        'ledger.balance',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT amount FROM ${balances} WHERE customer_id = $1 AND currency = $2`, [
            inputKey(customerId, 'customer id'),
            parseInput(CurrencySchema, currency, 'currency'),
          ]);
          return rows[0] === undefined ? 0 : dec.int(rows[0]['amount']);
        },
        read,
      ),

    balances: (customerId: string) =>
      runner.run(
        'ledger.balances',
        async ({ db }): Promise<Money[]> => {
          const { rows } = await db.query(`SELECT currency, amount FROM ${balances} WHERE customer_id = $1 ORDER BY currency`, [
            inputKey(customerId, 'customer id'),
          ]);
          return rows.map(balanceFromRow);
        },
        read,
      ),

    creditLimit: (customerId: string, currency: string) =>
      runner.run(
        'ledger.creditLimit',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT credit_limit FROM ${balances} WHERE customer_id = $1 AND currency = $2`, [
            inputKey(customerId, 'customer id'),
            parseInput(CurrencySchema, currency, 'currency'),
          ]);
          return rows[0] === undefined ? 0 : dec.int(rows[0]['credit_limit']);
        },
        read,
      ),

    setCreditLimit: (input: CreditLimit) =>
      runner.run('ledger.setCreditLimit', async ({ db }): Promise<Money> => {
        const limit = parseInput(CreditLimitSchema, input, 'credit limit');
        const customer = await db.query(`SELECT id FROM ${schema}.customers WHERE id = $1 ${rowLock()}`, [limit.customerId]);
        if (customer.rows[0] === undefined) throw new NotFoundError('customer', limit.customerId);
        const { rows } = await db.query(`SELECT amount FROM ${balances} WHERE customer_id = $1 AND currency = $2`, [
          limit.customerId,
          limit.currency,
        ]);
        const balance = rows[0] === undefined ? 0 : dec.int(rows[0]['amount']);
        if (balance < -limit.amount) {
          throw new ConflictError(`customer ${limit.customerId} owes ${-balance} ${limit.currency}, more than a limit of ${limit.amount}`, {
            details: { reason: 'balance_below_limit', balance, creditLimit: limit.amount },
          });
        }
        await db.query(
          `INSERT INTO ${balances} (customer_id, currency, amount, credit_limit) VALUES ($1, $2, 0, $3)
           ON CONFLICT (customer_id, currency) DO UPDATE SET credit_limit = EXCLUDED.credit_limit`,
          [limit.customerId, limit.currency, limit.amount],
        );
        return { amount: limit.amount, currency: limit.currency };
      }),

    listByOrder: (orderId: string) =>
      runner.run(
        'ledger.listByOrder',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT * FROM ${schema}.ledger_entries WHERE order_id = $1 ORDER BY created_at, id`, [
            inputKey(orderId, 'order id'),
          ]);
          return rows.map(entryFromRow);
        },
        read,
      ),

    list: (customerId: string, page: PageRequest) =>
      runner.run(
        'ledger.list',
        ({ db }) =>
          entries.newestFirst(db, page, {
            where: 'customer_id = $1',
            params: [inputKey(customerId, 'customer id')],
            key: (e) => timeKey(e.createdAt, e.id),
          }),
        read,
      ),
  };
}
