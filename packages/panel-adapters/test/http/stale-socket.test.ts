/**
 * A kept-alive socket that dies under a request before any byte of its answer: the request is sent once more at
 * once only when no byte of it was written, or when it is idempotent; a write that may have reached the panel
 * never is. A raw `net` server on 127.0.0.1 controls every socket.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type Server, type Socket } from 'node:net';
import { PanelConnectionError, PanelTimeoutError } from '@panelkit/sdk';
import type { CallContext } from '@panelkit/sdk/adapter';
import { afterEach, describe, expect, it } from 'vitest';
import { PanelHttp } from '../../src/index.js';
import { PANEL_IDLE_MS, panelDispatcher } from '../../src/http/panel-dispatcher.js';

/** What the server does with a request that arrives on a socket that has already answered one. */
type OnReuse = 'close' | 'reset' | 'handle-then-cut' | 'handle-and-hang';
/** What it does with the first request of a fresh socket. */
type OnFresh = 'answer' | 'close';

interface PanelStub {
  readonly baseUrl: string;
  /** Requests a handler ran, by path. */
  readonly handled: Map<string, number>;
  /** Connections opened, and requests dropped on a reused socket before any handler ran. */
  readonly stats: { connections: number; droppedOnReuse: number };
  readonly server: Server;
}

