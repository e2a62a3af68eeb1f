import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a gateway simulator answers one request with: a string body goes out as HTML, anything else as JSON. */
export interface GatewayAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** How a simulator answers off-session charges of a saved method: paid, declined, or wanting the buyer's confirmation. */
export type ChargeAnswer = 'succeed' | 'decline' | 'require_action';

/**
 * The base of every gateway simulator (YooKassa, Stripe, EPay, …), shaped as panel-adapters' simulators are: its
 * state and controls are plain properties and methods, `handle(request)` answers one Fetch `Request` (usable in-process
 * or behind msw), and `start()` serves it on a free port of 127.0.0.1 for a host that needs a URL. Two controls every
 * gateway shares: `holdPosts(n)` makes the next `n` POSTs meet at the gateway (replicas racing), and
 * `loseNextAnswers(n)` applies the next `n` POSTs and drops their answers (the connection closes), as a network
 * losing a gateway's reply does.
 */
export abstract class GatewaySimulator {
  /** The gateway's base address once started (`http://127.0.0.1:<port>` and `basePath`). */
  url = '';
  /** The path `url` ends with: where the gateway's API lives on its host. */
  protected readonly basePath: string = '/';
  private server: Server | null = null;
  private held: { left: number; all: Promise<void>; arrived: () => void } | null = null;
  private lose = 0;

  /** The gateway's answer to one request (a subclass's API). */
  protected abstract answer(request: Request): Promise<GatewayAnswer>;

  /**
   * Answers one request as the gateway would; `Response.error()` stands for an answer lost on the wire (the server
   * drops the connection).
   */
  async handle(request: Request): Promise<Response> {
    await this.arrival(request);
    const answer = await this.answer(request);
    if (this.lose > 0 && answer.status < 500 && request.method === 'POST') {
      this.lose--;
      return Response.error();
    }
    const text = typeof answer.body === 'string';
    return new Response(text ? (answer.body as string) : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'content-type': text ? 'text/html; charset=utf-8' : 'application/json', ...answer.headers },
    });
  }

  /** The next `count` POSTs are applied and their answers lost (the connection drops); a look-up after them is answered. */
  loseNextAnswers(count = 1): void {
    this.lose = count;
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

  private arrival(request: Request): Promise<void> {
    const held = this.held;
    if (held === null || request.method !== 'POST') return Promise.resolve();
    if (--held.left === 0) {
      this.held = null;
      held.arrived();
    }
    return held.all;
  }

  /** Starts serving `handle` on a free port of 127.0.0.1; `url` is set. */
  async start(): Promise<this> {
    const server = createServer((req, res) => void this.serve(req, res));
    this.server = server;
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${this.basePath}`;
    return this;
  }

  /** Stops listening and drops every open connection. */
  async close(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers))
        for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
      const method = req.method ?? 'GET';
      const body = method === 'GET' || method === 'HEAD' || chunks.length === 0 ? undefined : Buffer.concat(chunks);
      const response = await this.handle(
        new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, { method, headers, body }),
      );
      if (response.type === 'error') {
        res.socket?.destroy();
        return;
      }
      const out: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        out[name] = value;
      });
      res.writeHead(response.status, out).end(Buffer.from(await response.arrayBuffer()));
    } catch {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  }
}
