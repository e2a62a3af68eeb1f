/**
 * Prints every statement one checkout sends to PostgreSQL, SDK and HTTP, on the shop as `main.ts` opens it:
 *
 *   node --conditions=@panelkit/source --import tsx bench/checkout/trace.ts [--server postgres://postgres@127.0.0.1:5432/] [--database bench_checkout_trace]
 *
 * The database is created and dropped. A statement count per checkout is what `bench/RESULTS.md` quotes.
 */
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { signUp } from '../../examples/shop/src/app/auth/accounts.js';
import { loadConfig } from '../../examples/shop/src/config/config.js';
import { createApp } from '../../examples/shop/src/stack/web-app.js';
import { openShop } from '../../examples/shop/src/stack/shop.js';

const { values } = parseArgs({
  options: {
    server: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/' },
    database: { type: 'string', default: 'bench_checkout_trace' },
  },
});
const DATABASE = values.database;
if (!/^[a-z_][a-z0-9_]*$/.test(DATABASE) || DATABASE === 'test' || DATABASE === 'postgres')
  throw new Error(`--database ${DATABASE}: a name of the trace's own`);
const serverUrl = new URL(values.server);

const trace: { on: boolean; lines: string[] } = { on: false, lines: [] };
const originalQuery = pg.Client.prototype.query as (...args: unknown[]) => unknown;
(pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (this: object, ...args: unknown[]) {
  if (trace.on) {
    const first = args[0] as string | { text: string };
    const text = typeof first === 'string' ? first : first.text;
    trace.lines.push(text.replace(/\s+/g, ' ').slice(0, 220));
  }
  return originalQuery.apply(this, args);
};

const admin = new pg.Client({ connectionString: new URL('/postgres', serverUrl).href });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${DATABASE}`);
try {
  const config = loadConfig({
    DATABASE_URL: new URL(`/${DATABASE}`, serverUrl).href,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-checkout-trace-')),
    SHOP_SECRET: 'bench-checkout-secret-bench-checkout-secret',
    SHOP_SECRET_KEYS: `b1:${Buffer.alloc(32, 3).toString('base64')}`,
    DEMO_PANEL: 'on',
    LOG_LEVEL: 'silent',
  });
  const shop = await openShop(config, { logger: pino({ level: 'silent' }) });
  let server: Server | null = null;
  try {
    const plan = (await shop.storage.plans.list({ onSale: true })).find((p) => p.name.startsWith('Frankfurt · 1 month · 50'));
    if (plan === undefined) throw new Error('the demo plan is missing');
    const signed = await signUp(shop, { email: 'trace@bench.example', password: 'bench-password-1234', locale: 'en' });
    if (!signed.ok) throw new Error(signed.reason);
    const { token } = await shop.apiTokens.create(signed.account.id, 'trace');
    const customerId = signed.account.customerId;
    await shop.kit.topUp({
      customerId,
      amount: { amount: plan.price.amount * 10, currency: plan.price.currency },
      idempotencyKey: 'trace-fund',
    });
    const app = createApp(shop, {});
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/checkout`;
    const show = (label: string) => {
      console.log(`--- ${label}: ${trace.lines.length} statements`);
      for (const [i, line] of trace.lines.entries()) console.log(`${String(i + 1).padStart(3)} ${line}`);
      trace.lines = [];
    };
    // One of each first, untraced: caches (the catalog, prepared plans) warm as in the bench's warm-up.
    await shop.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: 'trace-warm' });
    trace.on = true;
    await shop.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: 'trace-sdk' });
    trace.on = false;
    show('sdk');
    const post = (key: string) =>
      fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ items: [{ planId: plan.id, quantity: 1 }], idempotencyKey: key }),
      });
    const warm = await post('trace-http-warm');
    if (!warm.ok) throw new Error(`http ${warm.status}: ${await warm.text()}`);
    trace.on = true;
    const res = await post('trace-http');
    trace.on = false;
    if (!res.ok) throw new Error(`http ${res.status}: ${await res.text()}`);
    show('http');
  } finally {
    server?.close();
    await shop.close();
  }
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.end();
}