const stubs: Server[] = [];
afterEach(async () => {
  for (const server of stubs.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function panelStub(onReuse: OnReuse, onFresh: OnFresh = 'answer'): Promise<PanelStub> {
  const handled = new Map<string, number>();
  const stats = { connections: 0, droppedOnReuse: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    stats.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let answered = 0;
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      if (answered === 0 && onFresh === 'close') return void socket.destroy();
      if (answered > 0 && (onReuse === 'close' || onReuse === 'reset')) {
        // The panel closed this idle connection as the next request arrived: no handler sees it.
        stats.droppedOnReuse++;
        return void (onReuse === 'reset' ? socket.resetAndDestroy() : socket.destroy());
      }
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: *(\d+)/i.exec(buffer.slice(0, end))?.[1] ?? 0);
      if (buffer.length < end + 4 + length) return;
      const path = buffer.slice(0, end).split(' ')[1] ?? '';
      buffer = '';
      handled.set(path, (handled.get(path) ?? 0) + 1);
      if (answered++ > 0 && onReuse === 'handle-then-cut') {
        socket.write('HTTP/1.1 201 Created\r\ncontent-type: appli');
        return void setImmediate(() => socket.destroy());
      }
      if (answered > 1 && onReuse === 'handle-and-hang') return;
      const status = path.endsWith('/fail') ? '500 Internal Server Error' : '200 OK';
      const body = path.endsWith('/fail') ? 'boom' : '{"ok":true}';
      socket.write(
        `HTTP/1.1 ${status}\r\nconnection: keep-alive\r\nkeep-alive: timeout=600\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
      );
    });
  });
  stubs.push(server);
  // Kept-alive sockets would hold close() open until the client's idle timeout.
  const close = server.close.bind(server);
  server.close = (callback) => {
    for (const socket of sockets) socket.destroy();
    return close(callback);
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return { baseUrl: `http://127.0.0.1:${address.port}/`, handled, stats, server };
}

const ctx = (signal: AbortSignal = new AbortController().signal): CallContext => ({ signal, idempotencyKey: 'k' });

/** A 500 on a kept-alive socket, then a pause so the pool holds that socket idle for the next request. */
async function answeredFiveHundred(http: PanelHttp): Promise<void> {
  const res = await http.exchange({ operation: 'fail', method: 'GET', path: 'fail' }, ctx());
  expect(res.status).toBe(500);
  await new Promise((resolve) => setTimeout(resolve, 30));
}

const create = { operation: 'create', method: 'POST', path: 'create', json: { name: 'alice' } } as const;

/** Destroys the socket undici takes for the next `times` requests, before it writes a byte of them. */
function dieBeforeWrite(times: number): () => void {
  let left = times;
  const kill = (message: unknown) => {
    if (left <= 0) return;
    left--;
    (message as { socket: Socket }).socket.destroy();
  };
  subscribe('undici:client:sendHeaders', kill);
  return () => unsubscribe('undici:client:sendHeaders', kill);
}

const errorDetails = (error: unknown) => (error as { details?: Record<string, unknown> }).details;

describe('a kept-alive socket the panel closed', () => {
  it.each(['close', 'reset'] as const)('never resends a write the socket took before it died (%s)', async (how) => {
    const stub = await panelStub(how);
    const http = new PanelHttp({ kind: 'test', baseUrl: stub.baseUrl });
    await answeredFiveHundred(http);

    const error = await http.exchange(create, ctx()).catch((e: unknown) => e);

    expect(PanelConnectionError.is(error)).toBe(true);
    expect((error as PanelConnectionError).retryable).toBe(true);
    expect(errorDetails(error)).toMatchObject({ requestSent: true });
    expect(stub.stats.droppedOnReuse).toBe(1);
    expect(stub.stats.connections).toBe(1);
  });

  it.each(['close', 'reset'] as const)('resends at once a read the socket took before it died (%s)', async (how) => {
    const stub = await panelStub(how);
    const http = new PanelHttp({ kind: 'test', baseUrl: stub.baseUrl });
    await answeredFiveHundred(http);

    const res = await http.exchange({ operation: 'read', method: 'GET', path: 'read' }, ctx());

    expect(res.status).toBe(200);
    expect(stub.stats.droppedOnReuse).toBe(1);
    expect(stub.handled.get('/read')).toBe(1);
    expect(stub.stats.connections).toBe(2);
  });

  it('resends at once a POST its adapter marks idempotent', async () => {
    const stub = await panelStub('reset');
    const http = new PanelHttp({ kind: 'test', baseUrl: stub.baseUrl });
    await answeredFiveHundred(http);

    const res = await http.exchange({ operation: 'onlines', method: 'POST', path: 'onlines', idempotent: true }, ctx());

    expect(res.status).toBe(200);
    expect(stub.handled.get('/onlines')).toBe(1);
    expect(stub.stats.connections).toBe(2);
  });

  it('never resends a GET its adapter marks not idempotent', async () => {
    const stub = await panelStub('reset');
    const http = new PanelHttp({ kind: 'test', baseUrl: stub.baseUrl });
    await answeredFiveHundred(http);

    const error = await http.exchange({ operation: 'sub', method: 'GET', path: 'sub', idempotent: false }, ctx()).catch((e: unknown) => e);

    expect(PanelConnectionError.is(error)).toBe(true);
    expect(stub.stats.connections).toBe(1);
  });

  it('resends a write once, at once, when its reused socket died before a byte of it was written', async () => {
    const stub = await panelStub('handle-and-hang');
    const http = new PanelHttp({ kind: 'test', baseUrl: stub.baseUrl });
    await answeredFiveHundred(http);
    const stop = dieBeforeWrite(1);

    const res = await http.exchange(create, ctx()).finally(stop);

    expect(res.status).toBe(200);
    expect(stub.handled.get('/create')).toBe(1);
    expect(stub.stats.connections).toBe(2);
  });

  it("resends only once: a second socket that dies before the write is the caller's", async () => {
    const stub = await panelStub('handle-and-hang');
    const http = new PanelHttp({ kind: 'test', baseUrl: stub.baseUrl });
    await answeredFiveHundred(http);
    const stop = dieBeforeWrite(2);

    const error = await http
      .exchange(create, ctx())
      .catch((e: unknown) => e)
      .finally(stop);

    expect(PanelConnectionError.is(error)).toBe(true);
    expect(errorDetails(error)).toMatchObject({ requestSent: false });
    expect(stub.handled.get('/create')).toBeUndefined();
  });

  it('never resends a request the panel handled and cut mid-answer', async () => {
    const stub = await panelStub('handle-then-cut');
    const http = new PanelHttp({ kind: 'test', baseUrl: stub.baseUrl });
    await answeredFiveHundred(http);

    const error = await http.exchange(create, ctx()).catch((e: unknown) => e);

    expect(PanelConnectionError.is(error)).toBe(true);
    expect(stub.handled.get('/create')).toBe(1);
    expect(stub.stats.connections).toBe(1);
  });

  it('never resends a request that timed out on a reused socket', async () => {
    const stub = await panelStub('handle-and-hang');
    const http = new PanelHttp({ kind: 'test', baseUrl: stub.baseUrl });
    await answeredFiveHundred(http);
    const controller = new AbortController();
    const call = http.exchange(create, ctx(AbortSignal.any([controller.signal, AbortSignal.timeout(60_000)])));
    while (!stub.handled.get('/create')) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort(Object.assign(new Error('timed out'), { name: 'TimeoutError' }));

    const error = await call.catch((e: unknown) => e);

    expect(PanelTimeoutError.is(error)).toBe(true);
    expect(stub.handled.get('/create')).toBe(1);
    expect(stub.stats.connections).toBe(1);
  });

  it('leaves a fresh connection dropped before any answer to the retry policy', async () => {
    const stub = await panelStub('close', 'close');
    const http = new PanelHttp({ kind: 'test', baseUrl: stub.baseUrl });

    const error = await http.exchange(create, ctx()).catch((e: unknown) => e);

    expect(PanelConnectionError.is(error)).toBe(true);
    expect(stub.stats.connections).toBe(1);
  });

  it('leaves a refused connection to the retry policy', async () => {
    const stub = await panelStub('close');
    await new Promise((resolve) => stub.server.close(resolve));
    stubs.splice(stubs.indexOf(stub.server), 1);
    const http = new PanelHttp({ kind: 'test', baseUrl: stub.baseUrl });

    const error = await http.exchange(create, ctx()).catch((e: unknown) => e);

    expect(PanelConnectionError.is(error)).toBe(true);
  });
});

describe('the panels connection pool', () => {
  it(`closes an idle connection after ${PANEL_IDLE_MS} ms though the panel announces ten minutes`, async () => {
    const stub = await panelStub('handle-and-hang');
    const closedByClient = new Promise<void>((resolve) => {
      stub.server.once('connection', (socket: Socket) => socket.once('end', () => resolve()));
    });
    const http = new PanelHttp({ kind: 'test', baseUrl: stub.baseUrl });

    expect((await http.exchange({ operation: 'read', method: 'GET', path: 'read' }, ctx())).status).toBe(200);

    // The stub never closes a socket itself and announces `keep-alive: timeout=600`, which undici's default Agent
    // would honour for ten minutes: the end of this one is the panel pool's idle limit.
    await closedByClient;
  });

  it("is an Agent of the global dispatcher's own class, and a global dispatcher that is not one is kept", () => {
    const key = Symbol.for('undici.globalDispatcher.1');
    const globals = globalThis as Record<symbol, unknown>;
    const original = globals[key] as { constructor: unknown };
    const pool = panelDispatcher();
    expect(pool?.constructor).toBe(original.constructor);
    expect(pool).not.toBe(original);
    class ProxyAgent {
      dispatch(): boolean {
        return true;
      }
    }
    const proxy = new ProxyAgent();
    globals[key] = proxy;
    try {
      expect(panelDispatcher()).toBe(proxy);
    } finally {
      globals[key] = original;
    }
    expect(panelDispatcher()).toBe(pool);
  });
});
