import type { SqlClient } from '@panelkit/storage-postgres';
import { openDatabase, type OpenDatabase } from '../../src/stack/database.js';
import { pgliteTemplate } from '../../../../packages/storage-postgres/test/support/pglite-template.js';

/**
 * Empty in-memory PGlite databases that closed test shops gave back, kept on the worker thread's global so
 * the next test file on the thread finds them (files run one after another on a thread; the global holds
 * them even where a runner evaluates this module again for each file). Starting a PGlite costs about 0.85 s
 * of CPU even from the run's template; emptying one costs a few milliseconds.
 */
const SPARE_KEY = Symbol.for('panelkit.test.sparePGlites');
const MAX_SPARE = 2;

function spares(): OpenDatabase[] {
  const global = globalThis as { [SPARE_KEY]?: OpenDatabase[] };
  global[SPARE_KEY] ??= [];
  return global[SPARE_KEY];
}

/**
 * An empty PGlite database in memory, as new: a spare one when the thread has one, else one started from
 * the run's template. Closing it empties it (drops every schema made in it) and keeps it as a spare; one
 * that cannot be emptied exactly is closed instead.
 */
export async function pooledMemoryDatabase(): Promise<OpenDatabase> {
  const database = spares().pop() ?? (await openDatabase({ kind: 'memory', from: pgliteTemplate() }));
  const inner = database.client;
  let closed = false;
  // A component that outlives its shop must fail, as on a closed PGlite, not reach the next shop's tables.
  const open = <T>(run: () => Promise<T>): Promise<T> => (closed ? Promise.reject(new Error('the test database is closed')) : run());
  const client: SqlClient = {
    concurrent: inner.concurrent,
    query: (text, params) => open(() => inner.query(text, params)),
    transaction: (fn) => open(() => inner.transaction(fn)),
  };
  return {
    client,
    close: async () => {
      if (closed) return;
      closed = true;
      if (spares().length < MAX_SPARE && (await emptied(inner))) spares().push(database);
      else await database.close();
    },
  };
}

/**
 * Drops every schema a test made, through the client's lock (after any statement still running);
 * `false` (keep nothing) when `public` holds anything or a drop fails.
 */
async function emptied(client: SqlClient): Promise<boolean> {
  try {
    const { rows: inPublic } = await client.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace)
            + (SELECT count(*) FROM pg_type WHERE typnamespace = 'public'::regnamespace)
            + (SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace) AS n`,
    );
    if (Number(inPublic[0]?.n) !== 0) return false;
    const { rows } = await client.query<{ name: string }>(
      `SELECT nspname AS name FROM pg_namespace
        WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('information_schema', 'public')`,
    );
    if (rows.length > 0) await client.query(`DROP SCHEMA ${rows.map((r) => `"${r.name.replaceAll('"', '""')}"`).join(', ')} CASCADE`);
    return true;
  } catch {
    return false;
  }
}
