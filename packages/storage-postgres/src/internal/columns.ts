/** One stored column: its name, the SQL type its parameter is cast to, and how to read it off an entity. */
export type Column<T> = readonly [name: string, cast: string, value: (entity: T) => unknown];

/** `INSERT` of every column, each value a cast parameter; returns the stored row. */
export function insertSql<T>(table: string, columns: readonly Column<T>[]): string {
  const names = columns.map(([name]) => name).join(', ');
  const values = columns.map(([, cast], i) => `$${i + 1}::${cast}`).join(', ');
  return `INSERT INTO ${table} (${names}) VALUES (${values}) RETURNING *`;
}

/**
 * One `INSERT` of `count` rows (a `VALUES` list, each value a cast parameter, row after row as {@link paramsOfMany}
 * gives them); returns the stored rows. Bounded by the port's rows per call, so the parameters stay far below
 * PostgreSQL's 65 535.
 */
export function insertManySql<T>(table: string, columns: readonly Column<T>[], count: number): string {
  const names = columns.map(([name]) => name).join(', ');
  const width = columns.length;
  const rows = Array.from({ length: count }, (_, row) => {
    const values = columns.map(([, cast], i) => `$${row * width + i + 1}::${cast}`).join(', ');
    return `(${values})`;
  });
  return `INSERT INTO ${table} (${names}) VALUES ${rows.join(', ')} RETURNING *`;
}

/** The parameters of {@link insertManySql}: every entity's columns, one entity after another. */
export function paramsOfMany<T>(columns: readonly Column<T>[], entities: readonly T[]): unknown[] {
  return entities.flatMap((entity) => paramsOf(columns, entity));
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
