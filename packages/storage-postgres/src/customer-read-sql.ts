import type { CustomerWithPriceBook } from '@panelkit/sdk/storage';
import { jsonRow, jsonRows } from './internal/json-rows.js';
import { checkSchemaName, quoteIdent } from './internal/sql.js';
import { customerFromRow } from './repositories/customers.js';
import { balancesFromJson, balancesJsonSql } from './repositories/ledger.js';
import { entryFromRow } from './repositories/price-books.js';

/**
 * SQL of one value: the customer whose id is `customerIdSql` (a parameter or a column of the host's statement, such
 * as `l.customer_id`) with its whole price book and its ledger balances, as JSON, or `NULL` when there is no such customer; decode it with
 * {@link customerWithPriceBookFromJson}. What `customers.getWithPriceBook` answers, for a host that reads its own row
 * and the customer in one statement (the shop's bot: an update's once-only claim, its sender's link and customer).
 * `schema`: the storage's schema (`createPostgresStorage`'s `schema`, default `panelkit`).
 */
export function customerWithPriceBookSql(schema: string, customerIdSql: string): string {
  const s = quoteIdent(checkSchemaName(schema));
  return `(SELECT json_build_object('customer', row_to_json(c),
      'priceBook', (SELECT json_agg(b ORDER BY b.plan_id) FROM ${s}.price_book_entries b WHERE b.customer_id = c.id),
      'balances', ${balancesJsonSql(s, 'c.id')})
    FROM ${s}.customers c WHERE c.id = ${customerIdSql})`;
}

/**
 * SQL of one value: the id of the customer whose external reference (`customers.getByExternalRef`'s key) is
 * `externalRefSql` (a parameter or a column of the host's statement), or `NULL`. With {@link customerWithPriceBookSql},
 * a host's statement reads that customer too (the shop's bot: a sender with no link yet, who may have a customer keyed
 * by their Telegram id). `schema`: the storage's schema, as for {@link customerWithPriceBookSql}.
 */
export function customerIdByExternalRefSql(schema: string, externalRefSql: string): string {
  return `(SELECT r.id FROM ${quoteIdent(checkSchemaName(schema))}.customers r WHERE r.external_ref = ${externalRefSql})`;
}

/** The value of {@link customerWithPriceBookSql}, decoded: the customer and its price book, or `null`. */
export function customerWithPriceBookFromJson(value: unknown): CustomerWithPriceBook | null {
  const read = jsonRow(value);
  if (read === null) return null;
  const customer = jsonRow(read['customer']);
  return customer === null
    ? null
    : {
        customer: customerFromRow(customer),
        priceBook: jsonRows(read['priceBook']).map(entryFromRow),
        balances: balancesFromJson(read['balances']),
      };
}
