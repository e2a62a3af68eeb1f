import type { SqlQueryable } from '../../src/index.js';

/**
 * The statements that empty a migrated schema but its migrations record (the table `keep`): a `DELETE` per table,
 * each table after every table whose foreign keys point at it, then every sequence back to its start. Per test that
 * is about 9 ms of CPU on PGlite and 3 ms on the server, against 32 ms and 71 ms for one
 * `TRUNCATE … RESTART IDENTITY CASCADE`, which replaces each table's files; only tables in a cycle of foreign keys are
 * truncated. Foreign keys from other schemas are not followed: empty a schema whose tables point into another one first.
 */
export async function emptyingStatements(client: SqlQueryable, schema: string, keep = 'panelkit_migrations'): Promise<string[]> {
  const { rows: tables } = await client.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 AND tablename <> $2`,
    [schema, keep],
  );
  if (tables.length === 0) throw new Error(`schema ${schema} has no tables to empty`);
  const { rows: references } = await client.query<{ child: string; parent: string }>(
    `SELECT child.relname AS child, parent.relname AS parent
       FROM pg_constraint c
       JOIN pg_class child ON child.oid = c.conrelid
       JOIN pg_class parent ON parent.oid = c.confrelid
      WHERE c.contype = 'f' AND c.connamespace = $1::regnamespace AND c.conrelid <> c.confrelid`,
    [schema],
  );
  const { rows: sequences } = await client.query<{ name: string }>(`SELECT sequencename AS name FROM pg_sequences WHERE schemaname = $1`, [
    schema,
  ]);
  const ordered: string[] = [];
  const left = new Set(tables.map((t) => t.name));
  while (left.size > 0) {
    const ready = [...left].filter((table) => !references.some((r) => r.parent === table && left.has(r.child)));
    // Tables whose foreign keys form a cycle (a storefront's reseller is a customer, a customer's storefront is a
    // storefront) cannot be emptied one after another: what is left goes in one `TRUNCATE` (the others are empty by then).
    if (ready.length === 0) break;
    for (const table of ready) {
      ordered.push(table);
      left.delete(table);
    }
  }
  const q = (name: string) => `"${schema}"."${name.replaceAll('"', '""')}"`;
  return [
    ...ordered.map((table) => `DELETE FROM ${q(table)}`),
    ...(left.size === 0 ? [] : [`TRUNCATE ${[...left].map(q).join(', ')} CASCADE`]),
    ...sequences.map((sequence) => `SELECT setval('${q(sequence.name).replaceAll("'", "''")}', 1, false)`),
  ];
}
