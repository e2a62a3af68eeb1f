import { CustomerPatchSchema, NewCustomerSchema, NotFoundError, createId } from '@panelkit/sdk';
import { definedFields, inputKey, parseInput, parsePageWindow, timeCursorCodec, timeKey } from '@panelkit/sdk/storage-kit';
import type { Customer, CustomerPatch, CustomerRepository, NewCustomer, PageRequest } from '@panelkit/sdk';
import { insertSql, paramsOf, updateSql } from '../internal/columns.js';
import type { Column } from '../internal/columns.js';
import { timeBound, toPage } from '../internal/paging.js';
import { rowLock } from '../internal/locks.js';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';

const COLUMNS: readonly Column<Customer>[] = [
  ['id', 'text', (c) => c.id],
  ['email', 'text', (c) => c.email],
  ['name', 'text', (c) => c.name],
  ['locale', 'text', (c) => c.locale],
  ['telegram_id', 'text', (c) => c.telegramId],
  ['external_ref', 'text', (c) => c.externalRef],
  ['created_at', 'timestamptz', (c) => enc.time(c.createdAt)],
  ['updated_at', 'timestamptz', (c) => enc.time(c.updatedAt)],
];

function customerFromRow(r: Row): Customer {
  return {
    id: dec.text(r['id']),
    email: dec.textOrNull(r['email']),
    name: dec.textOrNull(r['name']),
    locale: dec.text(r['locale']),
    telegramId: dec.textOrNull(r['telegram_id']),
    externalRef: dec.textOrNull(r['external_ref']),
    createdAt: dec.time(r['created_at']),
    updatedAt: dec.time(r['updated_at']),
  };
}

export function customerRepository({ runner, schema }: RepositoryContext): CustomerRepository {
  const table = `${schema}.customers`;
  const read = { read: true } as const;
  const one = (label: string, where: string, key: string) =>
    runner.run(
      label,
      async ({ db }) => {
        const { rows } = await db.query(`SELECT * FROM ${table} WHERE ${where} = $1`, [key]);
        return rows[0] === undefined ? null : customerFromRow(rows[0]);
      },
      read,
    );

  return {
    create: (input: NewCustomer) =>
      runner.run('customers.create', async ({ db, now }) => {
        const parsed = parseInput(NewCustomerSchema, input, 'customer');
        const customer: Customer = { ...parsed, id: parsed.id ?? createId('cus'), createdAt: now, updatedAt: now };
        return customerFromRow((await db.query(insertSql(table, COLUMNS), paramsOf(COLUMNS, customer))).rows[0]!);
      }),

    get: async (id: string) => one('customers.get', 'id', inputKey(id, 'customer id')),
    // The schema stores emails lower-cased, so a lower-cased key makes the lookup case-insensitive.
    getByEmail: async (email: string) => one('customers.getByEmail', 'email', inputKey(email, 'email').toLowerCase()),
    getByExternalRef: async (externalRef: string) =>
      one('customers.getByExternalRef', 'external_ref', inputKey(externalRef, 'external reference')),

    list: (page: PageRequest) =>
      runner.run(
        'customers.list',
        async ({ db }) => {
          const window = parsePageWindow(page, timeCursorCodec);
          const { rows } = await db.query(
            `SELECT * FROM ${table} WHERE (created_at, id) < ($1::timestamptz, $2::text) ORDER BY created_at DESC, id DESC LIMIT $3`,
            [...timeBound(window.after, 'desc'), window.limit + 1],
          );
          return toPage(rows.map(customerFromRow), window, timeCursorCodec, (c) => timeKey(c.createdAt, c.id));
        },
        read,
      ),

    update: (id: string, patch: CustomerPatch) =>
      runner.run('customers.update', async ({ db, now }) => {
        const changes = definedFields(parseInput(CustomerPatchSchema, patch, 'customer patch'));
        const key = inputKey(id, 'customer id');
        const lock = rowLock(changes.email !== undefined || changes.externalRef !== undefined);
        const { rows } = await db.query(`SELECT * FROM ${table} WHERE id = $1 ${lock}`, [key]);
        if (rows[0] === undefined) throw new NotFoundError('customer', key);
        const after: Customer = { ...customerFromRow(rows[0]), ...changes, updatedAt: now };
        return customerFromRow((await db.query(updateSql(table, COLUMNS), paramsOf(COLUMNS, after))).rows[0]!);
      }),
  };
}
