import { createRequire } from 'node:module';
import type pgModule from 'pg';

// Loaded from this package: the root config that runs this set-up resolves modules from the repository's root, where pg is not.
const pg = createRequire(import.meta.url)('pg') as typeof pgModule;

/** Where a developer's machine usually has PostgreSQL: the local server, trust auth, the `test` database (as CI sets it). */
const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Vitest global set-up: when `PANELKIT_TEST_DATABASE_URL` is not set and a PostgreSQL server answers
 * at {@link LOCAL_URL} within a second, the real-server tests run against it (each in schemas of its
 * own, dropped afterwards) instead of being skipped. Set the variable to another URL to use another
 * server; without a reachable server they are skipped, and the run ends by saying how many and how
 * to run them (`scripts/vitest-skip-summary.ts`).
 */
export default async function detectLocalPostgres(): Promise<void> {
  if (process.env['PANELKIT_TEST_DATABASE_URL'] !== undefined) return;
  const client = new pg.Client({ connectionString: LOCAL_URL, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    // Set before the test workers start, so every one of them sees it.
    process.env['PANELKIT_TEST_DATABASE_URL'] = LOCAL_URL;
    console.log(`Real-server tests use the local PostgreSQL at ${LOCAL_URL} (set PANELKIT_TEST_DATABASE_URL to use another).`);
  } catch {
    // No server: those tests skip, and the summary says so at the end.
  } finally {
    await client.end().catch(() => undefined);
  }
}
