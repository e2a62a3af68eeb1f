/**
 * One shop replica with its Telegram bot, run as its own OS process (bundled by `bundledEntry` and forked) for the
 * bot admin tests on PostgreSQL: `{ type: 'update', update }` hands one Telegram update to the bot as the webhook
 * would and answers `{ type: 'done' }` (or `{ type: 'error', message }`); `{ type: 'stop' }` closes the shop.
 */
// Not from `@panelkit/sdk/testing`: this runs in a child process without the vitest runner that entry needs.
import { ManualClock } from '../../../../packages/sdk/src/testing/manual-clock.js';
import type { Update } from 'grammy/types';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { openShop } from '../../src/stack/shop.js';
import { createShopBot, handleUpdate } from '../../src/telegram/bot.js';

type Command = { type: 'update'; update: Update } | { type: 'stop' };

function report(message: unknown): Promise<void> {
  return new Promise((resolve, reject) => process.send?.(message, undefined, {}, (error) => (error ? reject(error) : resolve())));
}

const clock = new ManualClock(process.env['REPLICA_START'] ?? new Date().toISOString());
const shop = await openShop(loadConfig({ ...process.env, DEMO_PANEL: 'off' }), { clock, logger: pino({ level: 'silent' }) });
const telegram = shop.config.telegram;
if (telegram === null) throw new Error('the replica needs TELEGRAM_BOT_TOKEN');
const bot = createShopBot(shop, telegram);

process.on('message', (command: Command) => {
  void (async () => {
    if (command.type === 'stop') {
      await shop.close();
      process.exit(0);
    }
    try {
      await handleUpdate(bot, command.update);
      await report({ type: 'done' });
    } catch (error) {
      await report({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  })();
});
await report({ type: 'done' });
