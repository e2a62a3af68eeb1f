import type { Logger } from 'pino';

/**
 * What became of an update given to the intake: handled within the wait, not started because the process was
 * handling as many as it may (`shed`), or still running when the wait ended (`timed_out`: it goes on in the
 * background). The webhook answers `shed` and `timed_out` with a status Telegram delivers again later.
 */
export type IntakeOutcome = 'handled' | 'shed' | 'timed_out';

/** How long a webhook request waits for its update before answering 503 (grammY's own default). */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** How often, at most, an overloaded intake says so in the log. */
const OVERLOAD_REPORT_EVERY_MS = 10_000;

/** The webhook's intake of updates: bounded, and never leaving a late failure unhandled. */
export interface UpdateIntake {
  /**
   * Runs `handle` unless `maxAtOnce` updates are running already (`shed`: not started), and waits for it up to the
   * timeout. Rejects with `handle`'s error when it fails within the wait; a failure after the wait goes to
   * `onLateFailure`.
   */
  run(handle: () => Promise<void>): Promise<IntakeOutcome>;
  /** Updates running now, timed-out ones included. */
  running(): number;
}

export interface UpdateIntakeOptions {
  /** Updates handled at once, those past the wait included; one more is shed. */
  maxAtOnce: number;
  timeoutMs: number;
  /** Told of an update that failed after its request was answered (log it without what it carries). */
  onLateFailure(error: unknown): void;
  log: Logger;
}

/**
 * The intake grammY's `webhookCallback` does not give: it rejects its request at the timeout and then chains
 * `finally` on the still-running update with nothing to catch a later rejection, which ends the Node process. Here a
 * timed-out update's outcome is always observed, and the number running at once is bounded, so an overloaded replica
 * answers at once (Telegram delivers again later) instead of queueing updates past the timeout.
 */
export function createUpdateIntake(options: UpdateIntakeOptions): UpdateIntake {
  let running = 0;
  let shed = 0;
  let timedOut = 0;
  let lastReport = 0;
  const reportOverload = () => {
    const now = Date.now();
    if (now - lastReport < OVERLOAD_REPORT_EVERY_MS) return;
    options.log.warn({ shed, timedOut, running, maxAtOnce: options.maxAtOnce }, 'the Telegram webhook is overloaded: updates answered 503');
    lastReport = now;
    shed = 0;
    timedOut = 0;
  };

  return {
    running: () => running,
    run(handle) {
      if (running >= options.maxAtOnce) {
        shed++;
        reportOverload();
        return Promise.resolve('shed');
      }
      running++;
      const task = Promise.resolve().then(handle);
      return new Promise<IntakeOutcome>((resolve, reject) => {
        let answered = false;
        const timer = setTimeout(() => {
          answered = true;
          timedOut++;
          reportOverload();
          resolve('timed_out');
        }, options.timeoutMs);
        task.then(
          () => {
            running--;
            clearTimeout(timer);
            if (!answered) resolve('handled');
          },
          (error: unknown) => {
            running--;
            clearTimeout(timer);
            if (answered) options.onLateFailure(error);
            else reject(error);
          },
        );
      });
    },
  };
}
