/** A `SqlClient` that counts the statements it sends (a transaction counts its BEGIN and COMMIT too). */
import type { SqlClient, SqlQueryable } from '../../packages/storage-postgres/src/index.js';

export interface StatementCount {
  statements: number;
  transactions: number;
  /** By the statement's first words, when asked for (BENCH_DEBUG). */
  byText?: Map<string, number>;
}

export function countingClient(base: SqlClient, count: StatementCount): SqlClient {
  const counted = (connection: SqlQueryable): SqlQueryable => ({
    query: (text, params) => {
      count.statements++;
      if (count.byText !== undefined) {
        const key = text.replace(/\s+/g, ' ').slice(0, 90);
        count.byText.set(key, (count.byText.get(key) ?? 0) + 1);
      }
      return connection.query(text, params);
    },
  });
  return {
    concurrent: base.concurrent,
    query: counted(base).query,
    transaction: (fn) => {
      count.transactions++;
      count.statements += 2;
      return base.transaction((connection) => fn(counted(connection)));
    },
  };
}
