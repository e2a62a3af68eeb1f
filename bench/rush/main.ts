/**
 * bench/rush: a sale rush through the bot. N buyers tap through the catalog and buy one plan from their wallet,
 * their updates posted to the shop's Telegram webhook (replicas in their own OS processes on a real PostgreSQL),
 * the bot's replies going to the fake Bot API of the tests, the plan sold on a simulated 3x-ui panel that answers
 * each request after 25–80 ms.
 *
 *   node --conditions=@panelkit/source --import tsx bench/rush/main.ts \
 *     [--buyers 1000] [--seconds 60] [--replicas 1] [--lone 20] [--warm 5] \
 *     [--server postgres://postgres@127.0.0.1:5432/test] [--schema bench_rush] [--keep] [--count] [--idle 15] [--profile DIR [--profile-step PREFIX]]
 *     [--v8-flags="--trace-deopt"] [--shop compiled|source]
 *
 * Buyers start `/start` (linked Telegram users, in bulk before the clock runs) and get twice the plan's price in
 * their wallet. Then, first, `--lone` buyers buy one after another with nothing else running (the floor); then
 * `--buyers` buyers start at even intervals over `--seconds`, each tapping catalog → location → plan → buy, each
 * tap posted when the bot answered the previous one. A buyer's time runs from posting the buy tap to the fake
 * receiving the bot's message to them carrying their subscription link (`/s/`). Updates go to the replicas in turn,
 * as a load balancer would hand them, at most 40 in flight at once (Telegram's connections to a webhook); an answer
 * other than 200 delivers the update again a second later, as Telegram does (counted and printed). Asserted afterwards (exit 1 otherwise): every buyer has exactly one order,
 * exactly one link message, and their wallet debited exactly once (balance = twice the price − the price).
 * `--count`: the replicas count the statements they send (`statement-count.ts`), and the bench prints them per lone
 * buyer by tap and by job (the median over the lone buyers; BENCH_DEBUG=1 lists them by statement), and `/start`'s
 * apart (the lone buyers' `/start`s, one at a time, before the clock runs), the idle background's a second, and every
 * statement of the rush a rush buyer (batching makes these depend on the load).
 * Always printed: the replicas' CPU a lone buyer by step (`step-cpu.ts`: each tap, the jobs after the buy) and, over
 * `--idle` seconds with nothing asked of the replicas (0: not measured), their idle background a second. Then the bare
 * floor: as many lone buyers again through `floor-server.ts` (the same updates, Bot API calls and panel request done by
 * a bare `node:http` server with `pg`, one statement a step: `floor-sql.ts`), measured the same way, and
 * `lone buyer ÷ floor`, so the shop's figure reads against an ideal of the same sitting; its books are checked too.
 * `--warm N` (default 5, at most half of `--lone`): the first N lone buyers are not measured. A replica's code is hot
 * only after many purchases: `--lone 225 --warm 200` measures 25 purchases of a replica in its steady state, as an
 * owner's runs after a day; the default measures a replica that has served a handful.
 * `--profile DIR`: each replica runs under `node --cpu-prof` and writes its profile into DIR when it stops
 * (`profile-layers.ts` breaks one down). `--profile-step PREFIX`: also print the windows of the lone buyers' steps
 * whose label starts with PREFIX (`"tap buy"`, `jobs`, `"tap start"`), for `profile-window.ts` to read one step alone.
 * `--shop compiled` (the default: the issue asks for what owners run measured): the replicas run the shop as the
 * production image does (`../support/compiled-shop.ts`: the shop compiled by `scripts/compile-shop.mjs`, the packages'
 * built `dist/`, plain node, `NODE_ENV=production`; build the packages first); `source`: through tsx from the sources
 * (no build needed; profiles name the TypeScript files).
 * `--v8-flags="…"`: more node flags for each replica (V8's traces, which print on stdout: each replica's stdout is then
 * written to a file of its own, named when it starts).
 * `BENCH_TRACE=1`: where a rush buyer's time goes, stage by stage (`trace-replica.ts`, `trace-report.ts`): the webhook,
 * the checkout, each job's enqueue, claim, routing, panel answer and run, and the link's arrival, at p50/p90/p99 and
 * for the slowest 1%; each process's event loop delay, each replica's waits for a pool connection, and its claims (how
 * many took nothing) and `jobsQueued` calls.
 * Figures: `bench/RESULTS.md` (## rush).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { serveOnLocalhost } from '../../packages/panel-adapters/src/simulators/harness/index.js';
import { createXuiSimulator } from '../../packages/panel-adapters/src/simulators/xui/index.js';
import { loadConfig } from '../../examples/shop/src/config/config.js';
import { shopSchemaName } from '../../examples/shop/src/db/migrations.js';
import { createLogger } from '../../examples/shop/src/logging/logger.js';
import { openDatabase } from '../../examples/shop/src/stack/database.js';
import { openShop } from '../../examples/shop/src/stack/shop.js';
import { FakeTelegram, buttonsOf, type BotCall } from '../../examples/shop/test/support/fake-telegram.js';
import { compileShop, removeCompiledShop, shopModeOf, shopProcess } from '../support/compiled-shop.js';
import { machineCpu, processCpu } from '../support/proc-cpu.js';
import { RushBuyer, type BuyerUpdate as Update } from './buyer-updates.js';
import { countsOf, printStatementsPer, printStatementsPerBuyer, printStatementsPerSecond } from './statements-per-buyer.js';
import { monotonicUs, StepCpu, threadsCpuMs, threadsCpuSplitMs } from './step-cpu.js';
import { listeningPort } from '../support/listening-port.js';
import type { ReplicaTrace } from './trace-replica.js';
import { printTrace, type BuyerTimes, type PanelRequest } from './trace-report.js';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import PQueue from 'p-queue';
import type { StatementCounts } from './statement-count.js';
import { postUpdate } from './webhook-post.js';
import { startFloor, type FloorProcess } from './floor-run.js';

const { values } = parseArgs({
  options: {
    buyers: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '60' },
    replicas: { type: 'string', default: '1' },
    lone: { type: 'string', default: '20' },
    warm: { type: 'string' },
    server: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    schema: { type: 'string', default: 'bench_rush' },
    keep: { type: 'boolean', default: false },
    count: { type: 'boolean', default: false },
    idle: { type: 'string', default: '15' },
    profile: { type: 'string' },
    'profile-step': { type: 'string' },
    'v8-flags': { type: 'string' },
    shop: { type: 'string', default: 'compiled' },
  },
});
/** `--shop compiled`: the compiled tree the replicas run (built before the clock runs, removed at the end). */
const compiled =
  shopModeOf(values.shop) === 'compiled'
    ? await compileShop([
        'bench/rush/replica.ts',
        'bench/rush/statement-count.ts',
        'bench/rush/trace-replica.ts',
        'bench/rush/floor-server.ts',
        'bench/rush/floor-sql.ts',
      ])
    : null;
