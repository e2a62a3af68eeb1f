/**
 * One worker replica for the notification tests, run as its own OS process (bundled by
 * `bundledEntry` and forked) and driven over IPC with a manual clock:
 * `{ type: 'round', now }` sets the clock, ticks the scheduler and drains the job worker (the engine's jobs
 * and the shop's: each event's notices, their fan-out and sends), then answers `{ type: 'done' }`. Its second channel, `telegram`, stands for
 * the bot: each send is reported to the parent (`{ type: 'sent' }`, with the message) before it counts as sent. The parent's side is
 * `notify-replicas.ts`.
 */
// Not from `@panelkit/sdk/testing`: this runs in a child process without the vitest runner that entry needs.
import { ManualClock } from '../../../../packages/sdk/src/testing/manual-clock.js';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.js';
import type { NotificationChannel } from '../../src/app/notifications/channel.js';
import { shopChannels } from '../../src/stack/notification-channels.js';
import { notificationJobs } from '../../src/app/notifications/notification-jobs.js';
import { openShop } from '../../src/stack/shop.js';

type Command = { type: 'round'; now: string } | { type: 'stop' };

function report(message: unknown): Promise<void> {
  return new Promise((resolve, reject) => process.send?.(message, undefined, {}, (error) => (error ? reject(error) : resolve())));
}

const clock = new ManualClock(process.env['REPLICA_START'] ?? new Date().toISOString());
const shop = await openShop(loadConfig({ ...process.env, DEMO_PANEL: 'off' }), { clock, logger: pino({ level: 'silent' }) });
const scheduler = shop.kit.createScheduler();
const channels = shopChannels(shop);
const replica = process.env['REPLICA_NAME'] ?? 'replica';
const telegram: NotificationChannel = {
  name: 'telegram',
  // As the shop's Telegram channel: an event's notices are sent by its notices job, on whichever replica claimed it.
  sentWhenWritten: true,
  addressesOf: async (recipient) => (recipient.kind === 'customer' ? [`chat:${recipient.customerId}`] : ['chat:staff-1', 'chat:staff-2']),
  send: (address, message, idempotencyKey) =>
    report({ type: 'sent', replica, channel: 'telegram', address, subject: message.subject, text: message.text, idempotencyKey }),
};
const worker = shop.kit.createWorker({ hostJobs: [...shop.hostJobs, ...notificationJobs(shop, [...channels.list, telegram])] });

let queue: Promise<void> = Promise.resolve();
process.on('message', (command: Command) => {
  queue = queue
    .then(async () => {
      if (command.type === 'stop') {
        channels.close();
        await shop.close();
        process.exit(0);
      }
      clock.set(command.now);
      await scheduler.tick();
      const jobs = await worker.drain();
      await report({ type: 'done', replica, jobs });
    })
    .catch(async (error: unknown) => {
      await report({ type: 'error', replica, message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    });
});
await report({ type: 'ready', replica });
