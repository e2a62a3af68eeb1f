/**
 * bench/checkout: checkouts through the shop's JSON API on a real PostgreSQL server, beside the same
 * checkouts called on the SDK directly (the web layer's cost) and one buyer at a time.
 *
 *   node --conditions=@panelkit/source --import tsx bench/checkout/main.ts \
 *     [--buyers 32] [--per-buyer 20] [--server postgres://postgres@127.0.0.1:5432/] [--database bench_checkout] [--keep]
 *     [--shop compiled|source]
 *
 * Creates the database `--database` on `--server` (dropping a leftover one of that name first), opens
 * the shop on it as `DATABASE_URL` does (its pool of 10 connections, the embedded simulated panels,
 * no worker) here for the bench's own work (buyers, the books' checks), and again in a process of its own
 * (`shop-process.ts`, the measured one) that serves its Express app on 127.0.0.1 and makes the SDK's checkouts.
 * `--shop compiled` (the default: the issue asks for what owners run measured) runs that process as the production
 * image does (`../support/compiled-shop.ts`: the shop compiled, the packages' built `dist/`, plain node,
 * `NODE_ENV=production`; build the packages first); `--shop source` through tsx from the sources (no build needed;
 * profiles name the TypeScript files). It runs, in this order, each with fresh buyers (own account, API token and a
 * wallet funded for its checkouts plus one spare plan price):
 *
 *   http-32: `--buyers` buyers at once, each `POST /api/v1/checkout` `--per-buyer` times in a row,
 *            from a forked process (`buyers.ts`) so the load's CPU is not the shop's;
 *   sdk-32:  the same number of `kit.checkout` calls in the shop's process, on its storage and pool;
 *   http-1:  the same checkouts over HTTP, one request in flight;
 *   sdk-1:   the same on the SDK, one call at a time.
 *
 * A checkout is one plan (Frankfurt · 1 month · 50 GiB), quantity 1, paid from the wallet: quote,
 * debit, order, pending subscription and its durable provisioning job, in one transaction. Nothing is
 * provisioned (no worker runs). A warm-up (`--buyers` buyers, `--per-buyer` checkouts each over HTTP
 * and as many on the SDK) runs first and is not reported. Per run: latency p50/p99/max, throughput, PostgreSQL
 * statements and transactions per checkout (counted on the shop process's `pg` client), CPU per checkout of the
 * shop's process, of the buyers' process and of the database's backends (from /proc, read at every lock
 * sample: a lower bound when a connection closes between two samples), and how many backends were
 * waiting on a lock, sampled from `pg_stat_activity` every 25 ms with the statement they waited in.
 * Every run is checked: each checkout made exactly one order and one purchase debit of the plan's
 * price, one subscription and one provisioning job, and each wallet ends at its spare price; anything
 * else throws. The database is dropped at the end unless `--keep`. Figures: `bench/RESULTS.md`
 * (## checkout).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Plan } from '@panelkit/sdk';
import pg from 'pg';
import pino from 'pino';
import { signUp } from '../../examples/shop/src/app/auth/accounts.js';
import { loadConfig } from '../../examples/shop/src/config/config.js';
import { openShop, type RunningShop } from '../../examples/shop/src/stack/shop.js';
import { compileShop, removeCompiledShop, shopModeOf, shopProcess } from '../support/compiled-shop.js';
import type { BuyersJob, BuyersResult } from './buyers.js';
import type { Counted, SdkJob, ShopAsk } from './shop-process.js';

const { values } = parseArgs({
  options: {
    buyers: { type: 'string', default: '32' },
    'per-buyer': { type: 'string', default: '20' },
    server: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/' },
    database: { type: 'string', default: 'bench_checkout' },
    keep: { type: 'boolean', default: false },
    shop: { type: 'string', default: 'compiled' },
  },
});
const BUYERS = Number(values.buyers);
const PER_BUYER = Number(values['per-buyer']);
const DATABASE = values.database;
if (!/^[a-z_][a-z0-9_]*$/.test(DATABASE) || DATABASE === 'test' || DATABASE === 'postgres') {
  throw new Error(`--database ${DATABASE}: use a plain name of the bench's own (it is dropped)`);
}
const serverUrl = new URL(values.server);
const adminUrl = new URL('/postgres', serverUrl).href;
const databaseUrl = new URL(`/${DATABASE}`, serverUrl).href;

/** A connection of the bench's own (verification, lock sampling). */
async function benchClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/** `--shop compiled`: the compiled tree the shop's process runs (built first, removed at the end). */
const compiled = shopModeOf(values.shop) === 'compiled' ? await compileShop(['bench/checkout/shop-process.ts']) : null;

