import mysql from 'mysql2/promise';
import type { RowReader } from './old-rows.js';

/** A read-only view of the old bot's MySQL/MariaDB database (`mysql://user:pass@host:port/db`). */
export interface OldDatabase {
  read: RowReader;
  close(): Promise<void>;
}

/** Connects to the old bot's database; large integers come back as text so no Telegram id loses digits. */
export async function openOldDatabase(url: string): Promise<OldDatabase> {
  const connection = await mysql.createConnection({
    uri: url,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    charset: 'utf8mb4',
  });
  return {
    async read(sql) {
      const [rows] = await connection.query({ sql, rowsAsArray: false });
      return rows as Record<string, unknown>[];
    },
    close: () => connection.end(),
  };
}
