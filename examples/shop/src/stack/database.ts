import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { fromPGlite, fromPgPool, type SqlClient } from '@panelkit/storage-postgres';
import pg from 'pg';
import type { ShopConfig } from '../config/config.js';
import { NamedPasswordClient } from './database-password.js';

export interface OpenDatabase {
  client: SqlClient;
  close(): Promise<void>;
}

/**
 * PGlite kept in memory (tests): `from` is a data folder saved by PGlite's `dumpDataDir` to start from,
 * which skips PGlite's initdb (about 2 s); without it the database starts blank.
 */
export interface MemoryDatabase {
  kind: 'memory';
  from?: Blob | undefined;
}

/** PGlite in the data folder, or a `pg` pool on DATABASE_URL; `memory` keeps PGlite in memory (tests). */
export async function openDatabase(database: ShopConfig['database'] | MemoryDatabase): Promise<OpenDatabase> {
  if (database.kind === 'postgres') {
    // A database host that drops packets fails a request in 30 s (a 503) instead of hanging it for minutes; the wait
    // counts a busy pool's queue too, so it is far above any wait for a free connection under load.
    const pool = new pg.Pool({
      connectionString: database.url,
      max: 10,
      connectionTimeoutMillis: 30_000,
      // Above the lifecycle tick (15 s) and the worker's poll: an idle replica keeps its connections, and with them
      // the statements each has parsed, instead of reconnecting every ~30 s (pg's default drops a client after 10 s).
      idleTimeoutMillis: 60_000,
      Client: NamedPasswordClient,
    });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    pool.on('error', () => undefined);
    // Nor a client in use: its statement fails (and is answered 503); the event itself has nothing to add.
    pool.on('connect', (client) => client.on('error', () => undefined));
    return { client: fromPgPool(pool), close: () => pool.end() };
  }
  let db: PGlite;
  if (database.kind === 'memory') db = await PGlite.create(database.from === undefined ? {} : { loadDataDir: database.from });
  else {
    mkdirSync(database.dataDir, { recursive: true });
    db = await PGlite.create(database.dataDir);
  }
  return { client: fromPGlite(db), close: () => db.close() };
}