// --- small helpers ---

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] as number;
}

function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
}

/** CPU (user + system, ms) of the processes with these pids, from /proc (0 for a pid that is gone). */
function procCpuMs(pids: Iterable<number>): Map<number, number> {
  const tick = 10; // USER_HZ is 100 on Linux: one tick is 10 ms
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, (Number(fields[11]) + Number(fields[12])) * tick);
    } catch {
      out.set(pid, 0);
    }
  }
  return out;
}

// --- the shop ---

const dataDir = mkdtempSync(join(tmpdir(), 'bench-checkout-'));
const admin = await benchClient(adminUrl);
await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${DATABASE}`);

const shopDataDir = mkdtempSync(join(tmpdir(), 'bench-checkout-shop-'));
let shop: RunningShop | null = null;
let shopChild: ChildProcess | null = null;
let sampler: pg.Client | null = null;
try {
  console.log(`load average at start ${load()} (1/5/15 min), ${cpus().length} cores, node ${process.version}; the shop ${values.shop}`);
  console.log(`database ${DATABASE} on ${serverUrl.host}; ${BUYERS} buyers × ${PER_BUYER} checkouts per run`);
  /** The shop's environment, this process's handle and the shop's process alike. */
  const env = {
    DATABASE_URL: databaseUrl,
    SHOP_SECRET: 'bench-checkout-secret-bench-checkout-secret',
    SHOP_SECRET_KEYS: `b1:${Buffer.alloc(32, 3).toString('base64')}`,
    LOG_LEVEL: 'silent',
  };
  const config = loadConfig({ ...env, DATA_DIR: dataDir, DEMO_PANEL: 'on' });
  const opened = await openShop(config, { logger: pino({ level: 'silent' }) });
  shop = opened;
  const found = (await opened.storage.plans.list({ onSale: true })).find((p) => p.name.startsWith('Frankfurt · 1 month · 50'));
  if (found === undefined) throw new Error('the demo plan is missing');
  const plan: Plan = found;
  // The demo's targets hold 500 clients each; the bench sells more than that on one plan.
  for (const target of await opened.storage.targets.list()) await opened.storage.targets.update(target.id, { capacity: 1_000_000 });

  // The shop's process, once the plan's targets hold the bench's sales.
  const served = shopProcess(compiled, 'bench/checkout/shop-process.ts');
  const child = fork(served.module, [], {
    execArgv: served.execArgv,
    env: { ...process.env, ...env, ...served.env, DATA_DIR: shopDataDir },
  });
  shopChild = child;
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the shop's process exited (${code})`)));
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  /** Asks the shop's process (`shop-process.ts`) and waits for its answer. */
  const askShop = <T>(ask: ShopAsk) =>
    new Promise<T>((resolve) => {
      child.once('message', (message) => resolve(message as T));
      child.send(ask);
    });
  const lockSampler = await benchClient(databaseUrl);
  sampler = lockSampler;

  interface Buyer {
    customerId: string;
    token: string;
  }

  /** Fresh buyers: an account (as sign-up makes it), an API token, and a wallet for `checkouts` plus one spare price. */
  async function newBuyers(run: string, count: number, checkouts: number): Promise<Buyer[]> {
    const made: Buyer[] = [];
    for (let i = 0; i < count; i++) {
      const signed = await signUp(opened, { email: `${run}-${i}@bench.example`, password: 'bench-password-1234', locale: 'en' });
      if (!signed.ok) throw new Error(`sign-up ${run}-${i}: ${signed.reason}`);
      const { token } = await opened.apiTokens.create(signed.account.id, 'bench');
      await opened.kit.topUp({
        customerId: signed.account.customerId,
        amount: { amount: plan.price.amount * (checkouts + 1), currency: plan.price.currency },
        idempotencyKey: `bench-fund-${run}-${i}`,
      });
      made.push({ customerId: signed.account.customerId, token });
    }
    return made;
  }

  // The buyers run from the sources in either mode: only the shop's process differs between the two.
  function viaHttp(buyers: Buyer[], mode: BuyersJob['mode'], keyPrefix: string): Promise<BuyersResult> {
    const child = fork(fileURLToPath(new URL('./buyers.ts', import.meta.url)), [], {
      execArgv: ['--conditions=@panelkit/source', '--import', 'tsx'],
    });
    const job: BuyersJob = { baseUrl, tokens: buyers.map((b) => b.token), planId: plan.id, perBuyer: PER_BUYER, mode, keyPrefix };
    return new Promise((resolve, reject) => {
      child.once('message', (result) => resolve(result as BuyersResult));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`buyers process exited with ${code}`))));
      child.send(job);
    });
  }

  function viaSdk(buyers: Buyer[], mode: BuyersJob['mode'], keyPrefix: string): Promise<BuyersResult> {
    const job: SdkJob = { customerIds: buyers.map((b) => b.customerId), planId: plan.id, perBuyer: PER_BUYER, mode, keyPrefix };
    return askShop<BuyersResult>({ cmd: 'sdk', job });
  }

  /** Every checkout made one order, one debit of the plan's price, one subscription and one provisioning job; each wallet holds its spare price. */
  async function verify(run: string, buyers: Buyer[], result: BuyersResult): Promise<void> {
    const expected = buyers.length * PER_BUYER;
    const problems: string[] = [];
    if (result.failures.length > 0) problems.push(`${result.failures.length} failed, first: ${JSON.stringify(result.failures[0])}`);
    const answered = new Set(result.checkouts.map((c) => c.orderId));
    if (result.checkouts.length !== expected || answered.size !== expected)
      problems.push(`${result.checkouts.length} checkouts answered (${answered.size} distinct orders), expected ${expected}`);
    const ids = buyers.map((b) => b.customerId);
    const q = async (sql: string) =>
      (await lockSampler.query(sql.replaceAll('{s}', config.schema), [ids])).rows[0] as Record<string, string>;
    const orders = await q(`
      SELECT count(*) AS n, count(DISTINCT o.idempotency_key) AS keys, count(*) FILTER (WHERE o.total_amount <> ${plan.price.amount}) AS mispriced,
             count(l.id) AS debited, count(DISTINCT l.id) AS debits, count(*) FILTER (WHERE l.amount <> -o.total_amount) AS wrong_debit
        FROM {s}.orders o LEFT JOIN {s}.ledger_entries l ON l.id = o.ledger_entry_id AND l.order_id = o.id AND l.kind = 'purchase'
       WHERE o.customer_id = ANY($1)`);
    const ledger = await q(`
      SELECT count(*) AS purchases, count(DISTINCT order_id) AS orders, coalesce(sum(amount), 0) AS total
        FROM {s}.ledger_entries WHERE customer_id = ANY($1) AND kind = 'purchase'`);
    const subs = await q(`
      SELECT count(DISTINCT s.id) AS subs, count(DISTINCT s.order_id) AS orders, count(j.id) AS jobs
        FROM {s}.subscriptions s JOIN {s}.orders o ON o.id = s.order_id
        LEFT JOIN {s}.jobs j ON j.type = 'subscription.provision' AND j.payload->>'subscriptionId' = s.id
       WHERE o.customer_id = ANY($1)`);
    const wallets = await q(`
      SELECT count(*) AS n, count(*) FILTER (WHERE amount = ${plan.price.amount}) AS spare
        FROM {s}.ledger_balances WHERE customer_id = ANY($1) AND currency = '${plan.price.currency}'`);
    const want = (name: string, got: string | undefined, value: number) => {
      if (Number(got) !== value) problems.push(`${name}: ${got}, expected ${value}`);
    };
    want('orders', orders['n'], expected);
    want('distinct keys', orders['keys'], expected);
    want('mispriced orders', orders['mispriced'], 0);
    want('orders with their debit', orders['debited'], expected);
    want('distinct debits', orders['debits'], expected);
    want('debits not the order total', orders['wrong_debit'], 0);
    want('purchase entries', ledger['purchases'], expected);
    want('orders debited', ledger['orders'], expected);
    want('sum of debits', ledger['total'], -expected * plan.price.amount);
    want('subscriptions', subs['subs'], expected);
    want('orders with a subscription', subs['orders'], expected);
    want('provisioning jobs', subs['jobs'], expected);
    want('wallets', wallets['n'], buyers.length);
    want('wallets at their spare price', wallets['spare'], buyers.length);
    if (problems.length > 0) throw new Error(`run ${run} is wrong:\n  ${problems.join('\n  ')}`);
  }

  /**
   * Samples the database's backends every 25 ms: how many were active, how many waited on a lock, and
   * in which statement; and each backend's CPU so far (a pool connection may close before the run ends).
   */
  function sampleLocks(
    cpuSeen: Map<number, number>,
  ): () => Promise<{ active: number; waiting: number; samples: number; total: number; statements: Map<string, number> }> {
    let stopped = false;
    let samples = 0;
    let active = 0;
    let waiting = 0;
    let total = 0;
    const statements = new Map<string, number>();
    const loop = (async () => {
      while (!stopped) {
        const { rows } = await lockSampler.query<{ pid: number; state: string; wait_event_type: string | null; query: string }>(
          'SELECT pid, state, wait_event_type, query FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [DATABASE],
        );
        for (const [pid, ms] of procCpuMs(rows.map((r) => r.pid))) if (ms > 0) cpuSeen.set(pid, ms);
        samples++;
        for (const row of rows) {
          if (row.state !== 'active') continue;
          active++;
          if (row.wait_event_type !== 'Lock') continue;
          waiting++;
          total++;
          const text = row.query.replace(/\s+/g, ' ').replace(`"${config.schema}".`, '').replace(`${config.schema}.`, '').slice(0, 70);
          statements.set(text, (statements.get(text) ?? 0) + 1);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    return async () => {
      stopped = true;
      await loop;
      return { active: active / Math.max(1, samples), waiting: waiting / Math.max(1, samples), samples, total, statements };
    };
  }

  async function backendPids(): Promise<number[]> {
    const { rows } = await lockSampler.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [DATABASE],
    );
    return rows.map((r) => r.pid);
  }

  interface Row {
    run: string;
    checkouts: number;
    wallMs: number;
    perSecond: number;
    p50: number;
    p99: number;
    max: number;
    /** p50 of (latency − time inside kit.checkout) over HTTP. */
    webP50: number | null;
    engineP50: number | null;
    statements: number;
    transactions: number;
    shopCpuUs: number;
    buyersCpuUs: number | null;
    pgCpuUs: number;
    activeBackends: number;
    waitingBackends: number;
    lockStatements: Map<string, number>;
    loadBefore: string;
    loadAfter: string;
  }

  async function measure(run: string, via: 'http' | 'sdk', mode: BuyersJob['mode']): Promise<Row> {
    const buyers = await newBuyers(run, BUYERS, PER_BUYER);
    const loadBefore = load();
    const pidsBefore = await backendPids();
    const pgBefore = procCpuMs(pidsBefore);
    await askShop<object>({ cmd: 'start' });
    const pgSeen = new Map(pgBefore);
    const stopSampling = sampleLocks(pgSeen);
    const result = via === 'http' ? await viaHttp(buyers, mode, run) : await viaSdk(buyers, mode, run);
    const locks = await stopSampling();
    const counted = await askShop<Counted>({ cmd: 'stop' });
    const engineMs = new Map(counted.engineMs);
    for (const [pid, ms] of procCpuMs(await backendPids())) if (ms > 0) pgSeen.set(pid, ms);
    const loadAfter = load();
    await verify(run, buyers, result);
    const n = result.checkouts.length;
    let pgCpu = 0;
    for (const [pid, ms] of pgSeen) pgCpu += ms - (pgBefore.get(pid) ?? 0);
    const sorted = result.checkouts.map((c) => c.ms).sort((a, b) => a - b);
    const engine = via === 'http' ? result.checkouts.map((c) => engineMs.get(c.key) ?? Number.NaN) : [];
    const web = via === 'http' ? result.checkouts.map((c) => c.ms - (engineMs.get(c.key) ?? Number.NaN)) : [];
    const median = (xs: number[]) =>
      xs.length === 0
        ? null
        : percentile(
            [...xs].sort((a, b) => a - b),
            0.5,
          );
    const row: Row = {
      run,
      checkouts: n,
      wallMs: result.wallMs,
      perSecond: (n / result.wallMs) * 1000,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      max: sorted[sorted.length - 1] as number,
      webP50: median(web),
      engineP50: median(engine),
      statements: counted.statements / n,
      transactions: counted.transactions / n,
      shopCpuUs: (counted.cpuUs / n) | 0,
      buyersCpuUs: via === 'http' ? ((result.cpuMs * 1000) / n) | 0 : null,
      pgCpuUs: ((pgCpu * 1000) / n) | 0,
      activeBackends: locks.active,
      waitingBackends: locks.waiting,
      lockStatements: locks.statements,
      loadBefore,
      loadAfter,
    };
    const f = (x: number) => x.toFixed(1);
    console.log(
      `${run}: ${n} checkouts in ${f(row.wallMs)} ms = ${row.perSecond.toFixed(0)}/s; p50 ${f(row.p50)} ms, p99 ${f(row.p99)} ms, max ${f(row.max)} ms` +
        (row.webP50 === null ? '' : `; inside kit.checkout p50 ${f(row.engineP50 ?? 0)} ms, outside p50 ${f(row.webP50)} ms`) +
        `; ${row.statements.toFixed(2)} statements and ${row.transactions.toFixed(2)} transactions per checkout` +
        `; CPU per checkout: shop ${row.shopCpuUs} µs, postgres ${row.pgCpuUs} µs${row.buyersCpuUs === null ? '' : `, buyers ${row.buyersCpuUs} µs`}` +
        `; backends active ${row.activeBackends.toFixed(1)}, waiting on a lock ${row.waitingBackends.toFixed(1)} (${locks.samples} samples)` +
        `; load ${loadBefore} → ${loadAfter}; verified`,
    );
    const top = [...locks.statements].sort((a, b) => b[1] - a[1]).slice(0, 3);
    for (const [text, count] of top) console.log(`    waited in (${((count / Math.max(1, locks.total)) * 100).toFixed(0)}%): ${text}`);
    return row;
  }

  // Warm-up (JIT, pool connections, plan caches): not reported.
  {
    const warm = await newBuyers('warm', BUYERS, 2 * PER_BUYER);
    await viaHttp(warm, 'parallel', 'warm-http').then((r) => {
      if (r.failures.length > 0) throw new Error(`warm-up failed: ${JSON.stringify(r.failures[0])}`);
    });
    await viaSdk(warm, 'parallel', 'warm-sdk');
  }

  const rows: Row[] = [];
  rows.push(await measure('http-32', 'http', 'parallel'));
  rows.push(await measure('sdk-32', 'sdk', 'parallel'));
  rows.push(await measure('http-1', 'http', 'serial'));
  rows.push(await measure('sdk-1', 'sdk', 'serial'));

  const [http32, sdk32, http1, sdk1] = rows as [Row, Row, Row, Row];
  const f1 = (x: number) => x.toFixed(1);
  // What this machine allows: every core busy with the CPU one checkout costs (shop, PostgreSQL, and the
  // buyers' process where it shares the cores).
  const ceiling = (r: Row) => (cpus().length * 1e6) / (r.shopCpuUs + r.pgCpuUs + (r.buyersCpuUs ?? 0));
  console.log(
    '\n| run | checkouts | wall | throughput | p50 | p99 | max | statements / checkout | shop CPU / checkout | postgres CPU / checkout | CPU ceiling (cores ÷ CPU a checkout) | throughput ÷ ceiling | load (1 min) before → after |',
  );
  console.log('| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.run} | ${r.checkouts} | ${(r.wallMs / 1000).toFixed(2)} s | ${r.perSecond.toFixed(0)}/s | ${f1(r.p50)} ms | ${f1(r.p99)} ms | ${f1(r.max)} ms | ${r.statements.toFixed(1)} (${r.transactions.toFixed(1)} tx) | ${r.shopCpuUs} µs | ${r.pgCpuUs} µs | ${ceiling(r).toFixed(0)}/s | ${((100 * r.perSecond) / ceiling(r)).toFixed(0)}% | ${r.loadBefore.split(' / ')[0]} → ${r.loadAfter.split(' / ')[0]} |`,
    );
  }
  console.log(
    `\nweb layer at 32: throughput ×${(http32.perSecond / sdk32.perSecond).toFixed(2)} of the SDK's, p50 +${f1(http32.p50 - sdk32.p50)} ms, p99 +${f1(http32.p99 - sdk32.p99)} ms, ` +
      `shop CPU +${http32.shopCpuUs - sdk32.shopCpuUs} µs and +${(http32.statements - sdk32.statements).toFixed(1)} statements per checkout`,
  );
  console.log(
    `web layer one at a time: p50 +${f1(http1.p50 - sdk1.p50)} ms (HTTP ${f1(http1.p50)} vs SDK ${f1(sdk1.p50)}); ` +
      `32 at once vs one at a time: HTTP ×${(http32.perSecond / http1.perSecond).toFixed(2)} throughput, SDK ×${(sdk32.perSecond / sdk1.perSecond).toFixed(2)}`,
  );
} finally {
  await sampler?.end().catch(() => undefined);
  if (shopChild?.connected) {
    const exited = new Promise((resolve) => shopChild?.once('exit', resolve));
    shopChild.disconnect();
    await exited;
  }
  await shop?.close();
  console.log(`load average at end ${load()} (1/5/15 min)`);
  if (!values.keep) await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.end();
  for (const dir of [dataDir, shopDataDir]) rmSync(dir, { recursive: true, force: true });
  removeCompiledShop(compiled);
}
