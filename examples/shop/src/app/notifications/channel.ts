import type { Recipient } from '../../db/notifications.js';

/** A notification rendered in its recipient's language, ready to send. */
export interface RenderedMessage {
  subject: string;
  text: string;
}
/** One way to reach people (email, Telegram). */
export interface NotificationChannel {
  /** 'email' | 'telegram'; part of each delivery's idempotency key. */
  readonly name: string;
  /** Where this recipient is reached on this channel (one or more addresses: staff may be several); [] when not reachable. */
  addressesOf(recipient: Recipient): Promise<string[]>;
  /**
   * `addressesOf` for several buyers in one read, by customer id (a buyer not reached on this channel may be left
   * out). Optional: without it each buyer's addresses are read alone.
   */
  addressesOfCustomers?(customerIds: readonly string[]): Promise<Map<string, string[]>>;
  /**
   * Sends one message; must be safe to call again for the same key. Throws to be retried later (with backoff, or
   * a `RetryLaterError`'s wait), or `DeliveryRefusedError` when the address refused it for good.
   */
  send(address: string, message: RenderedMessage, idempotencyKey: string): Promise<void>;
}

/**
 * Thrown by a channel's `send` when the address refused this message for good (Telegram's 400 or 403): the
 * delivery is `failed` with `reason` at once, not retried, and no job is left dead.
 */
export class DeliveryRefusedError extends Error {
  constructor(readonly reason: string) {
    super(`refused: ${reason}`);
    this.name = 'DeliveryRefusedError';
  }
}
