import { createHash } from 'node:crypto';
import type { PgPoolLike } from '@panelkit/storage-postgres';

/**
 * The statements of a client app's refresh of the buyer's link (`/s/<token>`), which a refresh storm sends
 * thousands of times a second: the token's lookup, the buyer's subscriptions, the device's refresh. PostgreSQL parses
 * and plans an unnamed statement every time (measured in `bench/RESULTS.md`, ## sublink: 0.03–0.2 ms of its CPU
 * each, four to eight times what running a prepared one costs); these are sent as named (prepared) statements.
 */
const LINK_STATEMENTS: readonly RegExp[] = [
  /^SELECT customer_id FROM \S+\.subscription_links WHERE token_hash = \$1$/,
  /^SELECT \* FROM \S+\.subscriptions WHERE customer_id = \$1 AND \(created_at, id\) < /,
  /^WITH known AS \(SELECT \* FROM \S+\.devices WHERE subscription_id = \$1 AND hwid = \$2\)/,
];

/** Whether a statement is one of the link's ({@link LINK_STATEMENTS}). */
export function isLinkStatement(text: string): boolean {
  return LINK_STATEMENTS.some((pattern) => pattern.test(text));
}

/** SQLSTATE of "cached plan must not change result type": a table a prepared `SELECT *` reads gained a column. */
const PLAN_RESULT_CHANGED = '0A000';

/** The part of a `pg` `Pool` this wraps: statements by text or as a named query, and what `fromPgPool` uses. */
interface PgPoolWithConfigs extends PgPoolLike {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * The pool with the link's hot statements ({@link isLinkStatement}) sent as named statements, every other statement as
 * it comes; transactions (`connect`) untouched, and `Client`/`options` kept (`fromPgPool` opens its listening
 * connection from them). Each connection prepares a statement on its first use. When a migration adds a column
 * to a table a prepared statement reads (another replica migrating), PostgreSQL refuses it once per connection
 * (`0A000`): the statement is sent again under a new name, which every connection prepares anew.
 */
export function preparingLinkStatements<P extends PgPoolWithConfigs>(pool: P): P {
  let generation = 0;
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    const key = `${generation}:${text}`;
    let name = names.get(key);
    if (name === undefined) {
      name = `link_${generation}_${createHash('sha256').update(text).digest('hex').slice(0, 20)}`;
      names.set(key, name);
    }
    return name;
  };
  const named = (text: string, values: unknown[]) => pool.query({ name: nameOf(text), text, values });
  const query = async (text: string, values: unknown[] = []) => {
    if (!isLinkStatement(text)) return pool.query(text, values);
    const ran = generation;
    try {
      return await named(text, values);
    } catch (error) {
      if ((error as { code?: unknown }).code !== PLAN_RESULT_CHANGED) throw error;
      if (generation === ran) {
        generation++;
        names.clear();
      }
      return named(text, values);
    }
  };
  return new Proxy(pool, {
    get(target, property, receiver) {
      if (property === 'query') return query;
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' && property !== 'Client' ? value.bind(target) : value;
    },
  });
}
