import { setTimeout as sleep } from 'node:timers/promises';
import { GrammyError, HttpError, type Api } from 'grammy';
import type { Logger } from 'pino';
import type { BroadcastStore } from './broadcasts.js';

export interface SendBroadcastsOptions {
  /** Deliveries claimed at a time. Default 20. */
  batch?: number;
  /**
   * Pause between two messages, in ms. Default 40 (25 a second, under Telegram's ~30 a second
   * for one bot); a 429 that still comes is waited out by the auto-retry plugin.
   */
  gapMs?: number;
}

/**
 * Sends every pending broadcast delivery, batch after batch, until none is left; returns how many
 * went out. A refusal by Telegram (blocked bot, chat gone) marks the delivery `failed`; a server
 * error or a 429 left after retries puts it back to `pending`; a network failure leaves it
 * `sending` (the message may have arrived), which the sweep later marks `unknown`.
 */
export async function sendDueBroadcasts(
  api: Api,
  store: BroadcastStore,
  logger: Logger,
  options: SendBroadcastsOptions = {},
): Promise<number> {
  const gapMs = options.gapMs ?? 40;
  let sent = 0;
  await store.sweepAbandoned();
  for (;;) {
    const batch = await store.claim(options.batch ?? 20);
    if (batch.length === 0) return sent;
    for (const delivery of batch) {
      try {
        await api.sendMessage(delivery.chatId, delivery.text);
        await store.finish(delivery, 'sent');
        sent++;
      } catch (error) {
        if (error instanceof GrammyError) {
          const again = error.error_code === 429 || error.error_code >= 500;
          await store.finish(delivery, again ? 'pending' : 'failed', error.description.slice(0, 500));
          if (again) return sent;
        } else if (error instanceof HttpError) {
          logger.warn({ err: error, chatId: delivery.chatId }, 'broadcast delivery outcome unknown; it will not be sent again');
        } else {
          throw error;
        }
      }
      if (gapMs > 0) await sleep(gapMs);
    }
  }
}
