/**
 * bench/broadcast/claim-diag.ts: the cost of a broadcast's bookkeeping with N recipients queued, on PostgreSQL,
 * in one process (no rate limit: what the database takes per copy, not Telegram's pace).
 *
 * 1. The fan-out, timed: `runs` (the shop's: copies queued `COPIES_PER_JOB` to a job, `broadcast-fan-out.ts`) or
 *    `per-chat` (as before issue 50: one job per chat, all queued in the transaction that writes the copies).
 * 2. The job claim as a worker runs it with N copies queued, `EXPLAIN (ANALYZE, BUFFERS)`: while one job of the
 *    copies' serial key runs (what every claim meets while a worker sends) and with the lane free.
 * 3. A worker sending for `seconds` with no pacing (gap 0) through a Bot API that accepts everything, every
 *    statement timed by its first words: statements and database time per copy.
 *
 *   PANELKIT_TEST_DATABASE_URL=… node --conditions=@panelkit/source --import tsx bench/broadcast/claim-diag.ts \
 *     [N=100000] [runs|per-chat] [seconds=20]
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { enqueueHostJob } from '@panelkit/sdk';
import type { SqlClient, SqlQueryable } from '../../packages/storage-postgres/src/client.js';
import { transactionSql } from '../../packages/storage-postgres/src/transaction-sql.js';
import { loadConfig } from '../../examples/shop/src/config/config.js';
import { createLogger } from '../../examples/shop/src/logging/logger.js';
import { openShop } from '../../examples/shop/src/stack/shop.js';
import { telegramApi } from '../../examples/shop/src/app/telegram-api.js';
import { BroadcastStore } from '../../examples/shop/src/db/telegram-broadcasts.js';
import { BROADCAST_JOB_TYPES, createBroadcastJobs } from '../../examples/shop/src/telegram/broadcast-jobs.js';
import { claimPickStatements } from '../../packages/storage-postgres/src/repositories/job-claim-pick.js';
import { startRateLimitedBotApi } from './rate-limited-bot-api.js';

const N = Number(process.argv[2] ?? 100_000);
const LAYOUT = (process.argv[3] ?? 'runs') as 'runs' | 'per-chat';
const SECONDS = Number(process.argv[4] ?? 20);
const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_bcd_${randomBytes(4).toString('hex')}`;
const fake = await startRateLimitedBotApi(1_000_000);
const config = loadConfig({
  ...process.env,
  DATABASE_URL,
  DATABASE_SCHEMA: schema,
  SHOP_SECRET: 'bench-broadcast-secret-0123456789abcdef',
  SHOP_SECRET_KEYS: `b1:${Buffer.alloc(32, 9).toString('base64')}`,
  TELEGRAM_BOT_TOKEN: '123456:bench-broadcast-token-abcdefghij',
  TELEGRAM_API_ROOT: fake.apiRoot,
  TELEGRAM_WEBHOOK: 'off',
  PUBLIC_URL: 'http://127.0.0.1:9',
  DEMO_PANEL: 'off',
  LOG_LEVEL: 'error',
});
const shop = await openShop(config, { logger: createLogger('silent') });
const db = shop.db;
const since = (t: number) => performance.now() - t;
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** Times every statement on `client` (and inside its transactions) under its first words. */
function timeStatements(client: SqlClient): Map<string, { n: number; ms: number }> {
  const byLabel = new Map<string, { n: number; ms: number }>();
  const label = (sql: string) => {
    const words = sql.replace(/\s+/g, ' ').trim();
    if (words.startsWith('WITH window_jobs')) return 'claim: pick';
    if (words.includes('pg_try_advisory_xact_lock')) return 'claim: serial key lock';
    if (words.startsWith('SELECT DISTINCT serial_key')) return 'claim: serial key running?';
    if (words.includes("SET state = 'running'")) return 'claim: mark running';
    return words.replace(/"?bench_bcd_[0-9a-f]+(_shop)?"?\./g, '').slice(0, 70);
  };
  const wrap = (q: SqlQueryable, prefix: string) => {
    const original = q.query.bind(q);
    q.query = (async (sql: string, params?: readonly unknown[]) => {
      const t = performance.now();
      try {
        return await original(sql, params);
      } finally {
        const key = prefix + label(sql);
        const entry = byLabel.get(key) ?? { n: 0, ms: 0 };
        entry.n++;
        entry.ms += since(t);
        byLabel.set(key, entry);
      }
    }) as SqlQueryable['query'];
  };
  wrap(client, '');
  const transaction = client.transaction.bind(client);
  client.transaction = ((fn: (c: SqlQueryable) => Promise<unknown>) =>
    transaction(async (c) => {
      wrap(c, '');
      return fn(c);
    })) as SqlClient['transaction'];
  return byLabel;
}

