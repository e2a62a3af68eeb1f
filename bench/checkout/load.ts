/**
 * bench/checkout/load.ts: 50 buyers at once for a bounded time against the shop on a real PostgreSQL server,
 * over loopback, as production runs it (the pool of 10 connections, the worker provisioning on the simulated
 * panels in the same process). Each buyer loops: `POST /api/v1/checkout`, `GET /api/v1/subscriptions`, `GET /`.
 *
 *   node --conditions=@panelkit/source --import tsx bench/checkout/load.ts \
 *     [--buyers 50] [--seconds 30] [--server postgres://postgres@127.0.0.1:5432/] [--database bench_load] [--keep]
 *
 * Reports throughput (requests and checkouts per second), p50/p99/max per kind of request, and every error
 * (anything but 201/200: a 500, a 503, a deadlock would be one). Then checks the books: every 201 is one order
 * with one debit of the plan's price, and every wallet holds what it was given less its orders. The database is
 * created fresh and dropped at the end unless `--keep`. Figures: `bench/RESULTS.md` (## load).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { signUp } from '../../examples/shop/src/app/auth/accounts.js';
import { loadConfig } from '../../examples/shop/src/config/config.js';
import { createApp } from '../../examples/shop/src/stack/web-app.js';
import { startBackground } from '../../examples/shop/src/stack/background.js';
import { openShop } from '../../examples/shop/src/stack/shop.js';
import type { LoadJob, LoadResult, LoadSample } from './load-buyers.js';

const { values } = parseArgs({
  options: {
    buyers: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '30' },
    server: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/' },
    database: { type: 'string', default: 'bench_load' },
    keep: { type: 'boolean', default: false },
    'sell-out': { type: 'string' },
  },
});
/**
 * `--sell-out <slots>`: every target of the plan holds `<slots>` clients and none is preferred, so placement follows
 * utilisation and the targets fill up and sell out during the run, as in the shop's own demo: checkouts find a
 * target full and move on, in orders that differ between buyers. Sold-out answers (409) are then expected and
 * counted apart from errors.
 */
const SELL_OUT = values['sell-out'] === undefined ? null : Number(values['sell-out']);
const BUYERS = Number(values.buyers);
/** Slots on the plan's first target: full within the first seconds of a run. */
const FIRST_TARGET_SLOTS = 100;
const SECONDS = Number(values.seconds);
const DATABASE = values.database;
if (!/^[a-z_][a-z0-9_]*$/.test(DATABASE) || DATABASE === 'test' || DATABASE === 'postgres') {
  throw new Error(`--database ${DATABASE}: use a plain name of the bench's own (it is dropped)`);
}
const serverUrl = new URL(values.server);
if (!['127.0.0.1', 'localhost', '[::1]'].includes(serverUrl.hostname)) throw new Error('--server: loopback only');
const adminUrl = new URL('/postgres', serverUrl).href;
const databaseUrl = new URL(`/${DATABASE}`, serverUrl).href;

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? Number.NaN : (sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] as number);
}

