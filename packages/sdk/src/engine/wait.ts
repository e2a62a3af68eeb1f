import { InvalidTransitionError, NotFoundError, WaitTimeoutError } from '../errors.js';
import type { PanelkitEventBus, PanelkitEventName } from '../events.js';
import { SUBSCRIPTION_TRANSITIONS } from '../domain/subscription-status.js';
import type { SubscriptionStatus } from '../domain/subscription-status.js';
import type { Subscription } from '../domain/subscription.js';
import type { EngineContext } from './context.js';

/** What `kit.waitForSubscription` waits for: a status, any of several, or a test of the subscription. */
export type SubscriptionCondition = SubscriptionStatus | readonly SubscriptionStatus[] | ((subscription: Subscription) => boolean);

/** Options of `kit.waitForSubscription`. */
export interface WaitForSubscriptionOptions {
  /** How long to wait, in wall-clock milliseconds (not the kit's `Clock`). Default 30 000. */
  timeoutMs?: number;
  /**
   * How often the stored subscription is read again, in milliseconds. Default 500. Events of this process wake the
   * wait at once; the reads are what sees work done by another process (a worker replica).
   */
  pollMs?: number;
  /** Stops waiting; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** The events that carry a subscription: any of them may mean the one waited for changed. */
const SUBSCRIPTION_EVENTS = [
  'subscription:provisioned',
  'subscription:activated',
  'subscription:extended',
  'subscription:traffic_added',
  'subscription:plan_changed',
  'subscription:limited',
  'subscription:expired',
  'subscription:suspended',
  'subscription:resumed',
  'subscription:terminated',
  'subscription:failed',
] as const satisfies readonly PanelkitEventName[];

/** Every status a subscription in `from` can still reach (itself included). */
function reachable(from: SubscriptionStatus): Set<SubscriptionStatus> {
  const seen = new Set<SubscriptionStatus>([from]);
  const queue = [from];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const to of SUBSCRIPTION_TRANSITIONS[next]) {
      if (!seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return seen;
}

/** Resolves after `ms`, or as soon as an event about subscription `id` is emitted here; rejects when `signal` aborts. */
function nextChange(events: PanelkitEventBus, id: string, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const offs: Array<() => void> = [];
    const done = (error?: unknown) => {
      clearTimeout(timer);
      for (const off of offs) off();
      signal?.removeEventListener('abort', aborted);
      if (error === undefined) resolve();
      else reject(error);
    };
    const aborted = () => done(signal?.reason ?? new Error('aborted'));
    const timer = setTimeout(() => done(), ms);
    for (const name of SUBSCRIPTION_EVENTS) {
      offs.push(events.on(name, (event: { subscription: Subscription }) => (event.subscription.id === id ? done() : undefined)));
    }
    if (signal?.aborted === true) aborted();
    else signal?.addEventListener('abort', aborted, { once: true });
  });
}

/**
 * Waits until subscription `id` meets `until` (e.g. `'active'` after a checkout, once the worker provisioned it) and
 * returns it as stored then. Reads the storage, so it sees the work of any process; this process's events only make
 * it look again sooner. Throws `NotFoundError` for an unknown id, `InvalidTransitionError` as soon as a status
 * condition can no longer be met (waiting for `active` on a terminated subscription), and `WaitTimeoutError`
 * (with the last status seen) after `timeoutMs`.
 */
export async function waitForSubscription(
  ctx: EngineContext,
  id: string,
  until: SubscriptionCondition,
  options: WaitForSubscriptionOptions = {},
): Promise<Subscription> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const pollMs = options.pollMs ?? 500;
  const wanted = typeof until === 'function' ? null : new Set<SubscriptionStatus>(typeof until === 'string' ? [until] : until);
  const matches = typeof until === 'function' ? until : (s: Subscription) => wanted!.has(s.status);
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    options.signal?.throwIfAborted();
    const subscription = await ctx.storage.subscriptions.get(id);
    if (subscription === null) throw new NotFoundError('subscription', id);
    if (matches(subscription)) return subscription;
    if (wanted !== null) {
      const possible = reachable(subscription.status);
      if (![...wanted].some((status) => possible.has(status))) {
        throw new InvalidTransitionError(subscription.status, [...wanted].join(' | '));
      }
    }
    const left = deadline - performance.now();
    if (left <= 0) {
      throw new WaitTimeoutError(`subscription ${id} did not reach what was waited for in ${timeoutMs} ms (it is ${subscription.status})`, {
        details: { subscriptionId: id, status: subscription.status },
      });
    }
    await nextChange(ctx.events, id, Math.min(pollMs, left), options.signal);
  }
}
