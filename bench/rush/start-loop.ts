/**
 * A new buyer's `/start` alone: one bench/rush replica (the shop's web app and worker in its own OS process, on the
 * local PostgreSQL, the fake Bot API), given `/start` of a new Telegram user and `/menu` of a known one in turn, one
 * update at a time, after the replica has settled (its scheduler's first ticks done). Prints the replica's CPU
 * (`step-cpu.ts`: every thread) an update of each kind, by round, less the idle rate over its wall time: what a new
 * buyer's `/start` costs beyond any update's (the claim, the finish, one reply).
 *
 *   node --conditions=@panelkit/source --import tsx bench/rush/start-loop.ts [--shop compiled|source] \
 *     [--starts 100] [--warm 100] [--rounds 3] [--limit 100000] [--settle 20] [--profile DIR] [--count] [--schema bench_start]
 *
 * `--limit`: `TELEGRAM_NEW_ACCOUNTS_PER_MINUTE` (the shop's default 30 would refuse the loop's users; a high limit
 * sends the same statements and refuses none; 0: no limit). `--profile DIR`: the replica runs under `--cpu-prof`
 * (200 µs), and the measured `/start`s' windows are printed for `profile-window.ts`. `--count`: the replica counts its
 * statements (`statement-count.ts`), printed a `/start` and a `/menu` over the measured rounds (BENCH_DEBUG=1: by
 * statement); the counting costs CPU, so take the times from a run without it.
 */
import { fork } from 'node:child_process';
import { listeningPort } from '../support/listening-port.js';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../examples/shop/src/config/config.js';
import { shopSchemaName } from '../../examples/shop/src/db/migrations.js';
import { createLogger } from '../../examples/shop/src/logging/logger.js';
import { openDatabase } from '../../examples/shop/src/stack/database.js';
import { openShop } from '../../examples/shop/src/stack/shop.js';
import { FakeTelegram } from '../../examples/shop/test/support/fake-telegram.js';
import { compileShop, removeCompiledShop, shopModeOf, shopProcess } from '../support/compiled-shop.js';
import { RushBuyer, type BuyerUpdate } from './buyer-updates.js';
import type { StatementCounts } from './statement-count.js';
import { countsOf, printStatementsPer } from './statements-per-buyer.js';
import { threadsCpuMs } from './step-cpu.js';
import { postUpdate } from './webhook-post.js';

