import type { SqlQueryable } from '@panelkit/storage-postgres';

/** Objects outside PostgreSQL's own schemas, one line each. */
const CATALOG_LINES = `
  WITH ns AS (SELECT oid, nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema')
  SELECT 'schema ' || nspname FROM ns
  UNION ALL
  SELECT 'relation ' || ns.nspname || '.' || c.relname || ' ' || c.relkind::text || ' ' || c.relrowsecurity || ' ' || coalesce(c.relacl::text, '')
    FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
  UNION ALL
  SELECT 'column ' || c.oid::regclass || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull
         || ' ' || a.attcollation || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN ns ON ns.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT 'constraint ' || co.conrelid::regclass || ' ' || co.conname || ' ' || pg_get_constraintdef(co.oid)
    FROM pg_constraint co JOIN ns ON ns.oid = co.connamespace
  UNION ALL
  SELECT 'index ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN ns ON ns.oid = c.relnamespace
  UNION ALL
  SELECT 'function ' || p.oid::regprocedure || ' ' || md5(p.prosrc) FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
  UNION ALL
  SELECT 'trigger ' || pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN ns ON ns.oid = c.relnamespace
   WHERE NOT t.tgisinternal
  UNION ALL
  SELECT 'type ' || t.oid::regtype || ' ' || t.typtype::text FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
  UNION ALL
  SELECT 'enum ' || e.enumtypid::regtype || ' ' || e.enumlabel FROM pg_enum e
  UNION ALL
  SELECT 'policy ' || pol.polrelid::regclass || ' ' || pol.polname FROM pg_policy pol
  UNION ALL
  SELECT 'extension ' || extname || ' ' || extversion FROM pg_extension
  UNION ALL
  SELECT 'role ' || rolname FROM pg_roles
  UNION ALL
  SELECT 'setting ' || setrole || ' ' || array_to_string(setconfig, ',') FROM pg_db_role_setting`;

/**
 * A digest of a database's schema as migrations leave it: every schema, table, column, constraint, index, function,
 * trigger, type, policy, extension, role and stored setting outside PostgreSQL's own schemas, and the versions the
 * migrations tables `records` (qualified, quoted) hold. Two databases with one digest have the same schema and the
 * same migrations recorded; rows of other tables do not count. Throws when a table of `records` is missing.
 */
export async function catalogFingerprint(client: SqlQueryable, records: readonly string[]): Promise<string> {
  const recorded = records.map((table) => `SELECT 'migration ${table.replaceAll("'", "''")} ' || version || ' ' || name FROM ${table}`);
  const { rows } = await client.query<{ digest: string }>(
    `SELECT md5(string_agg(line, E'\\n' ORDER BY line)) AS digest
       FROM (${[CATALOG_LINES, ...recorded].join('\n  UNION ALL\n  ')}) AS lines (line)`,
  );
  return rows[0]?.digest as string;
}
