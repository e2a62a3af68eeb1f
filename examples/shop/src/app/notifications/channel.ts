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
  /** Sends one message. Throws to be retried later (with backoff); must be safe to call again for the same key. */
  send(address: string, message: RenderedMessage, idempotencyKey: string): Promise<void>;
}
