import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import pg from 'pg';
import { bundledEntry } from '../../../../scripts/test-support/bundled-entry.js';

const SHOP_DIR = resolve(import.meta.dirname, '../..');

/** Web replicas of the shop, each its own OS process (`web-replica.ts`) on the database `env` names. */
export interface WebReplicas {
  /** Where each replica serves, in start order. */
  readonly urls: string[];
  /** Asks every replica to stop and waits for the processes to exit. */
  stop(): Promise<void>;
}

/**
 * Forks `count` web replicas with `env` (on top of this process's), one after the other, each ready (migrated and
 * listening) before the next starts.
 */
export async function startWebReplicas(count: number, env: Record<string, string>): Promise<WebReplicas> {
  const entry = await bundledEntry(resolve(SHOP_DIR, 'test/support/web-replica.ts'));
  const children: ChildProcess[] = [];
  const urls: string[] = [];
  const stop = async () => {
    for (const child of children) if (child.exitCode === null && child.connected) child.send({ type: 'stop' });
    await Promise.all(children.map((c) => new Promise((done) => (c.exitCode === null ? c.once('exit', done) : done(null)))));
  };
  try {
    for (let i = 0; i < count; i++) {
      const child = fork(entry, [], {
        cwd: SHOP_DIR,
        env: { ...process.env, ...env },
        execArgv: [],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      urls.push(
        await new Promise<string>((done, fail) => {
          child.once('message', (m: { url: string }) => done(m.url));
          child.once('exit', (code) => fail(new Error(`replica exited with ${code}`)));
        }),
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { urls, stop };
}

/** Drops the engine's schema and the shop's beside it (a replica test's clean-up). */
export async function dropShopSchemas(databaseUrl: string, schema: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: databaseUrl });
  for (const s of [schema, `${schema}_shop`]) await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await pool.end();
}
