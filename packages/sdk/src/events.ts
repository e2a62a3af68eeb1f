import { EventEmitter } from 'eventemitter3';
import type { Actor } from './domain/common.js';
import type { Device, DeviceInfo } from './domain/device.js';
import type { Job } from './domain/job.js';
import type { LedgerEntry } from './domain/ledger.js';
import type { Order } from './domain/order.js';
import type { Money } from './domain/money.js';
import type { PaymentRefundRecord } from './domain/payment-refund.js';
import type { Payment } from './domain/payment.js';
import type { Subscription } from './domain/subscription.js';
import type { PanelkitError } from './errors.js';
import type { UnreadableClient } from './ports/panel.js';
import type { Logger } from './ports/logger.js';
import { silentLogger } from './ports/logger.js';

/** A subscription fact, with who caused it. */
export interface SubscriptionEvent {
  subscription: Subscription;
  actor: Actor;
  at: Date;
}

/**
 * Every event panelkit emits. Names are `namespace:action`, past tense for facts. Payloads are
 * plain data; listeners must not mutate them.
 *
 * An event is emitted after its change committed, once, in the process that made the change: a web replica does
 * not hear what a worker replica provisioned. Events are for reacting in-process (metrics, logs, a live page);
 * what must happen for sure belongs in a job enqueued with the change, and a wait for a state across processes is
 * `kit.waitForSubscription`. The guide `docs/guides/events.md` lists them with examples.
 */
