import type { SqlQueryable } from '@panelkit/storage-postgres';
import { tablesOf } from '../../src/app/backup/tables.js';
import { testTempFolder } from '../../../../scripts/test-support/temp-root.js';

/** A new empty folder for a test, removed when the run ends (see `testTempFolder`). */
export function tempFolder(prefix: string): string {
  return testTempFolder(prefix);
}

/** Every row of both schemas as text, table by table, in a stable order: two databases holding the same data compare equal. */
export async function everyRow(db: SqlQueryable, engineSchema: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const schema of [engineSchema, `${engineSchema}_shop`]) {
    for (const table of await tablesOf(db, schema)) {
      const { rows } = await db.query<{ r: string }>(
        `SELECT row_to_json(t)::jsonb::text AS r FROM ${ident(schema)}.${ident(table.name)} t ORDER BY 1`,
      );
      out[`${schema === engineSchema ? 'engine' : 'shop'}.${table.name}`] = rows.map((x) => x.r);
    }
  }
  return out;
}

/** A name as a quoted SQL identifier. */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
