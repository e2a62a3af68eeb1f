/**
 * bench/sublink's shop in its own OS process, source or compiled (`../support/compiled-shop.ts`): the shop's Express
 * app as `DATABASE_URL` runs it (pool of 10, secrets sealed at rest), configured by the environment main.ts gives it,
 * with the link's rate limit raised past the bench's load and the floor route (`/bench-floor/<token>`: every
 * middleware `/s/` passes, then `BENCH_SUBLINK_FLOOR`'s bytes from memory). Sends `{ port }` over IPC once it
 * listens; answers each {@link ShopAsk} with a {@link ShopAnswer}; exits when main.ts disconnects.
 */
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../examples/shop/src/config/config.js';
import { createLogger } from '../../examples/shop/src/logging/logger.js';
import { openShop } from '../../examples/shop/src/stack/shop.js';
import { createApp } from '../../examples/shop/src/stack/web-app.js';

/** `mark`: the counters so far; `trace-start`/`trace-stop`: record each statement's text between the two. */
export type ShopAsk = { cmd: 'mark' } | { cmd: 'trace-start' } | { cmd: 'trace-stop' };

/** The answer to every ask: this process's counters since it started, and what was traced (`trace-stop`). */
export interface ShopAnswer {
  /** Statements sent to PostgreSQL (every `pg` client's `query`: one round trip each). */
  statements: number;
  /** This process's CPU (user + system), µs. */
  cpuUs: number;
  /** The local ports of its PostgreSQL connections: their backends are the ones whose CPU a step counts. */
  pgPorts: number[];
  traced: string[];
}

let statements = 0;
const pgPorts = new Set<number>();
let traced: string[] | null = null;
type Query = (...args: unknown[]) => unknown;
// The `pg` the shop's pool is made of (pnpm gives each package its own resolution).
const pgClient = (
  createRequire(new URL('../../examples/shop/package.json', import.meta.url))('pg') as { Client: { prototype: { query: Query } } }
).Client;
const sendQuery = pgClient.prototype.query;
pgClient.prototype.query = function (this: { connection?: { stream?: { localPort?: number } } }, ...args: unknown[]) {
  statements += 1;
  if (traced !== null) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
    traced.push(String(text).replace(/\s+/g, ' ').slice(0, 110));
  }
  const port = this.connection?.stream?.localPort;
  if (port !== undefined) pgPorts.add(port);
  return sendQuery.apply(this, args);
};

// main.ts's own handle on the shop runs the demo panels; serving links asks no panel.
const config = loadConfig({ ...process.env, DEMO_PANEL: 'off' });
const shop = await openShop(config, { logger: createLogger('error') });
const app = createApp(shop, {
  rateLimits: {
    signIn: { limit: 10, windowMs: 60_000 },
    signUp: { limit: 10, windowMs: 60_000 },
    checkout: { limit: 10, windowMs: 60_000 },
    subscriptionLink: { limit: 1_000_000_000, windowMs: 60_000 },
  },
});
const body = process.env['BENCH_SUBLINK_FLOOR'] ?? '';
app.get('/bench-floor/:token', (_req, res) => void res.type('text/plain').send(body));
// Moved from after the app's not-found handler to just before it: past every middleware `/s/` passes.
const stack = (app as unknown as { router: { stack: unknown[] } }).router.stack;
const floorLayer = stack.pop();
stack.splice(stack.length - 2, 0, floorLayer);
const server = await new Promise<Server>((resolve, reject) => {
  const s = app.listen(0, '127.0.0.1', () => resolve(s));
  s.once('error', reject);
});
process.send?.({ port: (server.address() as AddressInfo).port });
process.on('message', (ask: ShopAsk) => {
  if (ask.cmd === 'trace-start') traced = [];
  const answer: ShopAnswer = {
    statements,
    cpuUs: (({ user, system }) => user + system)(process.cpuUsage()),
    pgPorts: [...pgPorts],
    traced: ask.cmd === 'trace-stop' ? (traced ?? []) : [],
  };
  if (ask.cmd === 'trace-stop') traced = null;
  process.send?.(answer);
});
process.once('disconnect', () => {
  server.closeAllConnections();
  server.close();
  void shop.close().then(() => process.exit(0));
});