const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${DATABASE}`);
const dataDir = mkdtempSync(join(tmpdir(), 'bench-load-'));
const config = loadConfig({
  DATABASE_URL: databaseUrl,
  DATA_DIR: dataDir,
  SHOP_SECRET: 'bench-load-secret-bench-load-secret-bench',
  SHOP_SECRET_KEYS: `b1:${Buffer.alloc(32, 5).toString('base64')}`,
  DEMO_PANEL: 'on',
  LOG_LEVEL: 'silent',
});
// Errors only, to stderr: a 500 in the run says why.
const shop = await openShop(config, { logger: pino({ level: 'error' }, pino.destination(2)) });
let server: Server | null = null;
let background: Awaited<ReturnType<typeof startBackground>> | null = null;
try {
  console.log(
    `load average at start ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')}, ${cpus().length} cores, node ${process.version}`,
  );
  const plan = (await shop.storage.plans.list({ onSale: true })).find((p) => p.name.startsWith('Frankfurt · 1 month · 50'));
  if (plan === undefined) throw new Error('the demo plan is missing');
  // The plan's first target holds FIRST_TARGET_SLOTS clients, the next ones plenty: once the first is full, every
  // checkout finds it full and moves on inside its transaction, the path that deadlocked (target locked before
  // plan) under 50 buyers.
  const panels = await shop.storage.panels.list();
  const allowed = plan.placement.allowedLocations;
  const targets = (await shop.storage.targets.list()).filter((t) => {
    const tags = panels.find((p) => p.id === t.panelId)?.locationTags ?? [];
    return allowed.length === 0 || tags.some((tag) => allowed.includes(tag));
  });
  if (targets.length < 2) throw new Error(`the plan has ${targets.length} target(s); the run needs two`);
  for (const [i, target] of targets.entries())
    await shop.storage.targets.update(target.id, { capacity: SELL_OUT ?? (i === 0 ? FIRST_TARGET_SLOTS : 1_000_000) });
  if (SELL_OUT === null)
    await shop.storage.plans.update(plan.id, { placement: { ...plan.placement, preferredTargetIds: targets.map((t) => t.id) } });
  const funded = plan.price.amount * 10_000;
  const buyers: Array<{ customerId: string; token: string }> = [];
  for (let i = 0; i < BUYERS; i++) {
    const signed = await signUp(shop, { email: `load-${i}@bench.example`, password: 'bench-password-1234', locale: 'en' });
    if (!signed.ok) throw new Error(signed.reason);
    const { token } = await shop.apiTokens.create(signed.account.id, 'bench');
    await shop.kit.topUp({
      customerId: signed.account.customerId,
      amount: { amount: funded, currency: plan.price.currency },
      idempotencyKey: `load-fund-${i}`,
    });
    buyers.push({ customerId: signed.account.customerId, token });
  }
  // The shop's own limits, but room for one buyer's many checkouts (the default is 20 in 10 minutes per account).
  const app = createApp(shop, {
    rateLimits: {
      signIn: { limit: 10, windowMs: 60_000 },
      signUp: { limit: 10, windowMs: 60_000 },
      checkout: { limit: 1_000_000, windowMs: 60_000 },
    },
  });
  server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  background = startBackground(shop, { tickEveryMs: 5_000 });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  console.log(`${BUYERS} buyers for ${SECONDS} s against ${baseUrl} (database ${DATABASE} on ${serverUrl.host}, worker on)`);

  const child = fork(fileURLToPath(new URL('./load-buyers.ts', import.meta.url)), [], {
    execArgv: ['--conditions=@panelkit/source', '--import', 'tsx'],
  });
  const job: LoadJob = {
    baseUrl,
    tokens: buyers.map((b) => b.token),
    planId: plan.id,
    durationMs: SECONDS * 1000,
    keyPrefix: 'load',
    soldOutIsAnswer: SELL_OUT !== null,
  };
  const result = await new Promise<LoadResult>((resolve, reject) => {
    child.once('message', (message) => resolve(message as LoadResult));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`buyers process exited with ${code}`))));
    child.send(job);
  });

  const seconds = result.wallMs / 1000;
  console.log(
    `\n${result.samples.length} requests in ${seconds.toFixed(1)} s: ${(result.samples.length / seconds).toFixed(0)} req/s, ` +
      `${(result.orderIds.length / seconds).toFixed(1)} checkouts/s; sold out (409): ${result.soldOut}; errors: ${result.errors.length}`,
  );
  console.log('kind           n      p50 ms   p99 ms   max ms');
  for (const kind of ['checkout', 'subscriptions', 'catalog'] as const satisfies readonly LoadSample['kind'][]) {
    const ms = result.samples
      .filter((s) => s.kind === kind)
      .map((s) => s.ms)
      .sort((a, b) => a - b);
    console.log(
      `${kind.padEnd(13)} ${String(ms.length).padStart(5)} ${percentile(ms, 0.5).toFixed(0).padStart(8)} ${percentile(ms, 0.99).toFixed(0).padStart(8)} ${(ms.at(-1) ?? Number.NaN).toFixed(0).padStart(8)}`,
    );
  }
  const byStatus = new Map<string, number>();
  for (const e of result.errors) byStatus.set(`${e.kind} ${e.status}`, (byStatus.get(`${e.kind} ${e.status}`) ?? 0) + 1);
  for (const [what, n] of byStatus)
    console.log(`  error ${what}: ${n}, e.g. ${result.errors.find((e) => `${e.kind} ${e.status}` === what)?.body}`);

  // The books: one order and one debit per 201, and every wallet at what it was given less its orders.
  const problems: string[] = [];
  let orders = 0;
  for (const { customerId } of buyers) {
    const mine = [];
    for (let cursor: string | null = null; ; ) {
      const page = await shop.storage.orders.list({ customerId }, { limit: 1000, cursor });
      mine.push(...page.items);
      cursor = page.nextCursor;
      if (cursor === null) break;
    }
    orders += mine.length;
    const balance = await shop.storage.ledger.balance(customerId, plan.price.currency);
    if (balance !== funded - mine.length * plan.price.amount)
      problems.push(`${customerId}: balance ${balance} after ${mine.length} orders`);
  }
  if (orders !== result.orderIds.length || new Set(result.orderIds).size !== orders)
    problems.push(`${result.orderIds.length} checkouts answered 201, ${orders} orders stored`);
  console.log(
    problems.length === 0
      ? `books: ${orders} orders, each with its debit; every wallet adds up`
      : `BOOKS WRONG:\n  ${problems.join('\n  ')}`,
  );
  if (problems.length > 0 || result.errors.length > 0) process.exitCode = 1;
} finally {
  await background?.stop();
  server?.closeAllConnections();
  server?.close();
  await shop.close();
  if (!values.keep) await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.end();
  rmSync(dataDir, { recursive: true, force: true });
}