/** A replica's module, node flags and environment in that mode. */
const replicaProcess = shopProcess(compiled, 'bench/rush/replica.ts');
/** `--v8-flags="…"`: more flags for each replica's node (`--trace-deopt`, say); each replica's stdout then goes to a file. */
const V8_FLAGS = values['v8-flags']?.split(/\s+/).filter((flag) => flag !== '') ?? [];
const BUYERS = Number(values.buyers);
/** `BENCH_TRACE=1` (inherited by the replicas): the stage trace of the rush's buyers. */
const TRACE = process.env['BENCH_TRACE'] === '1';
const SPREAD_MS = Number(values.seconds) * 1000;
const REPLICAS = Number(values.replicas);
const LONE = Number(values.lone);
const IDLE_SECONDS = Number(values.idle);
const SCHEMA = values.schema;
if (!/^bench_[a-z0-9_]{1,30}$/.test(SCHEMA)) throw new Error(`--schema ${SCHEMA}: a plain name starting with bench_ (it is dropped)`);
if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(values.server).hostname)) throw new Error('--server: loopback only');
/** The floor's tables (`floor-server.ts`), beside the shop's. */
const FLOOR_SCHEMA = `${SCHEMA}_floor`;
const PLAN = 'Rush · 1 month · 50 GiB';
const PRICE = 500;
const PUBLIC_URL = 'https://shop.bench.example';
const WEBHOOK_SECRET = 'bench-rush-webhook-secret-0123456789';
/** Telegram's default `max_connections` to a webhook, which the shop's `setWebhook` keeps. */
const TELEGRAM_MAX_CONNECTIONS = 40;
/** Telegram user ids of the buyers: lone ones first, then the rush. */
const FIRST_USER = 7_000_000;

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
const ms = (n: number) => n.toFixed(0);

// The panel: a 3x-ui simulator answering each request after 25–80 ms, counting requests and the most at once.
const sim = createXuiSimulator({ version: '2.8.x', basePath: '/x/', credentials: { username: 'admin', password: 'bench-panel-pw' } });
sim.seedDemo();
const panelLoad = { now: 0, peak: 0, requests: 0 };
/** With `BENCH_TRACE=1`, the rush's panel requests (`clockMs` in and out, and the path) for the trace. */
const panelRequests: PanelRequest[] = [];
let tracingPanel = false;
const panelServer = await serveOnLocalhost(async (request) => {
  panelLoad.requests++;
  panelLoad.peak = Math.max(panelLoad.peak, ++panelLoad.now);
  const seen = tracingPanel ? { in: performance.timeOrigin + performance.now(), out: 0, path: new URL(request.url).pathname } : null;
  try {
    await sleep(25 + Math.random() * 55);
    return await sim.handle(request);
  } finally {
    panelLoad.now--;
    if (seen !== null) {
      seen.out = performance.timeOrigin + performance.now();
      panelRequests.push(seen);
    }
  }
});

