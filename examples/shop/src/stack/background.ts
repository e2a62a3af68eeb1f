import type { NotificationChannel } from '../app/notifications/channel.js';
import { shopChannels } from './notification-channels.js';
import { notificationJobs } from '../app/notifications/notification-jobs.js';
import { emailCodeMailJob } from '../app/auth/email-codes.js';
import { emailCodesOf } from '../db/email-codes.js';
import { queueScheduledBackup } from '../app/backup/scheduled.js';
import { queueGatewaySweep } from '../app/payments/rails/gateway-sweep.js';
import { queueNeverConnectedNudge } from '../app/growth/never-connected.js';
import { queueWinBackOffers } from '../app/growth/win-back.js';
import { adoptPendingBroadcasts, createBroadcastJobs } from '../telegram/broadcast-jobs.js';
import { telegramApi } from '../app/telegram-api.js';
import { dailySummaryJob } from '../telegram/admin/daily.js';
import { TelegramLinkStore } from '../db/telegram-links.js';
import type { Shop } from '../app/shop.js';
import { signInThrottleOf } from '../db/sign-in-throttle.js';

export interface Background {
  stop(): Promise<void>;
}

export interface BackgroundOptions {
  /** How often the scheduler is asked to tick (it runs at most once per slot across replicas). Default 15 s. */
  tickEveryMs?: number;
  /** Where notifications go; default the shop's configured channels (`shopChannels`). */
  channels?: NotificationChannel[];
}

/**
 * The worker (provisioning and other panel jobs, and the shop's own: notifications on this
 * process's channels, broadcasts, backups) and the lifecycle scheduler, in this process. Several
 * replicas may each run one: jobs are leased and each scheduler slot has one winner.
 */
export function startBackground(shop: Shop, options: BackgroundOptions = {}): Background {
  const log = shop.logger.child({ component: 'background' });
  // The shop's own side effects run on the SDK's worker beside the engine's jobs.
  const api = shop.config.telegram === null ? null : telegramApi(shop.config.telegram);
  const broadcasts = api === null ? null : createBroadcastJobs(shop, api);
  const telegramJobs =
    api === null || broadcasts === null
      ? []
      : [...broadcasts.definitions, dailySummaryJob(shop, api, new TelegramLinkStore(shop.db, shop.shopSchema, shop.clock))];
  const configured = options.channels === undefined ? shopChannels(shop) : null;
  const channels = options.channels ?? configured?.list ?? [];
  const worker = shop.kit.createWorker({
    hostJobs: [...shop.hostJobs, ...telegramJobs, ...notificationJobs(shop, channels), ...emailCodeMailJob(shop, channels)],
  });
  worker.start();
  if (broadcasts !== null) {
    void adoptPendingBroadcasts(shop, broadcasts).catch((error: unknown) =>
      log.error({ err: error }, 'adopting pending broadcasts failed'),
    );
  }
  const scheduler = shop.kit.createScheduler();
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      // The housekeeping goes with the lifecycle slot's winner: one replica once a slot, not every replica every tick
      // (every read already passes over what it deletes: an expired session, a stale window, a used code).
      if ((await scheduler.tick()).won) {
        await shop.sessions.deleteExpired();
        await signInThrottleOf(shop).deleteStale();
        await emailCodesOf(shop).deleteStale();
      }
    } catch (error) {
      log.error({ err: error }, 'scheduler tick failed');
    }
    try {
      await queueScheduledBackup(shop);
    } catch (error) {
      log.error({ err: error }, 'scheduled backup failed');
    }
    try {
      await queueGatewaySweep(shop);
    } catch (error) {
      log.error({ err: error }, 'queueing the gateway sweep failed');
    }
    try {
      await queueNeverConnectedNudge(shop);
    } catch (error) {
      log.error({ err: error }, 'queueing the never-connected nudge failed');
    }
    try {
      await queueWinBackOffers(shop);
    } catch (error) {
      log.error({ err: error }, 'queueing the win-back offers failed');
    }
  };
  const timer = setInterval(() => {
    running = running.then(tick);
  }, options.tickEveryMs ?? 15_000);
  running = running.then(tick);
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await worker.stop();
      configured?.close();
    },
  };
}
