import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { gracefulClose } from '../src/stack/graceful-close.js';

/** A server whose `/slow` requests wait until the test lets them answer. */
async function slowServer(): Promise<{ server: Server; port: number; answer: () => void; arrived: Promise<void> }> {
  let answer = () => {};
  let arrivedNow = () => {};
  const arrived = new Promise<void>((resolve) => {
    arrivedNow = resolve;
  });
  const server = createServer((req, res) => {
    if (req.url !== '/slow') return void res.end('quick');
    arrivedNow();
    answer = () => res.end('slow done');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, answer: () => answer(), arrived };
}

function get(port: number, path: string, agent: Agent): Promise<{ res: IncomingMessage; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ res, body }));
    })
      .on('error', reject)
      .end();
  });
}

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.closeAllConnections();
});

describe('a web server stopping on SIGTERM', () => {
  it('answers the request in flight, refuses new connections, and closes kept-alive ones', async () => {
    const { server, port, answer, arrived } = await slowServer();
    servers.push(server);
    const close = gracefulClose(server);
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    // One kept-alive connection sits idle, another carries a request being answered.
    expect((await get(port, '/quick', agent)).body).toBe('quick');
    const slow = get(port, '/slow', agent);
    await arrived;

    let closed = false;
    const closing = close({ graceMs: 10_000 }).then(() => {
      closed = true;
    });
    await expect(get(port, '/quick', new Agent())).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(false);

    answer();
    const { res, body } = await slow;
    expect(res.statusCode).toBe(200);
    expect(body).toBe('slow done');
    expect(res.headers['connection']).toBe('close');
    await closing;
    expect(closed).toBe(true);
    agent.destroy();
  });

  it('cuts what is still open after the grace', async () => {
    const { server, port, arrived } = await slowServer();
    servers.push(server);
    const close = gracefulClose(server);
    const slow = get(port, '/slow', new Agent({ keepAlive: true }));
    await arrived;
    await close({ graceMs: 200 });
    await expect(slow).rejects.toMatchObject({ code: 'ECONNRESET' });
  });
});
