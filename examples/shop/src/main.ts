import type { Server } from 'node:http';
import { readSetting } from './db/shop-settings.js';
import { BOT_TOKEN_SETTING } from './app/ops/shop-settings.js';
import { startDemoCryptoBot, startDemoEpay, startDemoGateway, startDemoStripe, startDemoYooKassa } from './stack/demo-gateway.js';
import { ConfigError, loadConfig, type ShopConfig, type TelegramConfig } from './config/config.js';
import { createApp } from './stack/web-app.js';
import { DEMO_ADMIN_PASSWORD_HINT, ensureStartupAdmin } from './stack/admin-account.js';
import { startBackground, type Background } from './stack/background.js';
import { createLogger, logDestination } from './logging/logger.js';
import { guardProcess } from './stack/process-guard.js';
import { demoCoreLines } from './stack/demo-core.js';
import { openShop } from './stack/shop.js';
import { exitOnStartupError } from './stack/startup-errors.js';
import { gracefulClose } from './stack/graceful-close.js';
import { createShopBot, WEBHOOK_PATH } from './telegram/bot.js';
import { createStorefrontBots } from './telegram/storefront/runtime.js';
import { kitStorefrontSales } from './app/storefront-bots/kit-sales.js';
import { runBot } from './telegram/runtime.js';

/**
 * `npm start`: the shop on its settings (environment variables, see README). With none set it
 * runs on embedded PGlite in `examples/shop/.data` with two simulated 3x-ui panels.
 */
/** The bot's settings with a token saved in Admin → Settings, or why they are refused (the settings' own problems). */
function storedBotConfig(token: string): TelegramConfig | Error {
  try {
    return loadConfig({ ...process.env, TELEGRAM_BOT_TOKEN: token }).telegram as TelegramConfig;
  } catch (error) {
    return error instanceof ConfigError ? new Error(error.problems.join('; ')) : (error as Error);
  }
}

