/**
 * bench/checkout's shop in its own OS process, source or compiled (`../support/compiled-shop.ts`): the shop as
 * `DATABASE_URL` opens it (its pool of 10, no worker), configured by the environment main.ts gives it, its Express app
 * with the checkout's rate limit raised past the bench's buyers, and `kit.checkout` timed per idempotency key (a
 * request's latency less it is the web layer's). Sends `{ port }` over IPC once it listens; answers each
 * {@link ShopAsk}; exits when main.ts disconnects.
 */
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CheckoutRequest, CheckoutResult, Panelkit } from '@panelkit/sdk';
import { loadConfig } from '../../examples/shop/src/config/config.js';
import { createLogger } from '../../examples/shop/src/logging/logger.js';
import { openShop } from '../../examples/shop/src/stack/shop.js';
import { createApp } from '../../examples/shop/src/stack/web-app.js';
import type { BuyersJob, BuyersResult } from './buyers.js';

/** The checkouts `kit.checkout` makes here for {@link ShopAsk} `sdk`: each customer `perBuyer` times. */
export interface SdkJob {
  customerIds: string[];
  planId: string;
  perBuyer: number;
  mode: BuyersJob['mode'];
  /** Prefix of the idempotency keys (`<prefix>-<buyer>-<n>`), unique per run. */
  keyPrefix: string;
}

/**
 * `start`: count from now (statements, transactions, CPU, `kit.checkout`'s times), answers `{}`; `stop`: answers the
 * {@link Counted} since `start`; `sdk`: runs the job on the SDK, answers its {@link BuyersResult}.
 */
export type ShopAsk = { cmd: 'start' } | { cmd: 'stop' } | { cmd: 'sdk'; job: SdkJob };

/** What the shop's process did between `start` and `stop`. */
export interface Counted {
  /** Statements sent to PostgreSQL (every `pg` client's `query`), and of them `BEGIN`s. */
  statements: number;
  transactions: number;
  /** This process's CPU (user + system), µs. */
  cpuUs: number;
  /** Time inside `kit.checkout`, ms, by idempotency key. */
  engineMs: Array<[string, number]>;
}

const counter = { on: false, statements: 0, transactions: 0 };
type Query = (...args: unknown[]) => unknown;
// The `pg` the shop's pool is made of (pnpm gives each package its own resolution).
const pgClient = (
  createRequire(new URL('../../examples/shop/package.json', import.meta.url))('pg') as { Client: { prototype: { query: Query } } }
).Client;
const sendQuery = pgClient.prototype.query;
pgClient.prototype.query = function (this: unknown, ...args: unknown[]) {
  if (counter.on) {
    counter.statements++;
    if (args[0] === 'BEGIN') counter.transactions++;
  }
  return sendQuery.apply(this, args);
};

// main.ts's own handle on the shop runs the demo panels; a checkout with no worker asks no panel.
const config = loadConfig({ ...process.env, DEMO_PANEL: 'off' });
const shop = await openShop(config, { logger: createLogger('silent') });
const engineMs = new Map<string, number>();
const timedKit: Panelkit = {
  ...shop.kit,
  checkout: async (request: CheckoutRequest): Promise<CheckoutResult> => {
    const started = performance.now();
    try {
      return await shop.kit.checkout(request);
    } finally {
      engineMs.set(request.idempotencyKey, performance.now() - started);
    }
  },
};
// Rate limits as the shop has them, but high enough for the bench's buyers (20 checkouts per 10 min by default).
const app = createApp(
  { ...shop, kit: timedKit },
  {
    rateLimits: {
      signIn: { limit: 10, windowMs: 60_000 },
      signUp: { limit: 10, windowMs: 60_000 },
      checkout: { limit: 1_000_000, windowMs: 60_000 },
    },
  },
);
const server = await new Promise<Server>((resolve, reject) => {
  const s = app.listen(0, '127.0.0.1', () => resolve(s));
  s.once('error', reject);
});
process.send?.({ port: (server.address() as AddressInfo).port });

/** The job's checkouts on the SDK, parallel (each buyer's in a row, the buyers at once) or one at a time. */
async function viaSdk(job: SdkJob): Promise<BuyersResult> {
  const result: BuyersResult = { checkouts: [], failures: [], wallMs: 0, cpuMs: 0 };
  const buy = async (customerId: string, index: number, n: number) => {
    const key = `${job.keyPrefix}-${index}-${n}`;
    const started = performance.now();
    const done = await shop.kit.checkout({
      customerId,
      items: [{ planId: job.planId, quantity: 1 }],
      idempotencyKey: key,
      actor: { type: 'customer', id: customerId },
    });
    const ms = performance.now() - started;
    if (done.replayed) result.failures.push({ key, status: 200, body: 'replayed' });
    else result.checkouts.push({ key, orderId: done.order.id, ms });
  };
  const started = performance.now();
  if (job.mode === 'parallel') {
    await Promise.all(
      job.customerIds.map(async (customerId, index) => {
        for (let n = 0; n < job.perBuyer; n++) await buy(customerId, index, n);
      }),
    );
  } else {
    for (const [index, customerId] of job.customerIds.entries()) for (let n = 0; n < job.perBuyer; n++) await buy(customerId, index, n);
  }
  result.wallMs = performance.now() - started;
  return result;
}

let cpuAtStart = process.cpuUsage();
process.on('message', (ask: ShopAsk) => {
  if (ask.cmd === 'start') {
    engineMs.clear();
    Object.assign(counter, { on: true, statements: 0, transactions: 0 });
    cpuAtStart = process.cpuUsage();
    process.send?.({});
  } else if (ask.cmd === 'stop') {
    counter.on = false;
    const { user, system } = process.cpuUsage(cpuAtStart);
    const counted: Counted = {
      statements: counter.statements,
      transactions: counter.transactions,
      cpuUs: user + system,
      engineMs: [...engineMs],
    };
    process.send?.(counted);
  } else {
    void viaSdk(ask.job).then(
      (result) => process.send?.(result),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  }
});
process.once('disconnect', () => {
  server.closeAllConnections();
  server.close();
  void shop.close().then(() => process.exit(0));
});
