import { checkSchemaName, quoteIdent } from './internal/sql.js';

/**
 * The common table expressions of `linkTokens.ensureMany` in the link token table `table` (quoted), after a `WITH`:
 * `<name>_asked`, the rows `asked` gives (`customer_id, nonce, token_hash`: each customer once, with its candidate);
 * `<name>_made`, the candidates stored for the customers that had no token; and `<name>`, `(customer_id, nonce)` of each
 * customer asked, made now or stored before. Inserted in customer id order, so two statements over the same customers
 * wait for each other rather than deadlock. `at`: the rows' `created_at` and `rotated_at` (a `timestamptz`). A customer
 * with no row in `<name>` had its first token made by a statement that committed after this one's snapshot.
 */
export function linkTokenCtes(table: string, name: string, asked: string, at: string): string {
  return `${name}_asked AS (${asked}),
     ${name}_made AS (
       INSERT INTO ${table} (customer_id, nonce, token_hash, created_at, rotated_at)
       SELECT a.customer_id, a.nonce, a.token_hash, ${at}, ${at} FROM ${name}_asked AS a ORDER BY a.customer_id
       ON CONFLICT (customer_id) DO NOTHING RETURNING customer_id, nonce
     ),
     ${name} AS (
       SELECT customer_id, nonce FROM ${name}_made
       UNION ALL SELECT t.customer_id, t.nonce FROM ${table} AS t WHERE t.customer_id = ANY(ARRAY(SELECT customer_id FROM ${name}_asked))
     )`;
}

/**
 * SQL of common table expressions for a host's own statement (after its `WITH`, beside its own): what
 * `linkTokens.ensureMany` does, in a write the host sends anyway (issue 93: the shop's notices write makes the link
 * tokens its messages carry). `asked`: SQL of a relation with the columns `customer_id, nonce, token_hash`, each
 * customer once with the candidate `kit.links.toMake` gave it (it may read the host's earlier expressions). `<name>`
 * then answers `(customer_id, nonce)` of each customer asked, its candidate stored first when it had no token; `name`
 * is a plain SQL name the host's statement does not otherwise use (nor `<name>_asked`, `<name>_made`). A customer with no
 * row in `<name>` had its first token made by a statement that committed after this one's snapshot: ask
 * `kit.links.tokenFor`. A missing customer fails the host's statement (the foreign key, `ensureMany`'s `NotFoundError`):
 * ask only for customers that exist. `at`: SQL of a `timestamptz`, the rows' time. `schema`: the storage's schema
 * (`createPostgresStorage`'s `schema`, default `panelkit`).
 */
export function ensureLinkTokensSql(schema: string, name: string, asked: string, at: string): string {
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(name)) throw new Error(`ensureLinkTokensSql: ${JSON.stringify(name)} is no plain SQL name`);
  return linkTokenCtes(`${quoteIdent(checkSchemaName(schema))}.link_tokens`, name, asked, at);
}