async function main(config: ShopConfig): Promise<void> {
  const logger = createLogger(config.logLevel, logDestination(config.logFormat));
  guardProcess(logger);
  const shop = await openShop(config, { logger });
  const admin = await ensureStartupAdmin(shop, config.dataDir);
  let background: Background | null = null;
  if (config.runWorker) background = startBackground(shop);
  if (shop.demo !== null) {
    // The simulated panels start empty: put back the clients this shop sold before a restart.
    const report = await shop.kit.reconcile({ repair: true });
    if (report.repairsQueued > 0) logger.info({ repairs: report.repairsQueued }, 'demo panels restored from the database');
  }

  const gateway = shop.demo === null ? null : await startDemoGateway(shop);
  const cryptoBot = shop.demo === null ? null : await startDemoCryptoBot(shop);
  const epay = shop.demo === null ? null : await startDemoEpay(shop);
  const yookassa = shop.demo === null ? null : await startDemoYooKassa(shop);
  const stripe = shop.demo === null ? null : await startDemoStripe(shop);
  // A token saved by the owner in Admin → Settings (sealed) when the environment gives none.
  const storedToken =
    config.telegram === null ? ((await readSetting<unknown, { token: string }>(shop, BOT_TOKEN_SETTING))?.secret?.token ?? null) : null;
  // A stored token is checked by the same rules as one from the environment (a bot needs PUBLIC_URL): a refused one
  // leaves the shop running without its bot, saying why.
  const stored = storedToken === null ? null : storedBotConfig(storedToken);
  const telegram = config.telegram ?? (stored instanceof Error ? null : stored);
  const shopBot = telegram === null ? null : createShopBot(shop, telegram);
  // Every storefront's bot, on webhooks at /telegram/<bot id>/webhook (issue 70); none polls.
  const storefrontBots = createStorefrontBots(shop, { sales: kitStorefrontSales(shop) });
  const app = createApp(shop, shopBot === null ? { storefrontBots } : { telegram: shopBot, storefrontBots });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  const closeServer = gracefulClose(server);
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const url = config.publicUrl ?? `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  // A bad token or an unreachable Telegram leaves the shop running without its bot, saying why.
  const bot =
    shopBot === null
      ? stored instanceof Error
        ? stored
        : null
      : await runBot(shop, shopBot).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  const lines = [
    '',
    `  ${config.shopName} is running at ${url}`,
    `  database: ${config.database.kind === 'pglite' ? `embedded PGlite in ${config.database.dataDir}` : 'PostgreSQL (DATABASE_URL)'}`,
  ];
  if (shop.demo !== null)
    for (const p of shop.demo.simulated)
      lines.push(`  simulated ${p.kind} panel (${p.name}): ${p.url}  login ${p.login.username} / ${p.login.password}`);
  if (shop.demo !== null && config.demoCore !== null) lines.push(...demoCoreLines(shop.demo, config.demoCore));
  if (admin !== null)
    lines.push(`  admin sign-in: ${admin.email} / ${admin.password}${config.staffTotpRequired ? ' (then set up two-factor sign-in)' : ''}`);
  if (bot === null) lines.push('  Telegram bot: off (set TELEGRAM_BOT_TOKEN from @BotFather to turn it on; see README "Telegram bot")');
  else if (bot instanceof Error) lines.push(`  Telegram bot: could not start (${bot.message}); the shop runs without it`);
  else lines.push(`  Telegram bot: @${bot.username} (${bot.mode === 'webhook' ? `webhook at ${url}${WEBHOOK_PATH}` : 'long polling'})`);
  if (gateway !== null)
    lines.push(`  simulated crypto gateway: ${gateway.url} (Admin → Settings; the wallet's "Pay with crypto" opens its pay page)`);
  if (epay !== null)
    lines.push(
      `  simulated EPay gateway: ${epay.url} (Admin → Settings → Payment gateways; "Pay with Alipay or WeChat Pay" in the wallet)`,
    );
  if (yookassa !== null) {
    yookassa.webhookUrl = `${url}/payments/yookassa/notify`;
    lines.push(`  simulated YooKassa: ${yookassa.url} (Admin → Settings → Payment gateways; "Pay with YooKassa" in the wallet)`);
  }
  if (stripe !== null) {
    stripe.webhookUrl = `${url}/payments/stripe/webhook`;
    lines.push(`  simulated Stripe: ${stripe.url} (Admin → Settings → Payment gateways; "Pay with Stripe" in the wallet)`);
  }
  if (cryptoBot !== null) {
    cryptoBot.webhookUrl = `${url}/payments/cryptobot/webhook`;
    lines.push(
      `  simulated CryptoBot (Crypto Pay): ${cryptoBot.url} (Admin → Settings → Payment gateways; "Pay with CryptoBot" in the wallet)`,
    );
  }
  if (config.testPayments) lines.push('  test payments are ON: the wallet credits at once (never use in production)');
  lines.push(
    `  ${config.runWorker ? 'worker and scheduler run in this process' : 'worker is off here: run `npm run worker`'}`,
    '  Ctrl+C stops it.',
    '',
  );
  // Before the start is announced: a supervisor that reads the announcement and stops the process at once must find
  // the handler (until it is installed, SIGTERM ends the process at once, with no exit code).
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // Requests being answered finish (a load balancer retries new ones on another replica), then the rest stops.
    await closeServer();
    if (bot !== null && !(bot instanceof Error)) await bot.stop();
    await background?.stop();
    await gateway?.close();
    await cryptoBot?.close();
    await epay?.close();
    await yookassa?.close();
    await stripe?.close();
    await shop.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  // A log read by a machine holds only JSON lines: the banner is for a person at a terminal (or reading the
  // human format); otherwise the start is one log line. The demo admin's password is not written into it: the line
  // names the login and the command that prints its password.
  if (process.stdout.isTTY === true || config.logFormat === 'pretty') console.log(lines.join('\n'));
  else
    logger.info(
      {
        url,
        worker: config.runWorker,
        database: config.database.kind,
        ...(admin === null ? {} : { adminEmail: admin.email, adminPassword: DEMO_ADMIN_PASSWORD_HINT }),
      },
      'shop is running',
    );
}

let config: ShopConfig | undefined;
try {
  config = loadConfig(process.env);
  await main(config);
} catch (error) {
  exitOnStartupError(error, { port: config?.port });
}
