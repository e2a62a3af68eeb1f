import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a stand-in gateway answers one request with: a string body goes out as HTML, anything else as JSON. */
export interface GatewayAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * The HTTP server under each of the demo's payment gateway stand-ins (CryptoBot, the crypto gateway, Zarinpal,
 * EPay, YooKassa, Stripe): it listens on a free port of 127.0.0.1, answers each request with what `handle` returns, and a
 * request `handle` throws on with a bare 500. A gateway that must misbehave on the wire (an answer lost after the
 * request was applied) overrides `send`.
 */
export abstract class DemoGatewayServer {
  /** The gateway's base address once started (`http://127.0.0.1:<port>` and `basePath`). */
  url = '';
  private server: Server | null = null;
  private held: { left: number; all: Promise<void>; arrived: () => void } | null = null;

  /** The path `url` ends with: where the gateway's API lives on its host. */
  protected readonly basePath: string = '/';

  /** The gateway's answer to one request. */
  protected abstract handle(req: IncomingMessage): Promise<GatewayAnswer>;

  /** Writes `answer` to the wire. */
  protected send(res: ServerResponse, answer: GatewayAnswer): void {
    const text = typeof answer.body === 'string';
    res.writeHead(answer.status, { 'content-type': text ? 'text/html; charset=utf-8' : 'application/json', ...answer.headers });
    res.end(text ? (answer.body as string) : JSON.stringify(answer.body));
  }

  /**
   * The next `count` POSTs wait for each other: none is handled before all have arrived (two replicas' requests
   * meet at the gateway, whichever is first on the wire), then they are handled in the order they came.
   */
  holdPosts(count: number): void {
    let arrived!: () => void;
    const all = new Promise<void>((done) => (arrived = done));
    this.held = { left: count, all, arrived };
  }

  private arrival(req: IncomingMessage): Promise<void> {
    const held = this.held;
    if (held === null || req.method !== 'POST') return Promise.resolve();
    if (--held.left === 0) {
      this.held = null;
      held.arrived();
    }
    return held.all;
  }

  /** Starts listening on a free port of 127.0.0.1. */
  async start(): Promise<this> {
    const server = createServer((req, res) => {
      this.arrival(req)
        .then(() => this.handle(req))
        .then((answer) => this.send(res, answer))
        .catch(() => res.writeHead(500).end());
    });
    this.server = server;
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${this.basePath}`;
    return this;
  }

  /** Stops listening and drops every open connection. */
  async close(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }
}
