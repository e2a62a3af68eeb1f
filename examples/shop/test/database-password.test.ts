import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../src/stack/database.js';
import { explainStartupError } from '../src/stack/startup-errors.js';

const SHOP_DIR = resolve(import.meta.dirname, '..');
const TEST_KEYS = `k1:${Buffer.alloc(32, 1).toString('base64')}`;

/** A PostgreSQL message: its type byte, its length, its body. */
function message(type: string, body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeInt32BE(body.length + 4);
  return Buffer.concat([Buffer.from(type), length, body]);
}

const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

/**
 * As much of a PostgreSQL server as a client needs to meet SCRAM-SHA-256, as the compose file's PostgreSQL asks it
 * (`host all all all scram-sha-256`): the server's first message, then a refused login. What the clients sent
 * (`p`: a SASL response) is recorded.
 */
function scramOnlyServer(): { server: Server; received: string[]; sockets: Set<Socket> } {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket: Socket) => {
    let buffer = Buffer.alloc(0);
    let started = false;
    let responses = 0;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const headerLength = started ? 5 : 4;
        if (buffer.length < headerLength) return;
        const length = buffer.readInt32BE(started ? 1 : 0);
        const total = started ? length + 1 : length;
        if (buffer.length < total) return;
        const type = started ? String.fromCharCode(buffer[0] as number) : 'startup';
        const body = buffer.subarray(headerLength, total);
        buffer = buffer.subarray(total);
        received.push(type);
        if (type === 'startup') {
          started = true;
          socket.write(message('R', Buffer.concat([int32(10), Buffer.from('SCRAM-SHA-256\0\0')])));
        } else if (type === 'p' && ++responses === 1) {
          // SASLInitialResponse: mechanism\0, int32 length, client-first-message `n,,n=*,r=<nonce>`.
          const clientFirst = body.subarray(body.indexOf(0) + 5).toString();
          const nonce = /r=([^,]+)/.exec(clientFirst)?.[1] as string;
          const serverFirst = `r=${nonce}${randomBytes(9).toString('base64')},s=${randomBytes(16).toString('base64')},i=4096`;
          socket.write(message('R', Buffer.concat([int32(11), Buffer.from(serverFirst)])));
        } else if (type === 'p') {
          const fields = 'SFATAL\0C28P01\0Mpassword authentication failed for user "shop"\0\0';
          socket.end(message('E', Buffer.from(fields)));
        }
      }
    });
  });
  return { server, received, sockets };
}

describe('a database that asks for a password the settings do not give', () => {
  let fake: ReturnType<typeof scramOnlyServer>;
  let url: string;

  beforeAll(async () => {
    // The settings of the test's own environment must not give a password.
    vi.stubEnv('PGPASSWORD', undefined);
    fake = scramOnlyServer();
    await new Promise<void>((done) => fake.server.listen(0, '127.0.0.1', done));
    const { port } = fake.server.address() as { port: number };
    url = `postgres://shop@127.0.0.1:${port}/shop`;
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    for (const socket of fake.sockets) socket.destroy();
    await new Promise<void>((done) => fake.server.close(() => done()));
  });

  it('is refused naming PGPASSWORD and where it goes, not with the driver’s SCRAM error', async () => {
    const database = await openDatabase({ kind: 'postgres', url, password: null });
    const error = await database.client.query('SELECT 1').then(
      () => null,
      (e: unknown) => e,
    );
    await database.close();
    expect(error).not.toBeNull();
    const explained = explainStartupError(error);
    expect(explained).toContain('PGPASSWORD: missing');
    expect(explained).toContain('.env');
    expect(explained).not.toContain('SCRAM');
  });

  it('with PGPASSWORD, the client answers the server with it (only the login is refused here)', async () => {
    const before = fake.received.filter((t) => t === 'p').length;
    const database = await openDatabase({ kind: 'postgres', url: url.replace('shop@', 'shop:wrong-password@'), password: null });
    const error = await database.client.query('SELECT 1').then(
      () => null,
      (e: unknown) => e,
    );
    await database.close();
    // Both SASL messages went out: the password was used, and the server's refusal is what is explained.
    expect(fake.received.filter((t) => t === 'p').length - before).toBe(2);
    expect(explainStartupError(error)).toContain('the database refused the login');
  });

  it('stops `migrate` with the setting named and no stack trace, for an .env that lacks PGPASSWORD', async () => {
    // The environment the compose file gives the shop's processes from an older .env: no PGPASSWORD line.
    const child = spawn(process.execPath, ['--conditions=@panelkit/source', '--import', 'tsx', 'src/migrate-command.ts'], {
      cwd: SHOP_DIR,
      env: {
        PATH: process.env['PATH'],
        HOME: process.env['HOME'],
        DATABASE_URL: url,
        SHOP_SECRET: 'x'.repeat(43),
        SHOP_SECRET_KEYS: TEST_KEYS,
        POSTGRES_PASSWORD: 'the-database-password',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => void (output += String(chunk)));
    child.stderr.on('data', (chunk: Buffer) => void (output += String(chunk)));
    const code = await new Promise<number | null>((done) => child.once('exit', done));
    expect(code).toBe(1);
    expect(output).toContain('cannot start: PGPASSWORD: missing');
    expect(output).not.toContain('SCRAM');
    expect(output).not.toMatch(/\n\s+at /);
  }, 60_000);
});
