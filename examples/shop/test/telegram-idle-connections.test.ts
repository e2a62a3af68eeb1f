/**
 * The Bot API client closes a kept-alive connection it no longer uses before a server with Node's 5 s keep-alive would
 * (`app/telegram-api.ts`): a server closing a socket as a message is written on it leaves the message's fate unknown,
 * and a job's message is then not sent again. Here the server never closes idle connections itself, so the only way a
 * connection can end is the client's.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramApi } from '../src/app/telegram-api.js';
import type { TelegramConfig } from '../src/config/config.js';

describe('Bot API connections', () => {
  let server: Server;
  const sockets: Socket[] = [];
  let apiRoot = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ ok: true, result: { id: 1, is_bot: true, first_name: 'shop', username: 'shop_bot' } }));
      });
    });
    // No keep-alive timeout of the server's own: idle connections stay open until the client closes them.
    server.keepAliveTimeout = 0;
    server.on('connection', (socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const config = (): TelegramConfig =>
    ({ token: '1:test', adminIds: [], apiRoot, webhook: null, support: null, miniApp: null }) as TelegramConfig;

  it('reuses one connection for calls in a row, and closes it itself once idle', async () => {
    const api = telegramApi(config());
    await api.getMe();
    await api.getMe();
    expect(sockets).toHaveLength(1);
    const closed = new Promise<void>((resolve) => sockets[0]!.once('close', () => resolve()));
    await closed;
    // A call after that opens a new connection instead of writing on a closed one.
    await api.getMe();
    expect(sockets).toHaveLength(2);
  });
});
