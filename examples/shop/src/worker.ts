import { loadConfig, type ShopConfig } from './config/config.js';
import { startBackground } from './stack/background.js';
import { createLogger, logDestination } from './logging/logger.js';
import { guardProcess } from './stack/process-guard.js';
import { openShop } from './stack/shop.js';
import { exitOnStartupError } from './stack/startup-errors.js';

/**
 * A worker replica: the job worker, the lifecycle scheduler and the notification deliveries
 * without the web server. Run as many as you like against one PostgreSQL database (DATABASE_URL);
 * jobs and deliveries are leased, and each scheduler slot is won by one replica.
 */
async function main(config: ShopConfig): Promise<void> {
  if (config.database.kind !== 'postgres') {
    console.error(
      'the worker entry point shares the work of a shop on PostgreSQL: set DATABASE_URL (embedded PGlite is one process; `npm start` runs its worker itself)',
    );
    process.exit(1);
  }
  const logger = createLogger(config.logLevel, logDestination(config.logFormat));
  guardProcess(logger);
  const shop = await openShop(config, { logger });
  const background = startBackground(shop);
  const stop = async () => {
    await background.stop();
    await shop.close();
    process.exit(0);
  };
  // Before the start is announced, so that a stop right after it finds the handler.
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  logger.info('worker started');
}

try {
  await main(loadConfig({ ...process.env, DEMO_PANEL: process.env['DEMO_PANEL'] ?? 'off' }));
} catch (error) {
  exitOnStartupError(error);
}
