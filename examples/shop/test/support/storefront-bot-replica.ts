/**
 * One shop replica serving every storefront's bot, run as its own OS process (bundled by `bundledEntry` and forked)
 * for the storefront bot tests on PostgreSQL: `{ type: 'update', botId, update }` hands one update to that bot as its
 * webhook would and answers `{ type: 'done' }` (or `{ type: 'error', message }`); `{ type: 'stop' }` closes the shop.
 */
// Not from `@panelkit/sdk/testing`: this runs in a child process without the vitest runner that entry needs.
import { ManualClock } from '../../../../packages/sdk/src/testing/manual-clock.js';
import type { Update } from 'grammy/types';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { openShop } from '../../src/stack/shop.js';
import { kitStorefrontSales } from '../../src/app/storefront-bots/kit-sales.js';
import { createStorefrontBots } from '../../src/telegram/storefront/runtime.js';

type Command = { type: 'update'; botId: string; update: Update } | { type: 'stop' };

function report(message: unknown): Promise<void> {
  return new Promise((resolve, reject) => process.send?.(message, undefined, {}, (error) => (error ? reject(error) : resolve())));
}

const clock = new ManualClock(process.env['REPLICA_START'] ?? new Date().toISOString());
const shop = await openShop(loadConfig({ ...process.env, DEMO_PANEL: 'off' }), { clock, logger: pino({ level: 'silent' }) });
const bots = createStorefrontBots(shop, { sales: kitStorefrontSales(shop) });

process.on('message', (command: Command) => {
  void (async () => {
    if (command.type === 'stop') {
      await shop.close();
      process.exit(0);
    }
    try {
      await bots.handleUpdate(command.botId, command.update);
      await report({ type: 'done' });
    } catch (error) {
      await report({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  })();
});
await report({ type: 'done' });
