/** One stored column: its name, the SQL type its parameter is cast to, and how to read it off an entity. */
export type Column<T> = readonly [name: string, cast: string, value: (entity: T) => unknown];

/** `INSERT` of every column, each value a cast parameter; returns the stored row. */
export function insertSql<T>(table: string, columns: readonly Column<T>[]): string {
  const names = columns.map(([name]) => name).join(', ');
  const values = columns.map(([, cast], i) => `$${i + 1}::${cast}`).join(', ');
  return `INSERT INTO ${table} (${names}) VALUES (${values}) RETURNING *`;
}

/**
 * One `INSERT` of many rows: each column one array parameter (`unnest`), so the statement is the same
 * whatever the count and its parameters are as many as the columns (see {@link paramsOfMany}); returns the
 * stored rows unless `returning` is false. For columns of scalar and jsonb types (an array column would be
 * flattened by `unnest`).
 */
export function insertManySql<T>(table: string, columns: readonly Column<T>[], returning = true): string {
  const names = columns.map(([name]) => name).join(', ');
  const arrays = columns.map(([, cast], i) => `$${i + 1}::${cast}[]`).join(', ');
  return `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${arrays})${returning ? ' RETURNING *' : ''}`;
}

/** The parameters of {@link insertManySql}: per column, its values of every entity, in the order given. */
export function paramsOfMany<T>(columns: readonly Column<T>[], entities: readonly T[]): unknown[][] {
  return columnsOf(
    columns.length,
    entities.map((entity) => paramsOf(columns, entity)),
  );
}

/** Rows of `width` values turned into `width` columns of values. */
export function columnsOf(width: number, rows: readonly unknown[][]): unknown[][] {
  return Array.from({ length: width }, (_, c) => rows.map((row) => row[c]));
}

/** `UPDATE` of every column but `id` (the first column, `$1`), for a row already locked. */
export function updateSql<T>(table: string, columns: readonly Column<T>[]): string {
  const sets = columns
    .map(([name, cast], i) => (i === 0 ? null : `${name} = $${i + 1}::${cast}`))
    .filter((set) => set !== null)
    .join(', ');
  return `UPDATE ${table} SET ${sets} WHERE id = $1 RETURNING *`;
}

export function paramsOf<T>(columns: readonly Column<T>[], entity: T): unknown[] {
  return columns.map(([, , value]) => value(entity));
}