const { values } = parseArgs({
  options: {
    shop: { type: 'string', default: 'compiled' },
    starts: { type: 'string', default: '100' },
    warm: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '3' },
    limit: { type: 'string', default: '100000' },
    settle: { type: 'string', default: '20' },
    profile: { type: 'string' },
    count: { type: 'boolean', default: false },
    schema: { type: 'string', default: 'bench_start' },
    server: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const SCHEMA = values.schema;
if (!/^bench_[a-z0-9_]{1,30}$/.test(SCHEMA)) throw new Error(`--schema ${SCHEMA}: a plain name starting with bench_ (it is dropped)`);
const STARTS = Number(values.starts);
const WARM = Number(values.warm);
const ROUNDS = Number(values.rounds);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const compiled =
  shopModeOf(values.shop) === 'compiled'
    ? await compileShop(['bench/rush/replica.ts', 'bench/rush/statement-count.ts', 'bench/rush/trace-replica.ts'])
    : null;
const replicaProcess = shopProcess(compiled, 'bench/rush/replica.ts');
const fake = await FakeTelegram.start();
const SECRET = 'bench-start-webhook-secret-0123456789';
const env = {
  DATABASE_URL: values.server,
  DATABASE_SCHEMA: SCHEMA,
  SHOP_SECRET: 'bench-start-secret-bench-start-secret',
  SHOP_SECRET_KEYS: `b1:${Buffer.alloc(32, 7).toString('base64')}`,
  SHOP_NAME: 'Bench',
  PUBLIC_URL: 'https://shop.bench.example',
  LOG_LEVEL: 'error',
  TELEGRAM_BOT_TOKEN: fake.token,
  TELEGRAM_API_ROOT: fake.apiRoot,
  TELEGRAM_ADMIN_IDS: '9001',
  TELEGRAM_WEBHOOK: 'on',
  TELEGRAM_WEBHOOK_SECRET: SECRET,
  TELEGRAM_NEW_ACCOUNTS_PER_MINUTE: values.limit,
};
const config = loadConfig({ ...env, DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-start-')), DEMO_PANEL: 'off' });
const admin = await openDatabase(config.database);
await admin.client.query(`DROP SCHEMA IF EXISTS ${shopSchemaName(SCHEMA)} CASCADE`);
await admin.client.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
// Migrated here, as bench/rush does, so the replica starts on a ready schema.
await (await openShop(config, { logger: createLogger('error') })).close();

const child = fork(replicaProcess.module, [], {
  execArgv: [
    ...replicaProcess.execArgv,
    ...(values.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${values.profile}`, '--cpu-prof-interval=200']),
  ],
  env: {
    ...process.env,
    ...env,
    ...replicaProcess.env,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-start-replica-')),
    ...(values.count ? { BENCH_RUSH_COUNT: '1' } : {}),
  },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const port = await listeningPort(child, 'the replica');
const url = `http://127.0.0.1:${port}/telegram/webhook`;
const cpu = () => threadsCpuMs([child.pid!]);

/** Wakes whoever waits for a message to this chat. */
const waiters = new Map<number, () => void>();
const record = fake.calls.push.bind(fake.calls);
fake.calls.push = (...calls) => {
  for (const call of calls) waiters.get(Number(call.params['chat_id']))?.();
  return record(...calls);
};
/** Posts an update and waits for the bot's next call to its user's chat (every update here answers with one). */
async function answered(user: RushBuyer, update: BuyerUpdate, step: string): Promise<void> {
  const reply = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${user.id}`)), 10_000);
    waiters.set(user.id, () => {
      clearTimeout(timer);
      waiters.delete(user.id);
      resolve();
    });
  });
  const status = await postUpdate(url, { 'x-telegram-bot-api-secret-token': SECRET, 'x-bench-step': step }, JSON.stringify(update));
  if (status !== 200) throw new Error(`the webhook answered ${status}`);
  await reply;
}
const menu = (user: RushBuyer): BuyerUpdate => {
  const update = user.start();
  const message = update['message'] as { text: string; entities: Array<{ length: number }> };
  message.text = '/menu';
  message.entities[0]!.length = 5;
  return update;
};

let nextUser = 8_000_000;
const known = new RushBuyer(7_999_999);
const windows: Array<[number, number]> = [];
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
try {
  await answered(known, known.start(), 'first');
  console.log(`load ${load()}; the replica up, settling ${values.settle} s`);
  await sleep(Number(values.settle) * 1000);
  const idleFrom = cpu();
  await sleep(3000);
  const idlePerMs = (cpu() - idleFrom) / 3000;
  console.log(`idle ${(idlePerMs * 1000).toFixed(2)} ms/s; load ${load()}`);
  const one = async (update: () => [RushBuyer, BuyerUpdate], profiled: boolean) => {
    const [user, made] = update();
    const step = made['message'] !== undefined && String((made['message'] as { text: string }).text) === '/start' ? 'start' : 'menu';
    const from = cpu();
    const at = performance.now();
    const us = monotonicUs();
    await answered(user, made, step);
    if (profiled) windows.push([us, monotonicUs()]);
    return cpu() - from - idlePerMs * (performance.now() - at);
  };
  const newStart = (): [RushBuyer, BuyerUpdate] => {
    const user = new RushBuyer(nextUser++);
    return [user, user.start()];
  };
  const knownMenu = (): [RushBuyer, BuyerUpdate] => [known, menu(known)];
  for (let i = 0; i < WARM; i++) {
    await one(newStart, false);
    await one(knownMenu, false);
  }
  const counted: StatementCounts | null = values.count ? await countsOf([{ child }]) : null;
  for (let round = 1; round <= ROUNDS; round++) {
    const starts: number[] = [];
    const menus: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      starts.push(await one(newStart, true));
      menus.push(await one(knownMenu, false));
    }
    const s = median(starts);
    const m = median(menus);
    console.log(
      `round ${round}: /start of a new buyer ${s.toFixed(2)} ms, /menu of a known one ${m.toFixed(2)} ms (median of ${STARTS}, net of idle); the difference ${(s - m).toFixed(2)} ms; load ${load()}`,
    );
  }
  if (counted !== null)
    printStatementsPer(counted, await countsOf([{ child }]), ROUNDS * STARTS, 'statements an update (a /start and a /menu each)');
  if (values.profile !== undefined)
    console.log(`profile windows of the measured /starts: ${windows.map(([a, b]) => `${a}-${b}`).join(' ')}`);
} finally {
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.send({ cmd: 'stop' });
  });
  await fake.close();
  await admin.client.query(`DROP SCHEMA IF EXISTS ${shopSchemaName(SCHEMA)} CASCADE`);
  await admin.client.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await admin.close();
  removeCompiledShop(compiled);
}
