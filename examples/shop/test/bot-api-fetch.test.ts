import { Agent, createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botApiFetch } from '../src/app/bot-api-fetch.js';

/** Each request the server took: method, path, content type and body. */
const seen: Array<{ method?: string; url?: string; type?: string; body: string }> = [];
/** Requests the server holds unanswered (`/hold`), and whether each was closed by the client. */
const held: Array<{ req: IncomingMessage; closed: Promise<void> }> = [];

const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

let server: Server;
let root: string;
const agent = new Agent({ keepAlive: true });

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hold') {
      held.push({ req, closed: new Promise((resolve) => res.on('close', () => resolve())) });
      return;
    }
    void readBody(req).then((body) => {
      seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], body });
      const status = req.url === '/too-many' ? 429 : 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? { ok: true, result: body } : { ok: false, error_code: 429, parameters: { retry_after: 3 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  agent.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('botApiFetch', () => {
  const fetch = botApiFetch(agent);

  it('posts a JSON body once and answers its JSON, whatever the status', async () => {
    seen.length = 0;
    const ok = await fetch(`${root}/botT/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"chat_id":1,"text":"hi"}',
    });
    expect(await ok.json()).toEqual({ ok: true, result: '{"chat_id":1,"text":"hi"}' });
    const refused = await fetch(`${root}/too-many`, { method: 'POST', body: '{}' });
    expect(await refused.json()).toEqual({ ok: false, error_code: 429, parameters: { retry_after: 3 } });
    expect(seen.map((r) => [r.method, r.url, r.type])).toEqual([
      ['POST', '/botT/sendMessage', 'application/json'],
      ['POST', '/too-many', undefined],
    ]);
  });

  it("calls an address again with only that call's method, headers and body (its parsed address is kept)", async () => {
    seen.length = 0;
    const address = `${root}/botT/getMe?x=1`;
    await fetch(address, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    await fetch(address);
    await fetch(new URL(address), { method: 'POST', body: '{"b":2}' });
    expect(seen).toEqual([
      { method: 'POST', url: '/botT/getMe?x=1', type: 'application/json', body: '{"a":1}' },
      { method: 'GET', url: '/botT/getMe?x=1', type: undefined, body: '' },
      { method: 'POST', url: '/botT/getMe?x=1', type: undefined, body: '{"b":2}' },
    ]);
  });

  it('streams a multipart body given as a stream (a file upload)', async () => {
    seen.length = 0;
    const answer = await fetch(`${root}/botT/sendPhoto`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
      body: Readable.from(['--b\r\n', 'part', '\r\n--b--']),
    });
    expect(await answer.json()).toEqual({ ok: true, result: '--b\r\npart\r\n--b--' });
    expect(seen).toHaveLength(1);
  });

  it("fails with the socket's own error code when nothing listens (the send policy's never-sent case)", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(fetch(`http://127.0.0.1:${port}/botT/getMe`, { method: 'POST', body: '{}' })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });

  it('destroys the request when its signal aborts, and refuses an already aborted signal without sending', async () => {
    const controller = new AbortController();
    const pending = fetch(`${root}/hold`, { method: 'POST', body: '{}', signal: controller.signal });
    while (held.length === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await held[0]?.closed;
    seen.length = 0;
    await expect(fetch(`${root}/botT/getMe`, { method: 'POST', body: '{}', signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(seen).toHaveLength(0);
  });
});
