/**
 * bench/broadcast: the shop's `/broadcast` to N linked Telegram buyers through a fake Bot API that enforces
 * 30 messages a second for the bot and one a second per chat (429 with `retry_after` beyond), on PostgreSQL,
 * run by the shop's own worker processes (`src/worker.ts`, OS processes): once with one worker, once with two
 * sharing the queue. Figures per run: sustained messages a second ÷ 30 (the ideal), the 429s the fake answered,
 * each recipient exactly once (the run fails on a chat with 0 or 2), and the workers' peak RSS sampled every
 * 500 ms (first and last fifth of the run beside each other: flat or growing).
 *
 *   PANELKIT_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
 *     node --conditions=@panelkit/source --import tsx bench/broadcast/main.ts [recipients=3000] [workers=1,2] [minutes]
 *
 * With `minutes`, the workers are stopped (SIGTERM) that long after the first delivery: a window of a long broadcast,
 * judged on what was sent by then (each of those once, `sent`; the rest `pending`).
 *
 * The recipients are `telegram_links` rows seeded with one `INSERT … SELECT generate_series` (the broadcast
 * reads only the links). The broadcast is queued as the admin command queues it (`BroadcastJobs.create`: one
 * fan-out job); the workers fan it out and send. Each run has its own schemas, dropped after.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../examples/shop/src/config/config.js';
import { createLogger } from '../../examples/shop/src/logging/logger.js';
import { openShop } from '../../examples/shop/src/stack/shop.js';
import { telegramApi } from '../../examples/shop/src/app/telegram-api.js';
import { createBroadcastJobs } from '../../examples/shop/src/telegram/broadcast-jobs.js';
import { startRateLimitedBotApi } from './rate-limited-bot-api.js';

const N = Number(process.argv[2] ?? 3_000);
const WORKER_COUNTS = (process.argv[3] ?? '1,2').split(',').map(Number);
/**
 * With a number of minutes: stop the workers (SIGTERM, as a deploy does) that long after the first delivery and
 * judge what was sent by then; the rate is read over the window's last minutes too (`lastMinutesRate`).
 */
const WINDOW_MINUTES = process.argv[4] === undefined ? null : Number(process.argv[4]);
const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const PER_SECOND = 30;
const WORKER_FILE = fileURLToPath(new URL('../../examples/shop/src/worker.ts', import.meta.url));
const SHOP_DIR = fileURLToPath(new URL('../../examples/shop/', import.meta.url));

function load(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ')[0]!;
}

function rssMb(pid: number): number | null {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
    return line === null ? null : Number(line[1]) / 1024;
  } catch {
    return null;
  }
}

interface RunFigures {
  workers: number;
  seconds: number;
  rate: number;
  steadyRate: number;
  /** In a window run: the rate over its last minutes (all but the first), and how many were sent in all. */
  lastMinutesRate: number | null;
  delivered: number;
  /** Gaps of over 200 ms between two deliveries (a 429's wait, a run handed back): how many, and their time in all. */
  pauses: { count: number; seconds: number };
  refusedOverall: number;
  refusedPerChat: number;
  peakRssMb: number[];
  firstFifthMb: number[];
  lastFifthMb: number[];
  loadBefore: string;
  loadAfter: string;
}

