/**
 * One shop process for the gift race tests, run as its own OS process (bundled by `bundledEntry` and forked) and
 * driven over IPC with a manual clock. `{ type: 'arm', now, action }` sets the clock and holds the action (a claim
 * of a code for a customer, through the shop's use case; or the expiry sweep the scheduler runs), answering
 * `{ type: 'armed' }`; `{ type: 'go' }` runs it and answers `{ type: 'result', … }`. Arming every process first and
 * then letting them all go sends their statements to PostgreSQL together.
 */
// Not from `@panelkit/sdk/testing`: this runs in a child process without the vitest runner that entry needs.
import { ManualClock } from '../../../../packages/sdk/src/testing/manual-clock.js';
import pino from 'pino';
import { claimGiftFor } from '../../src/app/gifts/claim-gift.js';
import { ShopError } from '../../src/app/shop-error.js';
import { loadConfig } from '../../src/config/config.js';
import { openShop } from '../../src/stack/shop.js';

/** What a process is armed with. */
export type GiftAction = { kind: 'claim'; code: string; customerId: string } | { kind: 'expire' };
type Command = { type: 'arm'; now: string; action: GiftAction } | { type: 'go' } | { type: 'stop' };

function report(message: unknown): Promise<void> {
  return new Promise((resolve, reject) => process.send?.(message, undefined, {}, (error) => (error ? reject(error) : resolve())));
}

const clock = new ManualClock(new Date().toISOString());
const shop = await openShop(loadConfig({ ...process.env, DEMO_PANEL: 'off' }), { clock, logger: pino({ level: 'silent' }) });
let armed: GiftAction | null = null;

async function run(action: GiftAction): Promise<unknown> {
  if (action.kind === 'expire') return { type: 'result', expired: await shop.kit.gifts.expireDue() };
  try {
    const claimed = await claimGiftFor(shop, action.customerId, action.code);
    return { type: 'result', claimed: true, replayed: claimed.replayed, subscriptions: claimed.subscriptions.length };
  } catch (error) {
    if (!(error instanceof ShopError)) throw error;
    return { type: 'result', claimed: false, refusal: error.messageKey };
  }
}

process.on('message', (command: Command) => {
  void (async () => {
    try {
      if (command.type === 'stop') {
        await shop.close();
        process.exit(0);
      }
      if (command.type === 'arm') {
        clock.set(command.now);
        armed = command.action;
        return await report({ type: 'armed' });
      }
      const action = armed;
      armed = null;
      if (action === null) throw new Error('go without arm');
      await report(await run(action));
    } catch (error) {
      await report({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  })();
});
await report({ type: 'ready' });
