/**
 * One shop replica of bench/rush in its own OS process: the shop as `main.ts` runs it on PostgreSQL (its web app
 * with the bot's webhook route, and its background worker: provisioning, notifications through the bot), talking to
 * the bench's fake Bot API. Configured by the environment main.ts gives it; sends `{ port }` over IPC once it
 * listens, answers `{ cmd: 'counts' }` with the statements it counted (`BENCH_RUSH_COUNT=1`), and on `{ cmd: 'stop' }`
 * stops, answers `{ cpuMs }` (its own CPU since start) and exits.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../examples/shop/src/config/config.js';
import { createLogger } from '../../examples/shop/src/logging/logger.js';
import { startBackground } from '../../examples/shop/src/stack/background.js';
import { openShop } from '../../examples/shop/src/stack/shop.js';
import { createApp } from '../../examples/shop/src/stack/web-app.js';
import { createShopBot } from '../../examples/shop/src/telegram/bot.js';
import { countedAs, countedRequests, countStatements, statementCounts } from './statement-count.js';
import { replicaTrace, startTraceWindow, traceReplica, tracedRequests } from './trace-replica.js';

/** `BENCH_RUSH_COUNT=1`: count the statements sent, by tap and by job (main.ts's `--count`). */
const counting = process.env['BENCH_RUSH_COUNT'] === '1';
if (counting) countStatements();

const config = loadConfig({ ...process.env, DEMO_PANEL: 'off' });
const shop = await openShop(config, { logger: createLogger('error') });
if (counting) {
  // Each host job's handler counted under its type; the rest of the background (claims, completions, the engine's
  // jobs, polls) stays `background`.
  const createWorker = shop.kit.createWorker.bind(shop.kit);
  shop.kit.createWorker = (options = {}) =>
    createWorker({
      ...options,
      hostJobs: options.hostJobs?.map((job) => ({
        ...job,
        run: (payload, context) => countedAs(`job ${job.type}`, () => job.run(payload, context)),
        ...(job.runMany === undefined ? {} : { runMany: (items) => countedAs(`job ${job.type}`, () => job.runMany!(items)) }),
      })),
    });
}
/** `BENCH_TRACE=1`: the stage trace (main.ts asks for it with `trace-start` and `trace`). */
const tracing = process.env['BENCH_TRACE'] === '1';
if (tracing) traceReplica(shop);
if (config.telegram === null) throw new Error('the replica needs TELEGRAM_BOT_TOKEN');
const shopBot = createShopBot(shop, config.telegram);
await shopBot.bot.init();
const background = startBackground(shop);
const app = createApp(shop, { telegram: shopBot });
const server = await new Promise<Server>((resolve, reject) => {
  const listener = counting ? countedRequests(app) : app;
  const s = createServer(tracing ? tracedRequests(listener) : listener).listen(0, '127.0.0.1', () => resolve(s));
  s.once('error', reject);
});
process.send?.({ port: (server.address() as AddressInfo).port });
process.on('message', (message: { cmd: string }) => {
  if (message.cmd === 'counts') process.send?.({ counts: statementCounts() });
  if (message.cmd === 'trace-start') {
    startTraceWindow();
    process.send?.({ cmd: 'trace-start', answer: null });
  }
  if (message.cmd === 'trace') process.send?.({ cmd: 'trace', answer: replicaTrace() });
  if (message.cmd !== 'stop') return;
  void (async () => {
    const cpu = process.cpuUsage();
    server.closeAllConnections();
    server.close();
    await background.stop();
    await shop.close();
    process.send?.({ cpuMs: (cpu.user + cpu.system) / 1000 }, () => process.exit(0));
  })();
});