async function run(workers: number): Promise<RunFigures> {
  const schema = `bench_bc_${randomBytes(4).toString('hex')}`;
  const fake = await startRateLimitedBotApi(PER_SECOND);
  const env = {
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
    // The engine logs each copy a 429 sends back at `warn`: a lane of them at once, not what is measured.
    LOG_LEVEL: 'error',
  };
  const config = loadConfig(env);
  const shop = await openShop(config, { logger: createLogger('silent') });
  const children: ChildProcess[] = [];
  // Ctrl-C ends the workers too (the schemas are left: `DROP SCHEMA <schema>, <schema>_shop CASCADE`).
  const interrupted = () => {
    for (const c of children) c.kill('SIGTERM');
    console.error(`interrupted; schemas ${schema} and ${schema}_shop left`);
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  try {
    const now = new Date();
    await shop.db.query(
      `INSERT INTO ${shop.shopSchema}.telegram_links (telegram_user_id, chat_id, customer_id, created_at, updated_at)
       SELECT (1000000 + i)::text, (1000000 + i)::text, 'bench-buyer-' || i, $1, $1 FROM generate_series(1, $2::int) AS i`,
      [now, N],
    );
    const broadcasts = createBroadcastJobs(shop, telegramApi(config.telegram!));
    const loadBefore = load();
    const created = await broadcasts.create({ key: `bench:${schema}`, text: 'Bench broadcast: hello', createdBy: 'bench' });
    if (created.recipients !== N) throw new Error(`the broadcast reaches ${created.recipients}, not ${N}`);
    const started = performance.now();
    for (let i = 0; i < workers; i++) {
      const child = spawn(process.execPath, ['--conditions=@panelkit/source', '--import', 'tsx', WORKER_FILE], {
        cwd: SHOP_DIR,
        env,
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      children.push(child);
    }
    const samples: { t: number; mb: number[] }[] = [];
    const sampler = setInterval(() => {
      const mb = children.map((c) => rssMb(c.pid!) ?? 0);
      samples.push({ t: performance.now() - started, mb });
    }, 500);
    let lastReport = 0;
    for (;;) {
      await sleep(500);
      const progress = await broadcasts.store.progress(created.id);
      const settled = (progress['sent'] ?? 0) + (progress['failed'] ?? 0) + (progress['unknown'] ?? 0);
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        console.error(`  ${workers} worker(s): ${fake.counts.acceptedAt.length}/${N} delivered, ${JSON.stringify(progress)}`);
      }
      if (settled === N) break;
      const first = fake.counts.acceptedAt[0];
      if (WINDOW_MINUTES !== null && first !== undefined && performance.now() - first > WINDOW_MINUTES * 60_000) {
        for (const c of children) c.kill('SIGTERM');
        await Promise.all(children.map((c) => (c.exitCode !== null ? undefined : new Promise((r) => c.once('exit', r)))));
        break;
      }
      if (children.some((c) => c.exitCode !== null)) throw new Error('a worker exited');
    }
    // A little longer: a copy sent twice would show now.
    await sleep(2000);
    clearInterval(sampler);
    const progress = await broadcasts.store.progress(created.id);
    const delivered = fake.counts.acceptedAt.length;
    if (WINDOW_MINUTES !== null) {
      // Stopped early: every copy Telegram accepted is `sent`, none is left `sending` or `unknown`, the rest `pending`.
      if ((progress['sent'] ?? 0) !== delivered || (progress['pending'] ?? 0) !== N - delivered)
        throw new Error(`after the stop: ${JSON.stringify(progress)} with ${delivered} accepted`);
      const doubled = [...fake.counts.perChat.values()].filter((n) => n !== 1).length;
      if (doubled !== 0 || fake.counts.perChat.size !== delivered) throw new Error(`${doubled} chats got more than one`);
    } else if ((progress['sent'] ?? 0) !== N) throw new Error(`copies not all sent: ${JSON.stringify(progress)}`);
    const missing = WINDOW_MINUTES !== null ? 0 : N - fake.counts.perChat.size;
    const doubled = [...fake.counts.perChat.values()].filter((n) => n !== 1).length;
    if (missing !== 0 || doubled !== 0) throw new Error(`recipients: ${missing} got nothing, ${doubled} got more than one`);

    const at = fake.counts.acceptedAt;
    const first = at[0]!;
    const last = at[at.length - 1]!;
    // The middle 80% of deliveries: the pace once sending runs, without the workers' start and the last copy.
    const lo = at[Math.floor(at.length * 0.1)]!;
    const hi = at[Math.floor(at.length * 0.9)]!;
    const fifth = Math.max(1, Math.floor(samples.length / 5));
    const peakOf = (rows: typeof samples) => children.map((_, i) => Math.max(...rows.map((s) => s.mb[i]!)));
    const lastMinuteStart = first + 60_000;
    const sinceFirstMinute = at.filter((t) => t >= lastMinuteStart);
    const lastMinutesRate =
      WINDOW_MINUTES !== null && sinceFirstMinute.length > 1
        ? ((sinceFirstMinute.length - 1) / (last - sinceFirstMinute[0]!)) * 1000
        : null;
    const gaps = at
      .slice(1)
      .map((t, i) => t - at[i]!)
      .filter((g) => g > 200);
    return {
      workers,
      lastMinutesRate,
      pauses: { count: gaps.length, seconds: gaps.reduce((a, b) => a + b, 0) / 1000 },
      delivered,
      seconds: (last - started) / 1000,
      rate: ((at.length - 1) / (last - first)) * 1000,
      steadyRate: ((Math.floor(at.length * 0.9) - Math.floor(at.length * 0.1)) / (hi - lo)) * 1000,
      refusedOverall: fake.counts.refusedOverall,
      refusedPerChat: fake.counts.refusedPerChat,
      peakRssMb: peakOf(samples),
      firstFifthMb: peakOf(samples.slice(0, fifth)),
      lastFifthMb: peakOf(samples.slice(-fifth)),
      loadBefore,
      loadAfter: load(),
    };
  } finally {
    process.off('SIGINT', interrupted);
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode !== null ? undefined : new Promise((r) => c.once('exit', r)))));
    await shop.db.query(`DROP SCHEMA IF EXISTS "${schema}_shop" CASCADE`);
    await shop.db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await shop.close();
    await fake.close();
  }
}

const mb = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' + ');
console.log(
  `bench/broadcast: ${N} recipients, fake Bot API at ${PER_SECOND}/s overall and 1/s a chat` +
    (WINDOW_MINUTES === null ? '' : `; workers stopped ${WINDOW_MINUTES} min after the first delivery`),
);
console.log(
  '| workers | wall (first worker start → last delivery) | sustained msg/s (first → last delivery) | ÷ 30 | middle 80% msg/s | ÷ 30 | 429s overall / per chat | pauses over 200 ms (count, s) | each recipient once | peak RSS MB (per worker) | RSS first fifth → last fifth | load before → after |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const workers of WORKER_COUNTS) {
  const r = await run(workers);
  console.log(
    `| ${r.workers} | ${r.seconds.toFixed(1)} s${WINDOW_MINUTES === null ? '' : `, ${r.delivered} sent; after the first minute ${r.lastMinutesRate?.toFixed(2)} msg/s, ÷ 30 ${((r.lastMinutesRate ?? 0) / PER_SECOND).toFixed(3)}`} | ${r.rate.toFixed(2)} | ${(r.rate / PER_SECOND).toFixed(3)} | ${r.steadyRate.toFixed(2)} | ${(r.steadyRate / PER_SECOND).toFixed(3)} | ${r.refusedOverall} / ${r.refusedPerChat} | ${r.pauses.count}, ${r.pauses.seconds.toFixed(1)} s | yes (${r.delivered}) | ${mb(r.peakRssMb)} | ${mb(r.firstFifthMb)} → ${mb(r.lastFifthMb)} | ${r.loadBefore} → ${r.loadAfter} |`,
  );
}
