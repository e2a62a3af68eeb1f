import type { JobQueueSignal } from './ports/storage-job-signal.js';

/** What {@link createJobQueueSignal} hands the storage that owns the signal. */
export interface JobQueueSignalSource {
  /** The signal, for `StoragePort.jobsQueued`. */
  readonly signal: JobQueueSignal;
  /**
   * Calls every subscriber (each in a `try`: one that throws stops no other), or with `workerId` only the ones
   * subscribed for that worker (a storage that woke it alone). Nothing once closed.
   */
  emit(workerId?: string): void;
  /**
   * Whether the storage listens now. Becoming true calls every subscriber (what was sent before is lost); while
   * true, a new subscriber is called once, in a microtask.
   */
  setListening(listening: boolean): void;
  /** Drops every subscriber and ignores later subscriptions and emits (`storage.close()`). */
  close(): void;
}

/** How a {@link createJobQueueSignal} starts, and what it tells its storage. */
export interface JobQueueSignalOptions {
  /** Whether it listens from the start (an in-process storage always does). Default false. */
  listening?: boolean;
  /** The first subscriber came (a database storage starts listening). */
  firstSubscribed?(): void;
  /** The last subscriber left, or the signal closed with subscribers (a database storage stops listening). */
  lastUnsubscribed?(): void;
}

function callSafely(listener: () => void): void {
  try {
    listener();
  } catch {
    // A subscriber's failure is its own: the storage's commit stands and the others are still told.
  }
}

/**
 * The subscriber list behind a storage's {@link JobQueueSignal}: the storage calls `emit` after a commit that queued
 * jobs and `setListening` as its listening comes and goes; the options' hooks tell it when anyone is subscribed.
 */
export function createJobQueueSignal(options: JobQueueSignalOptions = {}): JobQueueSignalSource {
  /** Each subscription's entry, and the worker it was made for (`undefined`: none named). */
  const listeners = new Map<() => void, string | undefined>();
  let listening = options.listening ?? false;
  let closed = false;
  const emit = (workerId?: string) => {
    if (closed) return;
    for (const [listener, worker] of [...listeners]) if (workerId === undefined || worker === workerId) callSafely(listener);
  };
  return {
    signal: {
      subscribe(listener, subscription = {}) {
        if (closed) return () => undefined;
        // Its own entry, so one listener subscribed twice is two subscriptions.
        const entry = () => listener();
        listeners.set(entry, subscription.workerId);
        if (listeners.size === 1) options.firstSubscribed?.();
        if (listening) queueMicrotask(() => listeners.has(entry) && callSafely(entry));
        return () => {
          if (!listeners.delete(entry) || listeners.size > 0 || closed) return;
          options.lastUnsubscribed?.();
        };
      },
    },
    emit,
    setListening(now) {
      const began = now && !listening;
      listening = now;
      if (began) emit();
    },
    close() {
      if (closed) return;
      closed = true;
      const had = listeners.size > 0;
      listeners.clear();
      if (had) options.lastUnsubscribed?.();
    },
  };
}
