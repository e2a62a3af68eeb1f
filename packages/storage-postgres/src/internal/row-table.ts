import { NotFoundError } from '@panelkit/sdk';
import type { Page, PageRequest } from '@panelkit/sdk';
import type { SqlQueryable } from '../client.js';
import { insertManySql, insertSql, paramsOf, paramsOfMany, updateSql } from './columns.js';
import type { Column } from './columns.js';
import { rowLock } from './locks.js';
import { pageNewestFirst } from './paging.js';
import type { NewestFirst } from './paging.js';
import type { Row } from './sql.js';

/**
 * The statements every repository of a one-row-per-entity table repeats: insert an entity, read one
 * by a condition, lock one by id for a read-modify-write, write it back whole, and page newest first.
 * `table` is schema-qualified; the first of `columns` is `id`.
 */
export interface RowTable<T> {
  /** Inserts every column of `entity`; returns it as stored. */
  insert(db: SqlQueryable, entity: T): Promise<T>;
  /** Inserts every entity in one statement (all or none); returns them as stored, in the order given. */
  insertMany(db: SqlQueryable, entities: readonly T[]): Promise<T[]>;
  /** The first row matching `where` (on `$1…` of `params`), or `null`. */
  findOne(db: SqlQueryable, where: string, params: readonly unknown[]): Promise<T | null>;
  /**
   * The row with this id, locked for the rest of the transaction (see `rowLock`: `changesUniqueKey`
   * when the write will change a unique column); a missing row is a `NotFoundError` of `entity`.
   */
  lock(db: SqlQueryable, id: string, changesUniqueKey?: boolean): Promise<T>;
  /** Writes every column of `entity` over the row with its id (locked before); returns it as stored. */
  replace(db: SqlQueryable, entity: T): Promise<T>;
  /** One page, newest first, with a cursor exactly when another page follows. */
  newestFirst(db: SqlQueryable, page: PageRequest, query: NewestFirst<T>): Promise<Page<T>>;
}

/** The {@link RowTable} of `table`, whose rows `fromRow` reads and whose missing rows are reported as `entity`. */
export function rowTable<T>(table: string, entity: string, columns: readonly Column<T>[], fromRow: (row: Row) => T): RowTable<T> {
  const idOf = (value: T) => String(columns[0]![2](value));
  // Built on first use: a transaction makes every repository and most use none of these.
  let insert: string | undefined;
  let update: string | undefined;
  let insertMany: string | undefined;
  return {
    insert: async (db, value) => {
      insert ??= insertSql(table, columns);
      return fromRow((await db.query(insert, paramsOf(columns, value))).rows[0]!);
    },

    insertMany: async (db, values) => {
      if (values.length === 0) return [];
      const { rows } = await db.query((insertMany ??= insertManySql(table, columns)), paramsOfMany(columns, values));
      // RETURNING gives no order guarantee: match the rows back by id.
      const stored = new Map(rows.map((row) => [String(row['id']), fromRow(row)]));
      return values.map((value) => stored.get(idOf(value))!);
    },

    findOne: async (db, where, params) => {
      const { rows } = await db.query(`SELECT * FROM ${table} WHERE ${where}`, [...params]);
      return rows[0] === undefined ? null : fromRow(rows[0]);
    },

    lock: async (db, id, changesUniqueKey = false) => {
      const { rows } = await db.query(`SELECT * FROM ${table} WHERE id = $1 ${rowLock(changesUniqueKey)}`, [id]);
      if (rows[0] === undefined) throw new NotFoundError(entity, id);
      return fromRow(rows[0]);
    },

    replace: async (db, value) => {
      update ??= updateSql(table, columns);
      return fromRow((await db.query(update, paramsOf(columns, value))).rows[0]!);
    },

    newestFirst: (db, page, query) => pageNewestFirst(db, table, fromRow, page, query),
  };
}
