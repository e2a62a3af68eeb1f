import type { SqlQueryable } from '@panelkit/storage-postgres';

/** A table a backup carries, with the columns an INSERT may write (generated ones are left out). */
export interface BackupTable {
  name: string;
  columns: string[];
}

/** Bookkeeping rows each build writes itself when it migrates: never exported, never restored. */
export const NOT_BACKED_UP = new Set(['panelkit_migrations', 'shop_migrations']);

/**
 * The tables of one schema, parents before the tables whose foreign keys point at them, so rows can be inserted
 * in this order with every constraint checked.
 */
export async function tablesOf(db: SqlQueryable, schema: string): Promise<BackupTable[]> {
  const { rows: columns } = await db.query<{ table: string; column: string }>(
    `SELECT c.relname AS table, a.attname AS column
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
      ORDER BY c.relname, a.attnum`,
    [schema],
  );
  const { rows: links } = await db.query<{ child: string; parent: string }>(
    `SELECT c.relname AS child, p.relname AS parent
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_namespace pn ON pn.oid = p.relnamespace
      WHERE k.contype = 'f' AND n.nspname = $1 AND pn.nspname = $1 AND c.oid <> p.oid`,
    [schema],
  );
  const byTable = new Map<string, string[]>();
  for (const row of columns) {
    if (NOT_BACKED_UP.has(row.table)) continue;
    byTable.set(row.table, [...(byTable.get(row.table) ?? []), row.column]);
  }
  const parents = new Map<string, Set<string>>([...byTable.keys()].map((t) => [t, new Set<string>()]));
  for (const link of links) parents.get(link.child)?.add(link.parent);
  const ordered: string[] = [];
  const placed = new Set<string>();
  const place = (table: string, path: Set<string>) => {
    if (placed.has(table) || path.has(table)) return;
    path.add(table);
    for (const parent of parents.get(table) ?? []) if (byTable.has(parent)) place(parent, path);
    placed.add(table);
    ordered.push(table);
  };
  for (const table of [...byTable.keys()].sort()) place(table, new Set());
  return ordered.map((name) => ({ name, columns: byTable.get(name)! }));
}

/** A name as a quoted SQL identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