// The fake Bot API, each call stamped with the time it arrived and handed to whoever waits for its chat.
const fake = await FakeTelegram.start();
const arrivals = new Map<number, Array<{ call: BotCall; at: number }>>();
const waiters = new Map<number, () => void>();
const record = fake.calls.push.bind(fake.calls);
fake.calls.push = (...calls: BotCall[]) => {
  const at = performance.now();
  for (const call of calls) {
    const chat = Number(call.params['chat_id']);
    if (!Number.isFinite(chat)) continue;
    arrivals.set(chat, [...(arrivals.get(chat) ?? []), { call, at }]);
    waiters.get(chat)?.();
  }
  return record(...calls);
};
const messagesTo = (chat: number) => (arrivals.get(chat) ?? []).filter((a) => a.call.ok && a.call.method === 'sendMessage');
/** Waits (up to `timeoutMs`) for the `count`-th message to `chat` that matches. */
async function messageTo(chat: number, match: (call: BotCall) => boolean, count = 1, timeoutMs = 600_000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const found = messagesTo(chat).filter((a) => match(a.call));
    if (found.length >= count) return found[count - 1]!;
    if (performance.now() > deadline) throw new Error(`no message ${count} to ${chat} within ${timeoutMs} ms`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      waiters.set(chat, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    waiters.delete(chat);
  }
}
const isLink = (call: BotCall) => String(call.params['text'] ?? '').includes(`${PUBLIC_URL}/s/`);

const env = {
  DATABASE_URL: values.server,
  DATABASE_SCHEMA: SCHEMA,
  SHOP_SECRET: 'bench-rush-secret-bench-rush-secret',
  SHOP_SECRET_KEYS: `b1:${Buffer.alloc(32, 7).toString('base64')}`,
  SHOP_NAME: 'Bench',
  PUBLIC_URL,
  LOG_LEVEL: 'error',
  TELEGRAM_BOT_TOKEN: fake.token,
  TELEGRAM_API_ROOT: fake.apiRoot,
  TELEGRAM_ADMIN_IDS: '9001',
  TELEGRAM_WEBHOOK: 'on',
  TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
  // The bench's own buyers are new Telegram users by the thousand in a minute: not a farm to slow down.
  TELEGRAM_NEW_ACCOUNTS_PER_MINUTE: '0',
};
const dataDir = mkdtempSync(join(tmpdir(), 'bench-rush-'));
const config = loadConfig({ ...env, DATA_DIR: dataDir, DEMO_PANEL: 'off' });
const dropSchemas = async () => {
  const admin = await openDatabase(config.database);
  await admin.client.query(`DROP SCHEMA IF EXISTS ${shopSchemaName(SCHEMA)} CASCADE`);
  await admin.client.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await admin.client.query(`DROP SCHEMA IF EXISTS ${FLOOR_SCHEMA} CASCADE`);
  await admin.close();
};
await dropSchemas();
// The bench's own handle on the shop: to set up the panel and plan, fund wallets and check the books.
const shop = await openShop(config, { logger: createLogger('error') });
const replicas: Array<{ child: ChildProcess; url: string }> = [];
let replicaDeaths = 0;
/** Steps a buyer tapped again after 30 s without a reply (one lost on the way). */
let tappedAgain = 0;
let stopping = false;
let failed = false;
/** The replicas' CPU by lone buyers' step, and idle. */
const stepCpu = new StepCpu(() => threadsCpuMs(replicas.map(({ child }) => child.pid!)));
/** The bare floor's process, once started (stopped at the end). */
let bareFloor: FloorProcess | undefined;
/** Bot API calls and panel requests a purchase between two `outside()` readings over `buyers` purchases. */
const outsideEach = (from: { bot: number; panel: number }, to: { bot: number; panel: number }, buyers: number) => ({
  bot: ((to.bot - from.bot) / buyers).toFixed(1),
  panel: ((to.panel - from.panel) / buyers).toFixed(1),
});
/** How long after a lone buyer's link message its jobs are given to finish (the link job's completion, its next claim). */
const JOBS_GRACE_MS = 100;
try {
  console.log(
    `load average at start ${load()}, ${cpus().length} cores, node ${process.version}; ${BUYERS} buyers over ${SPREAD_MS / 1000} s, ${REPLICAS} replica(s), the shop ${values.shop}`,
  );
  const actor = { type: 'system' as const, id: 'bench-rush' };
  const panel = await shop.kit.panels.add(
    {
      kind: '3x-ui',
      name: 'Rush panel',
      locationTags: ['de'],
      baseUrl: `${panelServer.origin}/x/`,
      credentials: { type: 'password', username: 'admin', password: 'bench-panel-pw' },
      options: {},
    },
    actor,
  );
  const targets = await shop.kit.targets.sync(panel.id, { capacity: 1_000_000, actor, signal: AbortSignal.timeout(15_000) });
  const target = targets.added.find((t) => t.protocol === 'vless') ?? targets.added[0];
  if (target === undefined) throw new Error('the simulated panel has no inbound');
  await shop.kit.plans.create(
    {
      name: PLAN,
      family: 'rush',
      price: { amount: PRICE, currency: shop.config.currency },
      durationDays: 30,
      trafficBytes: 50 * 1024 ** 3,
      placement: { preferredTargetIds: [target.id], allowedLocations: ['de'] },
    },
    actor,
  );

  for (let i = 0; i < REPLICAS; i++) {
    const child = fork(replicaProcess.module, [], {
      execArgv: [
        ...replicaProcess.execArgv,
        ...(values.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${values.profile}`]),
        ...V8_FLAGS,
      ],
      env: {
        ...process.env,
        ...env,
        ...replicaProcess.env,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-rush-replica-')),
        ...(values.count ? { BENCH_RUSH_COUNT: '1' } : {}),
      },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    // What a replica prints (errors; V8's traces with `--v8-flags`) is shown, or written to a file, and drained: a
    // full pipe would stall the replica.
    if (V8_FLAGS.length > 0) {
      const file = join(tmpdir(), `bench-rush-replica-${i}.stdout`);
      console.error(`replica ${i}: stdout to ${file}`);
      child.stdout!.pipe(createWriteStream(file));
    } else createInterface({ input: child.stdout! }).on('line', (text) => console.error(`replica ${i}: ${text.slice(0, 2000)}`));
    // It says its port once it listens (over IPC, so that nothing it prints can be taken for it).
    const port = await listeningPort(child, `replica ${i}`);
    replicas.push({ child, url: `http://127.0.0.1:${port}/telegram/webhook` });
    // A replica that ends before it is told to stop (the crash issue 50 found under overload) is counted and said.
    child.once('exit', (code, signal) => {
      if (!stopping) {
        replicaDeaths++;
        console.error(`replica ${i} exited during the run (code ${code}, signal ${signal})`);
      }
    });
  }
  let turn = 0;
  /** Updates delivered again after an answer other than 200, by status, as Telegram redelivers them. */
  const redelivered = new Map<number, number>();
  /**
   * Telegram's connections to the webhook: it holds at most `max_connections` requests in flight to one bot's webhook
   * (the shop's `setWebhook` leaves Telegram's default, 40), whatever the replicas behind it, and keeps the other
   * updates until one answers.
   */
  const telegramConnections = new PQueue({ concurrency: TELEGRAM_MAX_CONNECTIONS });
  /**
   * Posts one update to the next replica, as Telegram would: through one of its connections, and an answer other than
   * 200 delivers the same update again a second later (to the next replica), for up to 10 minutes (an overloaded
   * replica answers 503 to what it cannot take now), then fails the bench; so does a failed connection (printed as
   * status 0).
   */
  const post = async (update: Update, label: string, to?: string) => {
    const giveUpAt = performance.now() + 600_000;
    const user = ((update['callback_query'] ?? update['message']) as { from: { id: number } }).from.id;
    for (;;) {
      const url = to ?? replicas[turn++ % replicas.length]!.url;
      // A connection that fails counts as status 0: Telegram delivers the update again too.
      const status = await telegramConnections.add(() =>
        postUpdate(
          url,
          { 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET, 'x-bench-step': label, 'x-bench-user': String(user) },
          JSON.stringify(update),
        ),
      );
      if (status === 200) return;
      if (performance.now() > giveUpAt) throw new Error(`the webhook answered ${status} to update ${update.update_id} for 10 minutes`);
      redelivered.set(status, (redelivered.get(status) ?? 0) + 1);
      await sleep(1000);
    }
  };
  const users = Array.from({ length: LONE + BUYERS }, (_, i) => new RushBuyer(FIRST_USER + i));
  /** The bare floor's lone buyers: Telegram users of their own, after the shop's. */
  const floorUsers = Array.from({ length: LONE }, (_, i) => new RushBuyer(FIRST_USER + LONE + BUYERS + i));
  /**
   * Posts an update and waits for the bot's next message to this user. A reply lost on the way is not sent again (the
   * shop sends at most once: it may have arrived), so a buyer who sees nothing for 30 s taps again, as a person
   * would (a new update); up to 3 times, counted.
   */
  const step = async (user: RushBuyer, label: string, make: () => Update, to?: string) => {
    for (let tries = 1; ; tries++) {
      const seen = messagesTo(user.id).length;
      await post(make(), label, to);
      try {
        return (await messageTo(user.id, () => true, seen + 1, 30_000)).call;
      } catch (error) {
        if (tries === 3) throw error;
        tappedAgain++;
      }
    }
  };
  const button = (call: BotCall, match: (b: { text: string; callback_data?: string }) => boolean) => {
    const found = buttonsOf(call).find((b) => b.callback_data !== undefined && match(b));
    if (found?.callback_data === undefined) throw new Error(`no such button on ${JSON.stringify(call.params).slice(0, 300)}`);
    return found.callback_data;
  };
  const messageId = (call: BotCall) => (call.result as { message_id: number }).message_id;

  /** `--profile`: the lone buyers' windows after the warm-up, in the clock of a CPU profile's timestamps. */
  const profileWindows: Array<[number, number]> = [];
  /** The first lone buyers load the modules a purchase needs and warm the JIT: their CPU is not counted. */
  const WARM = values.warm === undefined ? Math.min(5, Math.floor(LONE / 2)) : Number(values.warm);
  if (!(WARM >= 0 && WARM < LONE)) throw new Error(`--warm ${values.warm}: fewer than --lone`);
  type Timed = <T>(label: string, fn: () => Promise<T>) => Promise<T>;
  const untimed: Timed = (_label, fn) => fn();
  const timed: Timed = (label, fn) => stepCpu.time(label, fn);

  // Linked Telegram users with funds, before the clock runs: /start through the webhook, then a top-up each; the
  // rush's in bulk, then the lone buyers' one at a time (their /start timed, and counted with --count).
  const seedStarted = performance.now();
  const customers = new Map<number, string>();
  const startOne = async (user: RushBuyer, time: Timed = untimed) => {
    await time('tap start (a new buyer)', () => step(user, 'start', () => user.start()));
    const customer = await shop.storage.customers.getByExternalRef(`telegram:${user.id}`);
    if (customer === null) throw new Error(`/start linked no customer for ${user.id}`);
    customers.set(user.id, customer.id);
  };
  const fund = (user: RushBuyer) =>
    shop.kit.topUp({
      customerId: customers.get(user.id)!,
      amount: { amount: 2 * PRICE, currency: shop.config.currency },
      idempotencyKey: `rush-${user.id}`,
    });
  const rushUsers = users.slice(LONE);
  for (let from = 0; from < rushUsers.length; from += 16)
    await Promise.all(rushUsers.slice(from, from + 16).map(async (user) => (await startOne(user), await fund(user))));
  // The lone buyers' top-ups after all their /starts, so whatever a top-up sets off is in no /start's window.
  const startSnapshots: StatementCounts[] = [];
  for (const [i, user] of users.slice(0, LONE).entries()) {
    if (i === WARM) profileWindows.push([monotonicUs(), 0]);
    stepCpu.recording = i >= WARM;
    if (values.count && i >= WARM) startSnapshots.push(await countsOf(replicas));
    await startOne(user, timed);
  }
  profileWindows.at(-1)![1] = monotonicUs();
  stepCpu.recording = false;
  if (values.count && startSnapshots.length > 0) startSnapshots.push(await countsOf(replicas));
  for (const user of users.slice(0, LONE)) await fund(user);
  console.log(
    `seeded ${users.length} linked buyers with funds in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s; load ${load()}`,
  );

  /**
   * One buyer's taps: catalog → location → plan → buy; resolves with ms from the buy tap to the link message.
   * `lone`: a lone buyer, each tap's CPU window (to its answer and reply) and the jobs' (from the buy tap's answer to
   * the link message and {@link JOBS_GRACE_MS} after it) recorded there. `to`: the webhook posted to (default: the
   * replicas in turn).
   */
  const buy = async (user: RushBuyer, lone: StepCpu | null = null, to?: string) => {
    const time: Timed = lone === null ? untimed : (label, fn) => lone.time(label, fn);
    const locations = await time('tap catalog', () => step(user, 'catalog', () => user.tap('cat', 1), to));
    const plans = await time('tap location', () =>
      step(
        user,
        'location',
        () =>
          user.tap(
            button(locations, () => true),
            messageId(locations),
          ),
        to,
      ),
    );
    const quote = await time('tap plan', () =>
      step(
        user,
        'plan',
        () =>
          user.tap(
            button(plans, (b) => b.text.includes(PLAN)),
            messageId(plans),
          ),
        to,
      ),
    );
    const buyTap = user.tap(
      button(quote, (b) => b.callback_data!.startsWith('b:')),
      messageId(quote),
    );
    const tapped = performance.now();
    await time('tap buy (checkout; to its answer)', () => post(buyTap, 'buy', to));
    const answered = performance.now() - tapped;
    const link = await time(`jobs: provisioning, link message (+${JOBS_GRACE_MS} ms)`, async () => {
      const found = await messageTo(user.id, isLink);
      if (lone !== null) await sleep(JOBS_GRACE_MS);
      return found;
    });
    if (TRACE && lone === null)
      traced.push({ user: user.id, tapped: toClock(tapped), answered: toClock(tapped + answered), link: toClock(link.at) });
    return { answered, link: link.at - tapped };
  };

  /** The rush buyers' own times, for the trace (`clockMs`, comparable with the replicas'). */
  const traced: BuyerTimes[] = [];
  const toClock = (at: number) => performance.timeOrigin + at;
  /** Asks every replica `cmd` and waits for each one's answer. */
  const ask = <T>(cmd: string) =>
    Promise.all(
      replicas.map(
        ({ child }) =>
          new Promise<T>((resolve) => {
            const onMessage = (m: { cmd?: string; answer?: T }) => {
              if (m.cmd !== cmd) return;
              child.off('message', onMessage);
              resolve(m.answer as T);
            };
            child.on('message', onMessage);
            child.send({ cmd });
          }),
      ),
    );
  const benchLoop = monitorEventLoopDelay({ resolution: 5 });

  // The floor: one buyer at a time, nothing else running.
  const lone: Array<{ answered: number; link: number }> = [];
  const snapshots: StatementCounts[] = [];
  let loneCpuBefore: number[] = [];
  let loneThreadsBefore = { main: 0, others: 0 };
  const replicaPids = () => replicas.map(({ child }) => child.pid!);
  /** The outside work so far: Bot API calls (the webhook's answers aside) and panel requests. */
  const outside = () => ({ bot: fake.calls.length, panel: panelLoad.requests });
  let loneOutside = outside();
  for (const [i, user] of users.slice(0, LONE).entries()) {
    if (i === WARM) {
      loneOutside = outside();
      loneCpuBefore = replicas.map(({ child }) => processCpu(child.pid!));
      loneThreadsBefore = threadsCpuSplitMs(replicaPids());
      profileWindows.push([monotonicUs(), 0]);
    }
    stepCpu.recording = i >= WARM;
    if (values.count) snapshots.push(await countsOf(replicas));
    lone.push(await buy(user, stepCpu));
  }
  profileWindows.at(-1)![1] = monotonicUs();
  stepCpu.recording = false;
  if (values.profile !== undefined)
    console.log(
      `profile windows of the lone buyers after the warm-up (their /starts, their purchases; CLOCK_MONOTONIC µs, as the profiles' timestamps): ${profileWindows.map(([from, to]) => `${from}-${to}`).join(' ')}`,
    );
  if (values.profile !== undefined && values['profile-step'] !== undefined)
    console.log(
      `profile windows of the lone buyers' steps starting "${values['profile-step']}" (CLOCK_MONOTONIC µs): ${stepCpu.profileWindows(values['profile-step']).join(' ')}`,
    );
  if (values.count) {
    // The last buyer's link job completes after its message arrives.
    await sleep(500);
    snapshots.push(await countsOf(replicas));
    printStatementsPerBuyer(snapshots);
    if (startSnapshots.length > 0) printStatementsPerBuyer(startSnapshots, 'statements a lone /start sends (a new buyer)');
  }
  // Replica CPU a lone buyer (after the first): one at a time, so no batching of jobs piled up under load lowers it.
  const loneOutsideEach = outsideEach(loneOutside, outside(), LONE - WARM);
  const loneCpuMs = (replicas.reduce((sum, { child }, i) => sum + processCpu(child.pid!) - loneCpuBefore[i]!, 0) * 1000) / (LONE - WARM);
  const loneThreads = threadsCpuSplitMs(replicaPids());
  const loneLinks = lone.map((t) => t.link).sort((a, b) => a - b);
  const loneAnswered = lone.map((t) => t.answered).sort((a, b) => a - b);
  console.log(
    `lone purchases (${LONE}, one after another): buy tap → link ${lone.map((t) => ms(t.link)).join(', ')} ms; ` +
      `median ${ms(pct(loneLinks, 50))}, max ${ms(loneLinks[loneLinks.length - 1]!)} ms; buy tap answered (checkout done) median ${ms(pct(loneAnswered, 50))} ms; ` +
      `replicas' CPU a lone buyer ${loneCpuMs.toFixed(1)} ms (the last ${LONE - WARM}; their main threads ` +
      `${((loneThreads.main - loneThreadsBefore.main) / (LONE - WARM)).toFixed(1)} ms, their other threads, V8's compiler and ` +
      `GC helpers and libuv's pool, ${((loneThreads.others - loneThreadsBefore.others) / (LONE - WARM)).toFixed(1)} ms)`,
  );
  if (IDLE_SECONDS > 0) {
    const before = values.count ? await countsOf(replicas) : null;
    await stepCpu.measureIdle(IDLE_SECONDS, sleep);
    if (before !== null) printStatementsPerSecond(before, await countsOf(replicas), IDLE_SECONDS, 'statements the idle replicas send');
  }
  stepCpu.print();

  // The bare floor (`floor-server.ts`): the same lone purchases' outside work by the barest code, in a process of its
  // own, measured the same way (the lone buyers' `/start`s, then their purchases); its buyers are users of its own.
  bareFloor = await startFloor(shopProcess(compiled, 'bench/rush/floor-server.ts'), {
    DATABASE_URL: values.server,
    FLOOR_SCHEMA,
    TELEGRAM_API_ROOT: fake.apiRoot,
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    PUBLIC_URL,
    FLOOR_PANEL_URL: `${panelServer.origin}/x/`,
    FLOOR_PANEL_USER: 'admin',
    FLOOR_PANEL_PASSWORD: 'bench-panel-pw',
    FLOOR_INBOUND: target.remoteRef,
    FLOOR_PLAN: PLAN,
    FLOOR_PRICE: String(PRICE),
  });
  const floorUrl = bareFloor.url;
  const floorPid = bareFloor.pid;
  const floorCpu = new StepCpu(() => threadsCpuMs([floorPid]));
  for (const [i, user] of floorUsers.entries()) {
    floorCpu.recording = i >= WARM;
    await floorCpu.time('tap start (a new buyer)', () => step(user, 'start', () => user.start(), floorUrl));
  }
  floorCpu.recording = false;
  await shop.db.query(`UPDATE ${FLOOR_SCHEMA}.buyers SET balance = $1`, [2 * PRICE]);
  let floorCpuBefore = 0;
  let floorOutside = outside();
  for (const [i, user] of floorUsers.entries()) {
    if (i === WARM) {
      floorOutside = outside();
      floorCpuBefore = processCpu(floorPid);
    }
    floorCpu.recording = i >= WARM;
    await buy(user, floorCpu, floorUrl);
  }
  floorCpu.recording = false;
  const floorCpuMs = ((processCpu(floorPid) - floorCpuBefore) * 1000) / (LONE - WARM);
  const floorOutsideEach = outsideEach(floorOutside, outside(), LONE - WARM);
  const floorCounts = await bareFloor.counts();
  const floorStatementsEach = Object.entries(floorCounts).reduce((sum, [name, n]) => sum + (name === 'floor_start' ? 0 : n), 0) / LONE;
  floorCpu.print("the bare floor's (floor-server.ts)");
  console.log(
    `bare floor: CPU a lone buyer ${floorCpuMs.toFixed(1)} ms (the last ${LONE - WARM}, as the replicas' above); ` +
      `${floorStatementsEach.toFixed(0)} statements a purchase; outside work a purchase: ` +
      `shop ${loneOutsideEach.bot} Bot API calls and ${loneOutsideEach.panel} panel requests, floor ${floorOutsideEach.bot} and ${floorOutsideEach.panel}`,
  );
  console.log(
    `lone buyer ÷ floor ${(loneCpuMs / floorCpuMs).toFixed(2)}× (${loneCpuMs.toFixed(1)} ÷ ${floorCpuMs.toFixed(1)} ms); ` +
      `sum of the step medians ${(stepCpu.sumOfMedians() / floorCpu.sumOfMedians()).toFixed(2)}× ` +
      `(${stepCpu.sumOfMedians().toFixed(1)} ÷ ${floorCpu.sumOfMedians().toFixed(1)} ms)`,
  );

  // The rush: buyers released at even intervals over the spread.
  const cpuBefore = process.cpuUsage();
  const machineBefore = machineCpu();
  const replicaCpuBefore = replicas.map(({ child }) => processCpu(child.pid!));
  const panelBefore = { ...panelLoad };
  panelLoad.peak = 0;
  const rushCountsBefore = values.count ? await countsOf(replicas) : null;
  if (TRACE) {
    await ask('trace-start');
    benchLoop.enable();
    tracingPanel = true;
  }
  const rushStarted = performance.now();
  const loadAtStart = load();
  const times = await Promise.all(
    rushUsers.map(async (user, i) => {
      await sleep((i * SPREAD_MS) / BUYERS);
      return buy(user);
    }),
  );
  const wallMs = performance.now() - rushStarted;
  const loadAtEnd = load();
  const benchCpu = process.cpuUsage(cpuBefore);
  const machineAfter = machineCpu();
  const replicaRushCpu = replicas.map(({ child }, i) => processCpu(child.pid!) - replicaCpuBefore[i]!);
  const machineBusy = (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total);
  // Late duplicates would arrive after the first link: give them a moment before counting.
  await sleep(3000);
  // Every statement of the rush (its buyers' taps and jobs, and the background meanwhile), a buyer.
  if (rushCountsBefore !== null)
    printStatementsPer(
      rushCountsBefore,
      await countsOf(replicas),
      BUYERS,
      `statements a buyer in the rush (${BUYERS} buyers, every replica)`,
    );
  if (TRACE) {
    benchLoop.disable();
    tracingPanel = false;
    const traces = await ask<ReplicaTrace>('trace');
    const userOf = new Map([...customers].map(([user, customer]) => [customer, user]));
    const subscriptionUser = new Map(
      (await shop.db.query<{ id: string; customer_id: string }>(`SELECT id, customer_id FROM "${SCHEMA}".subscriptions`)).rows.map((r) => [
        r.id,
        userOf.get(r.customer_id) ?? -1,
      ]),
    );
    const deliveryUser = new Map(
      (
        await shop.db.query<{ id: string; address: string }>(`SELECT id, address FROM ${shopSchemaName(SCHEMA)}.notification_deliveries`)
      ).rows.map((r) => [r.id, Number(r.address)]),
    );
    printTrace(traced, traces, { subscriptionUser, deliveryUser }, panelRequests);
    console.log(
      `  bench process (fake Bot API, panel, buyers): event loop delay p50 ${(benchLoop.percentile(50) / 1e6).toFixed(1)} / p99 ${(benchLoop.percentile(99) / 1e6).toFixed(1)} / max ${(benchLoop.max / 1e6).toFixed(1)} ms`,
    );
  }
  const sorted = times.map((t) => t.link).sort((a, b) => a - b);
  const answered = times.map((t) => t.answered).sort((a, b) => a - b);
  const p50 = pct(sorted, 50);
  const p99 = pct(sorted, 99);
  const max = sorted[sorted.length - 1]!;
  const floor = pct(loneLinks, 50);

  // The books: one order, one link message, one debit per buyer.
  const orderCounts = new Map(
    (
      await shop.db.query<{ customer_id: string; n: string }>(
        `SELECT customer_id, count(*) AS n FROM "${SCHEMA}".orders GROUP BY customer_id`,
      )
    ).rows.map((r) => [r.customer_id, Number(r.n)]),
  );
  let wrongOrders = 0;
  let wrongLinks = 0;
  let wrongWallets = 0;
  for (const user of users) {
    const customerId = customers.get(user.id)!;
    if (orderCounts.get(customerId) !== 1) wrongOrders++;
    if (messagesTo(user.id).filter((a) => isLink(a.call)).length !== 1) wrongLinks++;
    if ((await shop.storage.ledger.balance(customerId, shop.config.currency)) !== PRICE) wrongWallets++;
  }
  // The floor's books alike: one order, one ledger entry of the price, one link message, the wallet debited once.
  const floorBooks = new Map(
    (
      await shop.db.query<{ buyer_id: string; orders: string; spent: string; balance: string }>(
        `SELECT b.telegram_id AS buyer_id, (SELECT count(*) FROM ${FLOOR_SCHEMA}.orders o WHERE o.buyer_id = b.telegram_id) AS orders,
                (SELECT coalesce(-sum(amount), 0) FROM ${FLOOR_SCHEMA}.ledger l WHERE l.buyer_id = b.telegram_id) AS spent, b.balance
         FROM ${FLOOR_SCHEMA}.buyers b`,
      )
    ).rows.map((r) => [Number(r.buyer_id), r]),
  );
  let wrongFloor = 0;
  for (const user of floorUsers) {
    const books = floorBooks.get(user.id);
    const links = messagesTo(user.id).filter((a) => isLink(a.call)).length;
    if (
      books === undefined ||
      Number(books.orders) !== 1 ||
      Number(books.spent) !== PRICE ||
      Number(books.balance) !== PRICE ||
      links !== 1
    )
      wrongFloor++;
  }
  failed = wrongOrders + wrongLinks + wrongWallets + replicaDeaths + wrongFloor > 0;

  stopping = true;
  const stopped = await Promise.all(
    replicas.map(
      ({ child }) =>
        new Promise<number>((resolve) => {
          child.once('message', (m) => resolve((m as { cpuMs: number }).cpuMs));
          child.send({ cmd: 'stop' });
        }),
    ),
  );
  replicas.length = 0;
  const replicaCpuMs = stopped.reduce((a, b) => a + b, 0);
  console.log(
    `\nrush: ${BUYERS} buyers over ${SPREAD_MS / 1000} s, ${REPLICAS} replica(s): wall ${(wallMs / 1000).toFixed(1)} s; ` +
      `buy tap → link p50 ${ms(p50)} ms, p99 ${ms(p99)} ms, max ${ms(max)} ms; ` +
      `buy tap answered (checkout done) p50 ${ms(pct(answered, 50))} ms, p99 ${ms(pct(answered, 99))} ms`,
  );
  console.log(
    `floor (lone purchase, median of ${LONE}): ${ms(floor)} ms; rush p99 ÷ floor ${(p99 / floor).toFixed(2)}×, p50 ÷ floor ${(p50 / floor).toFixed(2)}×`,
  );
  console.log(
    `panel: ${panelLoad.requests - panelBefore.requests} requests in the rush, at most ${panelLoad.peak} at once; ` +
      `replicas' CPU in the rush ${replicaRushCpu.map((c) => c.toFixed(1)).join(' + ')} s ` +
      `(${((replicaRushCpu.reduce((a, b) => a + b, 0) * 1000) / BUYERS).toFixed(1)} ms a buyer; ${(replicaCpuMs / 1000).toFixed(1)} s over the whole run); ` +
      `bench process (fake Bot API, panel, buyers) ${((benchCpu.user + benchCpu.system) / 1e6).toFixed(1)} s; ` +
      `machine busy ${(machineBusy * 100).toFixed(0)}% of its cores during the rush`,
  );
  console.log(`load ${loadAtStart} → ${loadAtEnd}`);
  console.log(
    `buyers who tapped again after 30 s without a reply: ${tappedAgain}; updates delivered again after a failed answer: ${redelivered.size === 0 ? 'none' : [...redelivered].map(([status, n]) => `${n} after ${status}`).join(', ')}`,
  );
  console.log(
    `checks over ${users.length} buyers: wrong order counts ${wrongOrders}, wrong link-message counts ${wrongLinks}, wrong wallets ${wrongWallets}; replicas that died ${replicaDeaths}; ` +
      `the bare floor's ${floorUsers.length} buyers with wrong books or link messages ${wrongFloor}`,
  );
} finally {
  stopping = true;
  for (const { child } of replicas) child.kill();
  await bareFloor?.stop();
  await shop.close();
  await fake.close();
  await panelServer.close();
  if (!values.keep) await dropSchemas();
  rmSync(dataDir, { recursive: true, force: true });
  removeCompiledShop(compiled);
}
process.exit(failed ? 1 : 0);
