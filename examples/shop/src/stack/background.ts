import { settlePayments } from '../payments/settle.js';
import type { Shop } from './shop.js';

export interface Background {
  stop(): Promise<void>;
}

export interface BackgroundOptions {
  /** How often the scheduler is asked to tick (it runs at most once per slot across replicas). Default 15 s. */
  tickEveryMs?: number;
}

/**
 * The worker (provisioning and other panel jobs) and the lifecycle scheduler, in this process.
 * Several replicas may each run one: jobs are leased and each scheduler slot has one winner.
 */
export function startBackground(shop: Shop, options: BackgroundOptions = {}): Background {
  const log = shop.logger.child({ component: 'background' });
  const worker = shop.kit.createWorker();
  worker.start();
  const scheduler = shop.kit.createScheduler();
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      await scheduler.tick();
      await shop.sessions.deleteExpired();
    } catch (error) {
      log.error({ err: error }, 'scheduler tick failed');
    }
    try {
      // Approved payments a crash (or a failed credit) left out of the ledger.
      await settlePayments(shop);
    } catch (error) {
      log.error({ err: error }, 'payment settle sweep failed');
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
    },
  };
}
