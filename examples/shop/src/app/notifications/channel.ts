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
  /**
   * True when its deliveries written by an event's notices job are sent by that job once its transaction commits, with
   * a send job only for one that send did not settle (`event-notices.ts`). For a channel whose `send` sends a key at
   * most once whoever calls it, retried or raced (Telegram claims each key in `telegram_sent` before the call).
   */
  readonly sentWhenWritten?: boolean;
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
  /**
   * `send` for several messages at once (a claim's deliveries), answered in their order: `null` for one sent (or sent
   * before), else `{ error }` with what `send` would have thrown for it. Optional: without it each is `send` alone.
   */
  sendMany?(messages: readonly OutgoingMessage[]): Promise<(SendFailure | null)[]>;
}

/** One message for `NotificationChannel.sendMany`: `send`'s three arguments. */
export interface OutgoingMessage {
  address: string;
  message: RenderedMessage;
  idempotencyKey: string;
}

/** A message `NotificationChannel.sendMany` did not send: what `send` would have thrown for it. */
export interface SendFailure {
  error: unknown;
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