export interface PanelkitEvents {
  /** A checkout committed a new order (its debit, reservations and provisioning jobs written). Once per order; never on a replay. */
  'order:placed': [{ order: Order; at: Date }];
  /** No subscription of the order is pending any more and none failed (`status: 'completed'`). Once per order. */
  'order:completed': [{ order: Order; at: Date }];
  /**
   * No subscription of the order is pending any more and some failed for good: `status` is `failed` (all) or
   * `partially_failed`. Once per order; each failed unit's refund is a `ledger:appended`.
   */
  'order:failed': [{ order: Order; at: Date }];
  /** A new ledger entry (top-up, debit, refund, adjustment, referral reward). Never for a replayed idempotency key. */
  'ledger:appended': [{ entry: LedgerEntry; at: Date }];
  /**
   * The worker created its client on the panel and stored its links: the subscription is `active`, or `on_hold` when it
   * starts on first use. Once per subscription (again only after `kit.retryFailed`). To wait for it from any process,
   * use `kit.waitForSubscription(id, ['active', 'on_hold'])`.
   */
  'subscription:provisioned': [SubscriptionEvent];
  /**
   * An `on_hold` subscription's period started (its first traffic was seen, by the scheduler). Not emitted for a plain
   * purchase, which is `active` from `subscription:provisioned` on.
   */
  'subscription:activated': [SubscriptionEvent];
  /** An extension, reset or auto-renewal was applied on its panel (`action`); `linkChanged` when its links changed. */
  'subscription:extended': [SubscriptionEvent & { action: 'extend' | 'reset' | 'renew'; linkChanged: boolean }];
  /** Extra traffic bought for it was applied on its panel (`addedBytes`); a limited subscription is active again. */
  'subscription:traffic_added': [SubscriptionEvent & { addedBytes: number }];
  /** It moved to another plan (`fromPlanId`), on its panel in place or to another target (`moved`). */
  'subscription:plan_changed': [SubscriptionEvent & { fromPlanId: string; moved: boolean; linkChanged: boolean }];
  /** It used its traffic and was cut off (by the scheduler's limit sweep). Once per time it crosses its limit. */
  'subscription:limited': [SubscriptionEvent];
  /** Its period ended (by the scheduler's expiry sweep). */
  'subscription:expired': [SubscriptionEvent];
  /** An admin suspended it (`reason` as given). */
  'subscription:suspended': [SubscriptionEvent & { reason: string }];
  /** An admin lifted its suspension. */
  'subscription:resumed': [SubscriptionEvent];
  /** It ended for good: by an admin, or by the scheduler after the grace period; its client is removed by a job. */
  'subscription:terminated': [SubscriptionEvent];
  /** Provisioning gave up (`reason` is the error code); its price was refunded (`ledger:appended`). */
  'subscription:failed': [SubscriptionEvent & { reason: string }];
  /** A notice was due (expiry approaching, traffic threshold crossed); sent once per key and period. */
  'subscription:warned': [SubscriptionEvent & { notice: string }];
  /** A new device was registered on the subscription (`kit.devices.touch`): it takes one of its device slots. */
  'device:registered': [{ subscription: Subscription; device: Device; at: Date }];
  /**
   * A request from a device was refused (`kit.devices.touch`): every slot is taken (`limit_reached`), or the app sent
   * no hardware id and the subscription refuses such apps (`hwid_required`; `device.hwid` is `null`). Emitted on every
   * refused request, and apps refresh often: notify once per device and period.
   */
  'device:refused': [
    {
      subscription: Subscription;
      reason: 'limit_reached' | 'hwid_required' | 'trial_already_used';
      device: Omit<DeviceInfo, 'hwid'> & { hwid: string | null };
      at: Date;
    },
  ];
  /** Devices left the subscription: one removed (`reason` `null`) or all reset by staff (`reason` as given). */
  'device:removed': [{ subscription: Subscription; devices: Device[]; actor: Actor; reason: string | null; at: Date }];
  /** A job finished and its lease was still held (emitted by the worker that ran it). */
  'job:succeeded': [{ job: Job; workerId: string; at: Date }];
  /** A job attempt failed with a retryable error; due again at `retryAt`. */
  'job:retried': [{ job: Job; workerId: string; error: PanelkitError; retryAt: Date; at: Date }];
  /** The job's panel is known to be down: handed back without spending its attempt, due again at `until` or on recovery. */
  'job:parked': [{ job: Job; workerId: string; panelId: string; until: Date; at: Date }];
  /** A job failed for good (a permanent error, or out of attempts or time); see the dead-job view. */
  'job:dead': [{ job: Job; workerId: string; error: PanelkitError; at: Date }];
  /** This worker lost a job's lease (it took too long, or another worker reclaimed it): its outcome was not written. */
  'job:lease_lost': [{ jobId: string; workerId: string; at: Date }];
  /** A health check found the panel down after it was healthy (`message`: the last error, safe to show). Once per outage. */
  'panel:unhealthy': [{ panelId: string; message: string | null; at: Date }];
  /** A panel that was unhealthy answered again; its parked jobs become due. */
  'panel:recovered': [{ panelId: string; at: Date }];
  /** One panel's usage was read and stored (`clients` read, `applied` changed). Each scheduler tick, per panel. */
  'usage:synced': [{ panelId: string; clients: number; applied: number; durationMs: number; at: Date }];
  /** Reading one panel's usage failed this tick; the next tick tries again. */
  'usage:sync_failed': [{ panelId: string; error: PanelkitError; at: Date }];
  /**
   * A client on the panel fails every read (the panel answers 500 for it), so its usage is not
   * synced; the rest of the panel's clients are. Tell the panel's admins: it needs repair there.
   * Once per client until a complete sync reads it again (or finds it gone), across ticks and replicas:
   * the replica that records it also writes a `panel.client_unreadable` audit event (subject
   * `unreadable_clients`, the panel's id) in the same transaction, which a host turns into a durable notice.
   */
  'usage:client_unreadable': [{ panelId: string; client: UnreadableClient; at: Date }];
  /** A periodic task's slot came up; `won` says whether this process ran it (one replica wins each slot). */
  'scheduler:ticked': [{ name: string; slot: Date; won: boolean; at: Date }];
  /**
   * This replica's clock is off the storage's by `offsetMs` (positive: ahead), more than `maxOffsetMs`
   * (`policy.maxClockOffsetMs`): its scheduler ran no tick. Emitted on every refused tick until the clock is
   * back; alert on it (fix the host's time sync).
   */
  'scheduler:clock_skewed': [{ offsetMs: number; maxOffsetMs: number; at: Date }];
  /** This replica's clock is back within `policy.maxClockOffsetMs` of the storage's: its scheduler ticks again. */
  'scheduler:clock_recovered': [{ offsetMs: number; at: Date }];
  /** A payment reached the wallet (once per payment, whatever confirmed it). */
  'payment:credited': [{ payment: Payment; actor: Actor; at: Date }];
  /** A pending payment ended without money: rejected, expired or cancelled. */
  'payment:closed': [{ payment: Payment; actor: Actor; at: Date }];
  /**
   * The gateway refunded a credited payment or the buyer charged it back: `taken` left the wallet
   * (a `payment_reversal` entry), `shortfall` could not (it was spent). Admins should hear of it.
   */
  'payment:reversed': [{ payment: Payment; reason: 'refunded' | 'charged_back'; taken: Money; shortfall: Money; at: Date }];
  /**
   * A refund the engine asked the provider for (`kit.payments.refund`) was made: `taken` left the wallet (a
   * `payment_reversal` entry under the refund's key), `shortfall` could not. Once per refund.
   */
  'payment:refunded': [{ payment: Payment; refund: PaymentRefundRecord; taken: Money; shortfall: Money; at: Date }];
  /** The provider refused a refund for good; nothing moved. */
  'payment:refund_failed': [{ payment: Payment; refund: PaymentRefundRecord; at: Date }];
  /** An off-session charge of a saved method was declined; the payment is `rejected`. */
  'payment:charge_declined': [{ payment: Payment; reason: string; at: Date }];
  /** An off-session charge needs the buyer (3-D Secure, a bank app): they confirm at `actionUrl`. */
  'payment:action_required': [{ payment: Payment; actionUrl: string; at: Date }];
  /** A listener threw, or background work failed where no caller could be told. Subscribe to it. */
  error: [PanelkitError | Error];
}

