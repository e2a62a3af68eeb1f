import type { Customer, NewCustomer } from '@panelkit/sdk';
import { paramsOf } from './internal/columns.js';
import { jsonRow } from './internal/json-rows.js';
import { checkSchemaName, quoteIdent } from './internal/sql.js';
import { CUSTOMER_COLUMNS, customerFromRow, newCustomerOf } from './repositories/customers.js';

/** The `INSERT` of {@link customerCreateSql}, its parameters from `$first`. */
export interface CustomerCreate {
  /** `INSERT … RETURNING *`: a statement of its own, or a common table expression of the host's. */
  sql: string;
  /** The values of its parameters, in order from `$first`. */
  params: unknown[];
}

/**
 * What `customers.create` stores for `input` (validated the same way; a fresh id unless one is given; `now` its
 * times), as one `INSERT … RETURNING *` for a host's own statement, usually a common table expression of it (issue 93:
 * the shop's bot makes a first contact's customer in the statement that claims their update). The row is inserted only
 * when `whenSql` (SQL of a condition over the host's statement, such as `EXISTS (SELECT 1 FROM claimed)`) holds; a
 * taken key (the external reference, the email) inserts nothing, where `create` fails with a `ConflictError`: read
 * the winner by that key. The parameters are numbered from `$first`, their values in `params`; decode the row made
 * (`row_to_json`) with {@link customerFromJson}. `schema`: the storage's schema (`createPostgresStorage`'s `schema`,
 * default `panelkit`).
 */
export function customerCreateSql(schema: string, input: NewCustomer, now: Date, first: number, whenSql: string): CustomerCreate {
  const customer = newCustomerOf(input, now);
  const names = CUSTOMER_COLUMNS.map(([name]) => name).join(', ');
  const values = CUSTOMER_COLUMNS.map(([, cast], i) => `$${first + i}::${cast}`).join(', ');
  return {
    sql: `INSERT INTO ${quoteIdent(checkSchemaName(schema))}.customers (${names}) SELECT ${values} WHERE ${whenSql}
      ON CONFLICT DO NOTHING RETURNING *`,
    params: paramsOf(CUSTOMER_COLUMNS, customer),
  };
}

/** A customer row as JSON (`row_to_json` of {@link customerCreateSql}'s row), decoded; `null` for none. */
export function customerFromJson(value: unknown): Customer | null {
  const row = jsonRow(value);
  return row === null ? null : customerFromRow(row);
}
