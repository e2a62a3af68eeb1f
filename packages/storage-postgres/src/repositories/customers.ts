import { createId } from '@panelkit/sdk';
import { CustomerPatchSchema, NewCustomerSchema } from '@panelkit/sdk/schemas';
import { MAX_ROWS_PER_CALL, definedFields, inputKey, inputKeys, inputRows, parseInput, timeKey } from '@panelkit/sdk/storage';
import type { Customer, CustomerPatch, NewCustomer, PageRequest } from '@panelkit/sdk';
import type { CustomerRepository } from '@panelkit/sdk/storage';
import type { Column } from '../internal/columns.js';
import { rowTable } from '../internal/row-table.js';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';
import { jsonRows } from '../internal/json-rows.js';
import { balancesFromJson, balancesJsonSql } from './ledger.js';
import { entryFromRow } from './price-books.js';

/** The `customers` table's columns, in the order `customers.create` inserts them. */
export const CUSTOMER_COLUMNS: readonly Column<Customer>[] = [
  ['id', 'text', (c) => c.id],
  ['email', 'text', (c) => c.email],
  ['name', 'text', (c) => c.name],
  ['locale', 'text', (c) => c.locale],
  ['telegram_id', 'text', (c) => c.telegramId],
  ['external_ref', 'text', (c) => c.externalRef],
  ['storefront_id', 'text', (c) => c.storefrontId],
  ['created_at', 'timestamptz', (c) => enc.time(c.createdAt)],
  ['updated_at', 'timestamptz', (c) => enc.time(c.updatedAt)],
];

/** A customer from its row. */
export function customerFromRow(r: Row): Customer {
  return {
    id: dec.text(r['id']),
    email: dec.textOrNull(r['email']),
    name: dec.textOrNull(r['name']),
    locale: dec.text(r['locale']),
    telegramId: dec.textOrNull(r['telegram_id']),
    externalRef: dec.textOrNull(r['external_ref']),
    storefrontId: dec.textOrNull(r['storefront_id']),
    createdAt: dec.time(r['created_at']),
    updatedAt: dec.time(r['updated_at']),
  };
}

/** The customer `customers.create` stores for `input` at `now`: validated, with a fresh id unless one is given. */
export function newCustomerOf(input: NewCustomer, now: Date): Customer {
  const parsed = parseInput(NewCustomerSchema, input, 'customer');
  return { ...parsed, id: parsed.id ?? createId('cus'), createdAt: now, updatedAt: now };
}

/** Customers in `{schema}.customers`; email and external reference are unique keys (emails stored lower-cased). */
export function customerRepository({ runner, schema }: RepositoryContext): CustomerRepository {
  const customers = rowTable(`${schema}.customers`, 'customer', CUSTOMER_COLUMNS, customerFromRow);
  const read = { read: true } as const;
  const one = (label: string, where: string, key: string) =>
    runner.run(label, ({ db }) => customers.findOne(db, `${where} = $1`, [key]), read);

  return {
    // One INSERT: atomic alone, so no BEGIN and COMMIT around it outside a transaction (a bot's first contact).
    create: (input: NewCustomer) =>
      runner.run('customers.create', async ({ db, now }) => customers.insert(db, newCustomerOf(input, now)), { autocommit: true }),

    /** One multi-row insert: a taken key anywhere fails the statement, so it is all or none. */
    createMany: (inputs: readonly NewCustomer[]) =>
      runner.run('customers.createMany', async ({ db, now }) => {
        const rows = inputRows(inputs, 'customers').map((input) => newCustomerOf(input, now));
        return customers.insertMany(db, rows);
      }),

    get: async (id: string) => one('customers.get', 'id', inputKey(id, 'customer id')),
    // The schema stores emails lower-cased, so a lower-cased key makes the lookup case-insensitive.
    getByEmail: async (email: string) => one('customers.getByEmail', 'email', inputKey(email, 'email').toLowerCase()),
    getByExternalRef: async (externalRef: string) =>
      one('customers.getByExternalRef', 'external_ref', inputKey(externalRef, 'external reference')),

    getByTelegramId: async (telegramId: string) =>
      runner.run(
        'customers.getByTelegramId',
        ({ db }) => customers.findOne(db, 'telegram_id = $1 ORDER BY created_at, id LIMIT 1', [inputKey(telegramId, 'telegram id')]),
        read,
      ),

    getByExternalRefs: (externalRefs: readonly string[]) =>
      runner.run(
        'customers.getByExternalRefs',
        async ({ db }) => {
          const refs = inputKeys(externalRefs, 'external references', MAX_ROWS_PER_CALL);
          if (refs.length === 0) return [];
          const { rows } = await db.query(`SELECT * FROM ${schema}.customers WHERE external_ref = ANY($1::text[])`, [refs]);
          return rows.map(customerFromRow);
        },
        read,
      ),

    getMany: (ids: readonly string[]) =>
      runner.run(
        'customers.getMany',
        async ({ db }) => {
          const keys = inputKeys(ids, 'customer ids', MAX_ROWS_PER_CALL);
          if (keys.length === 0) return [];
          const { rows } = await db.query(`SELECT * FROM ${schema}.customers WHERE id = ANY($1::text[])`, [keys]);
          return rows.map(customerFromRow);
        },
        read,
      ),

    getWithPriceBook: (id: string) =>
      runner.run(
        'customers.getWithPriceBook',
        async ({ db }) => {
          const { rows } = await db.query(
            `SELECT c.*, (SELECT json_agg(b ORDER BY b.plan_id) FROM ${schema}.price_book_entries b WHERE b.customer_id = c.id) AS price_book_rows,
               ${balancesJsonSql(schema, 'c.id')} AS balance_rows
             FROM ${schema}.customers c WHERE c.id = $1`,
            [inputKey(id, 'customer id')],
          );
          const row = rows[0];
          return row === undefined
            ? null
            : {
                customer: customerFromRow(row),
                priceBook: jsonRows(row['price_book_rows']).map(entryFromRow),
                balances: balancesFromJson(row['balance_rows']),
              };
        },
        read,
      ),

    list: (page: PageRequest) =>
      runner.run('customers.list', ({ db }) => customers.newestFirst(db, page, { key: (c) => timeKey(c.createdAt, c.id) }), read),

    update: (id: string, patch: CustomerPatch) =>
      runner.run('customers.update', async ({ db, now }) => {
        const changes = definedFields(parseInput(CustomerPatchSchema, patch, 'customer patch'));
        const changesUniqueKey = changes.email !== undefined || changes.externalRef !== undefined;
        const before = await customers.lock(db, inputKey(id, 'customer id'), changesUniqueKey);
        return customers.replace(db, { ...before, ...changes, updatedAt: now });
      }),
  };
}