/** The name of an event the kit emits (a key of `PanelkitEvents`). */
export type PanelkitEventName = keyof PanelkitEvents;

/** A listener for event `E`; it may return a promise, whose rejection goes to the `error` event. */
export type Listener<E extends PanelkitEventName> = (...args: PanelkitEvents[E]) => unknown;

/**
 * A typed event bus (eventemitter3 underneath) whose `emit` never lets a listener's failure (a
 * throw, or a rejected promise) reach the code that emitted: it goes to the `error` event, or to
 * the logger when nobody listens for errors. Every listener runs even when an earlier one fails.
 */
export class PanelkitEventBus {
  readonly #emitter = new EventEmitter();
  /** The wrapper `once` registered for each listener, so `off` can find it. */
  readonly #wrappers = new WeakMap<object, (...args: never[]) => unknown>();
  readonly #logger: Logger;

  constructor(logger: Logger = silentLogger) {
    this.#logger = logger;
  }

  /** Adds a listener; returns a function that removes it. */
  on<E extends PanelkitEventName>(event: E, listener: Listener<E>): () => void {
    this.#emitter.on(event, listener);
    return () => this.off(event, listener);
  }

  /** Adds a listener that runs once. */
  once<E extends PanelkitEventName>(event: E, listener: Listener<E>): () => void {
    const wrapper: Listener<E> = (...args) => {
      this.#emitter.off(event, wrapper);
      return listener(...args);
    };
    this.#wrappers.set(listener, wrapper);
    this.#emitter.on(event, wrapper);
    return () => this.off(event, listener);
  }

  /** Removes a listener added with `on` or `once`; unknown listeners are ignored. */
  off<E extends PanelkitEventName>(event: E, listener: Listener<E>): void {
    this.#emitter.off(event, (this.#wrappers.get(listener) ?? listener) as (...args: unknown[]) => void);
    this.#wrappers.delete(listener);
  }

  /** How many listeners `event` has now. */
  listenerCount(event: PanelkitEventName): number {
    return this.#emitter.listenerCount(event);
  }

  /**
   * Calls every listener of `event` synchronously, in the order added. A listener that throws or
   * rejects is reported to `error` (or the logger) and the others still run; never throws.
   */
  emit<E extends PanelkitEventName>(event: E, ...args: PanelkitEvents[E]): void {
    for (const listener of this.#emitter.listeners(event)) {
      try {
        const result: unknown = (listener as (...a: unknown[]) => unknown)(...args);
        if (result instanceof Promise) result.catch((error: unknown) => this.#report(event, error));
      } catch (error) {
        this.#report(event, error);
      }
    }
  }

  #report(event: string, error: unknown): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    if (event !== 'error' && this.#emitter.listenerCount('error') > 0) {
      this.emit('error', failure);
    } else {
      this.#logger.error({ event, err: { name: failure.name, message: failure.message } }, 'event listener failed');
    }
  }
}
