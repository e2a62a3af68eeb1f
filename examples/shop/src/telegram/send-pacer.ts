import { setTimeout as sleep } from 'node:timers/promises';

/** Telegram's documented ceiling for one bot's bulk messages: about 30 a second. */
export const TELEGRAM_BULK_PER_SECOND = 30;

/**
 * Spaces the starts of sends `gapMs` apart (start to start: the time a send and its bookkeeping take
 * is inside the gap, not added to it). Each send gets a slot `gapMs` after the previous one's, and a
 * timer firing a little late does not push the next slot back (no drift); a send that comes a whole gap
 * late or more takes its own start as its slot, so no backlog is ever caught up in a burst. So the slots
 * are at least `gapMs` apart and each start lies in `[slot, slot + gapMs)`: a window of one second holds
 * at most ⌊1000 ÷ gapMs⌋ + 1 starts, 30 with the default gap (see `send-pacer.test.ts`).
 */
export interface SendPacer {
  /** Resolves when the next send may start. */
  next(): Promise<void>;
}

/** The pacer's clock and sleep, real by default (a test passes its own). */
export interface PacerTime {
  now(): number;
  sleep(ms: number): Promise<unknown>;
}

const REAL_TIME: PacerTime = { now: () => performance.now(), sleep: (ms) => sleep(ms) };

/** The default gap: 29 a second, so a window of one second holds at most 30 starts (slots plus one late). */
export const DEFAULT_SEND_GAP_MS = 1000 / (TELEGRAM_BULK_PER_SECOND - 1);

/** A pacer with `gapMs` between starts. */
export function createSendPacer(gapMs: number = DEFAULT_SEND_GAP_MS, time: PacerTime = REAL_TIME): SendPacer {
  let slot = Number.NEGATIVE_INFINITY;
  /** Callers one after another, each after the previous one's slot is set. */
  let queue: Promise<void> = Promise.resolve();
  const take = async () => {
    const due = slot + gapMs;
    const wait = due - time.now();
    if (wait > 0) await time.sleep(wait);
    const start = time.now();
    slot = start - due < gapMs ? due : start;
  };
  return {
    next() {
      const turn = queue.then(take);
      queue = turn;
      return turn;
    },
  };
}