try {
  console.log(`claim-diag: ${N} recipients, layout ${LAYOUT}, load ${load()}`);
  await db.query(
    `INSERT INTO ${shop.shopSchema}.telegram_links (telegram_user_id, chat_id, customer_id, created_at, updated_at)
     SELECT (1000000 + i)::text, (1000000 + i)::text, 'bench-buyer-' || i, $1, $1 FROM generate_series(1, $2::int) AS i`,
    [new Date(), N],
  );
  const broadcasts = createBroadcastJobs(shop, telegramApi(config.telegram!), { gapMs: 0 });
  // `runs`: queued as the admin command queues it (a fan-out job); `per-chat`: written here, as before.
  const id =
    LAYOUT === 'runs'
      ? (await broadcasts.create({ key: `diag:${schema}`, text: 'hello', createdBy: 'bench' })).id
      : BroadcastStore.idOf(`diag:${schema}`);
  const def = (type: string) => broadcasts.definitions.find((d) => d.type === type)!;
  const timings = timeStatements(db as SqlClient);
  const t0 = performance.now();
  if (LAYOUT === 'runs') {
    await shop.kit.createWorker({ hostJobs: [def(BROADCAST_JOB_TYPES.fanOut)], claimLimit: 1 }).runOnce();
  } else {
    // The fan-out before issue 50: the copies' rows and one job per chat in one transaction.
    await shop.storage.transaction(async (tx) => {
      await broadcasts.store.writeRecipients(tx as object, { id, text: 'hello', createdBy: 'bench', exceptUsers: [] });
      const chats = await transactionSql(tx).query<{ chat_id: string }>(
        `SELECT chat_id FROM ${shop.shopSchema}.telegram_broadcast_deliveries WHERE broadcast_id = $1 ORDER BY chat_id`,
        [id],
      );
      for (const c of chats.rows)
        await enqueueHostJob(tx, def(BROADCAST_JOB_TYPES.copy), { broadcastId: id, chatId: c.chat_id }, { key: `${id}:${c.chat_id}` });
    });
  }
  console.log(`fan-out of ${N} copies: ${(since(t0) / 1000).toFixed(1)} s; load ${load()}`);
  for (const [label, { n, ms }] of [...timings.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 6))
    console.log(`${String(n).padStart(7)} × ${(ms / n).toFixed(2).padStart(7)} ms = ${(ms / 1000).toFixed(1).padStart(5)} s  ${label}`);
  const table = `${schema}.jobs`;
  const counts = await db.query(`SELECT type, state, count(*)::int AS n FROM ${table} GROUP BY 1, 2 ORDER BY 1, 2`);
  console.log(counts.rows.map((r) => `${r['type']} ${r['state']}: ${r['n']}`).join('; '));
  await db.query(`ANALYZE ${table}`);
  // The claim-order walk: what a claim runs while the queue's head is claimable.
  const pick = claimPickStatements(table).walk;
  const explain = async (label: string) => {
    const t = performance.now();
    const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${pick}`, [new Date(), null, 50, 50]);
    const plan = rows.map((r) => String(r['QUERY PLAN']));
    const scan = plan.findIndex((l) => l.includes('Index Scan using jobs_queue_idx'));
    console.log(`\n== claim (limit 50), ${label}: ${since(t).toFixed(1)} ms round trip`);
    console.log(plan.slice(scan, scan + 5).join('\n'));
    console.log(
      plan
        .filter((l) => /Execution Time|^ *Buffers/.test(l))
        .slice(0, 1)
        .concat(plan.filter((l) => /Execution Time/.test(l)))
        .join('\n'),
    );
  };
  await db.query(
    `UPDATE ${table} SET state = 'running', locked_by = 'diag', lease_token = 'x', lease_expires_at = now() + interval '1 hour'
     WHERE id = (SELECT id FROM ${table} WHERE serial_key = 'telegram:broadcast' AND state = 'queued' ORDER BY priority, run_at, id LIMIT 1)`,
  );
  await explain('one job of the lane running');
  await db.query(
    `UPDATE ${table} SET state = 'queued', locked_by = NULL, lease_token = NULL, lease_expires_at = NULL WHERE state = 'running'`,
  );
  await explain('lane free');

  timings.clear();
  const worker = shop.kit.createWorker({ hostJobs: broadcasts.definitions, engineJobs: false });
  const sentBefore = broadcasts.sent();
  const t1 = performance.now();
  worker.start();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  await worker.stop();
  const wall = since(t1);
  const copies = broadcasts.sent() - sentBefore;
  console.log(
    `\n== sending ${SECONDS} s unpaced: ${copies} copies, ${(copies / (wall / 1000)).toFixed(0)}/s, ${(wall / copies).toFixed(2)} ms a copy; load ${load()}`,
  );
  const rows = [...timings.entries()].sort((a, b) => b[1].ms - a[1].ms);
  let total = 0;
  let statements = 0;
  for (const [label, { n, ms }] of rows) {
    total += ms;
    statements += n;
    console.log(
      `${(n / copies).toFixed(3).padStart(7)} a copy  ${(ms / copies).toFixed(2).padStart(6)} ms a copy  ${(ms / n).toFixed(2).padStart(6)} ms each  ${label}`,
    );
  }
  console.log(`all: ${(statements / copies).toFixed(2)} statements, ${(total / copies).toFixed(2)} ms of database round trips a copy`);
} finally {
  if (process.env['KEEP'] === '1') console.log(`kept schemas ${schema} and ${schema}_shop`);
  else {
    await db.query(`DROP SCHEMA IF EXISTS "${schema}_shop" CASCADE`);
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  }
  await shop.close();
  await fake.close();
}
