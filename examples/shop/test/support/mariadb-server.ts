import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { testTempFolder } from '../../../../scripts/test-support/temp-root.js';

const INSTALL_DB = ['/usr/bin/mariadb-install-db', '/usr/bin/mysql_install_db'];
const SERVER = ['/usr/sbin/mariadbd', '/usr/sbin/mysqld'];

/** A MariaDB server a test started on its own port and data folder; `url(db)` connects as root. */
export interface MariaDbServer {
  url(database: string): string;
  /** Runs statements (several per call) as root. */
  exec(sql: string, database?: string): Promise<void>;
  stop(): Promise<void>;
}

/** Why MariaDB cannot run here, or `null` when its binaries are installed (Debian's `mariadb-server`). */
export function mariaDbMissing(): string | null {
  if (!INSTALL_DB.some(existsSync) || !SERVER.some(existsSync)) return "MariaDB is not installed (Debian's mariadb-server)";
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a private MariaDB: a fresh data folder (removed with the run's temporary folder), its own
 * port on 127.0.0.1, no grant tables (root without a password), waited on until it answers.
 */
export async function startMariaDb(): Promise<MariaDbServer> {
  const dir = testTempFolder('mariadb');
  const data = join(dir, 'data');
  const install = INSTALL_DB.find(existsSync) as string;
  const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
  const installed = spawnSync(
    install,
    ['--no-defaults', `--datadir=${data}`, ...asRoot, '--skip-test-db', '--auth-root-authentication-method=normal'],
    {
      encoding: 'utf8',
    },
  );
  if (installed.status !== 0) throw new Error(`mariadb-install-db failed: ${installed.stderr}`);
  const port = await freePort();
  const child: ChildProcess = spawn(
    SERVER.find(existsSync) as string,
    [
      '--no-defaults',
      `--datadir=${data}`,
      ...asRoot,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${join(dir, 'mysqld.sock')}`,
      `--pid-file=${join(dir, 'mysqld.pid')}`,
      '--skip-grant-tables',
      '--skip-name-resolve',
      '--innodb-buffer-pool-size=16M',
      '--skip-log-bin',
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const root = { host: '127.0.0.1', port, user: 'root', multipleStatements: true };
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const probe = await mysql.createConnection(root);
      await probe.end();
      break;
    } catch (error) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`mariadbd did not start: ${String(error)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url: (database) => `mysql://root@127.0.0.1:${port}/${database}`,
    async exec(sql, database) {
      const connection = await mysql.createConnection({ ...root, ...(database === undefined ? {} : { database }), charset: 'utf8mb4' });
      try {
        await connection.query(sql);
      } finally {
        await connection.end();
      }
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
