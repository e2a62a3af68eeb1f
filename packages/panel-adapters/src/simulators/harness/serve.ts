/**
 * Serves a simulator as a real HTTP server on 127.0.0.1: for the shop's embedded demo, the
 * engine's end-to-end tests and benchmarks. Node's request is turned into a Fetch `Request` and the
 * handler's `Response` written back (every `Set-Cookie` kept separate).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FetchHandler } from './types.js';

/** A simulator served over real HTTP on localhost. */
export interface RunningSimulator {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly origin: string;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

/**
 * Serves a Fetch handler (a simulator's `handle`) over real HTTP, on 127.0.0.1 and a free port unless
 * given; for adapters, apps or tests that need a URL rather than msw. Close it when done.
 */
export async function serveOnLocalhost(handler: FetchHandler, options: { port?: number; host?: string } = {}): Promise<RunningSimulator> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    void answer(handler, req, res, host);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function answer(handler: FetchHandler, req: IncomingMessage, res: ServerResponse, host: string): Promise<void> {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (value !== undefined) headers.set(name, value);
    }
    const method = req.method ?? 'GET';
    const request = new Request(`http://${req.headers.host ?? host}${req.url ?? '/'}`, {
      method,
      headers,
      signal: controller.signal,
      ...(body && method !== 'GET' && method !== 'HEAD' ? { body } : {}),
    });
    const response = await handler(request);
    // `Response.error()`: the panel drops the connection without an answer (Remnawave's proxy check).
    if (response.type === 'error') {
      res.socket?.destroy();
      return;
    }
    const outHeaders: Record<string, string | string[]> = {};
    response.headers.forEach((value, name) => {
      if (name !== 'set-cookie') outHeaders[name] = value;
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) outHeaders['set-cookie'] = cookies;
    const payload = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, outHeaders);
    res.end(payload);
  } catch {
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('simulator error');
  }
}
