import { backoffDelay, type RetryPolicy } from '@panelkit/sdk/adapter';
import { isLocale, type Locale } from '../i18n/translate.js';
import type { Shop } from '../stack/shop.js';
import type { NotificationChannel, Recipient } from './channel.js';
import { deliveriesOf, type ClaimedDelivery } from './deliveries.js';
import { isCustomerKind } from './kinds.js';
import { renderNotification } from './render.js';
import { readingParams } from './reading-params.js';
import { notificationsOf, type Notification } from './store.js';

/** How deliveries are retried: 8 attempts over about a day, capped exponential backoff with jitter. */
export const DELIVERY_RETRY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 60_000,
  maxDelayMs: 6 * 3_600_000,
  maxRetryAfterMs: 6 * 3_600_000,
};

export interface NotifierOptions {
  /** How long a claimed delivery is held before another replica may take it over. Default 5 minutes. */
  leaseMs?: number;
  /** Deliveries claimed (and sent concurrently) per round. Default 20. */
  batch?: number;
  retry?: RetryPolicy;
  /** Random source for the backoff's jitter. */
  random?: () => number;
}

/** What one round did. */
export interface NotifierRound {
  fannedOut: number;
  sent: number;
  failed: number;
}

/** The notification pipeline of one process: fan out to channels, deliver (events write their notices through host jobs: `event-notices.ts`). */
export interface Notifier {
  readonly channels: readonly NotificationChannel[];
  /** One pass of every step; safe to run in any number of processes at once. */
  runOnce(): Promise<NotifierRound>;
}

/**
 * Delivers notifications to their recipients' channels, each at most once per (notification,
 * channel, address) in normal operation, across replicas: a delivery is claimed with a lease
 * (`FOR UPDATE SKIP LOCKED`), sent, and marked sent with the lease's token. A process that dies
 * after the channel took the message and before the mark leaves the lease to expire, and the
 * delivery is sent again: that crash window is the only at-least-once case, which is why every
 * send carries the delivery's idempotency key (the email's Message-ID is derived from it).
 */
export function createNotifier(shop: Shop, channels: readonly NotificationChannel[], options: NotifierOptions = {}): Notifier {
  const log = shop.logger.child({ component: 'notifications' });
  const store = notificationsOf(shop);
  const deliveries = deliveriesOf(shop);
  const byName = new Map(channels.map((c) => [c.name, c]));
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const batch = options.batch ?? 20;
  const retry = options.retry ?? DELIVERY_RETRY;

  async function localeOf(recipient: Recipient): Promise<Locale> {
    if (recipient.kind === 'staff') return shop.config.notifications.staffLocale;
    const locale = (await shop.storage.customers.get(recipient.customerId))?.locale;
    return isLocale(locale) ? locale : 'en';
  }

  async function fanOutOne(n: Notification): Promise<void> {
    const muted = n.recipient.kind === 'customer' && isCustomerKind(n.kind) && (await store.optedOut(n.recipient.customerId)).has(n.kind);
    const targets: { channel: string; address: string }[] = [];
    if (!muted) {
      for (const channel of channels) {
        for (const address of await channel.addressesOf(n.recipient)) targets.push({ channel: channel.name, address });
      }
    }
    // A security notice also goes to the address it is about (the old email after a change): its owner may be the one locked out.
    const previous = n.params['previousEmail'];
    if (typeof previous === 'string' && byName.has('email') && !targets.some((x) => x.channel === 'email' && x.address === previous))
      targets.push({ channel: 'email', address: previous });
    await deliveries.fanOut(n.id, targets, muted);
  }

  async function fanOut(): Promise<number> {
    let done = 0;
    for (const n of await store.toFanOut(100)) {
      try {
        await fanOutOne(n);
        done++;
      } catch (error) {
        // A channel could not say where to send (its store is down): the next round tries again.
        log.warn({ err: error, notificationId: n.id }, 'could not fan out a notification');
      }
    }
    return done;
  }

  async function deliverOne(claimed: ClaimedDelivery): Promise<boolean> {
    const { delivery } = claimed;
    try {
      const channel = byName.get(delivery.channel);
      if (channel === undefined) throw new Error(`the ${delivery.channel} channel is not configured in this process`);
      const notification = await store.get(delivery.notificationId);
      if (notification === null) throw new Error(`notification ${delivery.notificationId} is gone`);
      const locale = await localeOf(notification.recipient);
      const params = await readingParams(shop, notification, locale);
      const message = renderNotification(notification.kind, params, {
        locale,
        timeZone: shop.config.timeZone,
        shopName: shop.config.shopName,
      });
      await channel.send(delivery.address, message, delivery.idempotencyKey);
    } catch (error) {
      const giveUp = delivery.attempts >= retry.maxAttempts;
      // At least half the base delay: full jitter alone could retry a refusing server at once.
      const delay = Math.max(retry.baseDelayMs / 2, backoffDelay(delivery.attempts, retry, error, options.random));
      const retryAt = giveUp ? null : new Date(shop.clock.now().getTime() + delay);
      log.warn({ err: error, deliveryId: delivery.id, channel: delivery.channel, attempt: delivery.attempts, giveUp }, 'delivery failed');
      await deliveries.markFailed(claimed, error instanceof Error ? error.message : String(error), retryAt);
      return false;
    }
    // Sent. A crash right here resends it once the lease expires (see above).
    if (!(await deliveries.markSent(claimed))) log.warn({ deliveryId: delivery.id }, 'a delivery was sent after its lease was lost');
    return true;
  }

  async function deliver(): Promise<{ sent: number; failed: number }> {
    if (channels.length === 0) return { sent: 0, failed: 0 };
    const claimed = await deliveries.claim([...byName.keys()], batch, leaseMs);
    const results = await Promise.all(claimed.map(deliverOne));
    return { sent: results.filter(Boolean).length, failed: results.filter((ok) => !ok).length };
  }

  return {
    channels,
    async runOnce() {
      const fannedOut = await fanOut();
      let sent = 0;
      let failed = 0;
      for (;;) {
        const round = await deliver();
        sent += round.sent;
        failed += round.failed;
        if (round.sent + round.failed < batch) break;
      }
      return { fannedOut, sent, failed };
    },
  };
}
