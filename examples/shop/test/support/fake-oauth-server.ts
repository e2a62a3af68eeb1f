import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** One request a fake provider received (for the tests to check what the shop sent). */
export interface ReceivedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** The form body (`application/x-www-form-urlencoded`), empty for none. */
  form: URLSearchParams;
}

/** A request handler of a fake provider: answers `res` and returns nothing. */
export type FakeRoute = (request: ReceivedRequest, res: ServerResponse) => void;

/** A fake provider's HTTP server on 127.0.0.1. */
export interface FakeServer {
  readonly origin: string;
  /** Every request, in order. */
  readonly received: ReceivedRequest[];
  close(): Promise<void>;
}

/** Starts an HTTP server on a free 127.0.0.1 port answering `routes` by `METHOD /path` (404 otherwise). */
export async function startFakeServer(routes: Record<string, FakeRoute>): Promise<FakeServer> {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
      const request: ReceivedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        form: new URLSearchParams(isForm ? Buffer.concat(chunks).toString('utf8') : ''),
      };
      received.push(request);
      const route = routes[`${request.method} ${request.path}`];
      if (route === undefined) return void json(res, 404, { error: 'not_found' });
      route(request, res);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** Answers a JSON body. */
export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** Sends the browser to `location` (the provider's redirect back to the client). */
export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location });
  res.end();
}

/** A random token or code. */
export function randomToken(): string {
  return randomBytes(24).toString('base64url');
}

/** RFC 7636's S256: base64url(SHA-256(verifier)). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}
