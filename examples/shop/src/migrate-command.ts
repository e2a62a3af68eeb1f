import { loadConfig } from './config/config.js';
import { createLogger, logDestination } from './logging/logger.js';
import { openShop } from './stack/shop.js';
import { exitOnStartupError } from './stack/startup-errors.js';

/**
 * `migrate`: brings the engine's and the shop's schemas up to this version and exits. Every process migrates
 * on start anyway (under an advisory lock, so replicas take turns); the compose file runs this once first so an
 * upgrade's migrations finish, or fail with their reason, before any new replica serves.
 */
async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, DEMO_PANEL: process.env['DEMO_PANEL'] ?? 'off' });
  const logger = createLogger(config.logLevel, logDestination(config.logFormat));
  const shop = await openShop({ ...config, demoPanel: false, panelsFile: null }, { logger });
  await shop.close();
  logger.info({ schema: config.schema }, 'database migrated');
}

try {
  await main();
} catch (error) {
  exitOnStartupError(error);
}
