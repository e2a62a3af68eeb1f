import type { Clock } from '../ports/clock.js';
import { DAY_MS } from '../rules/time.js';

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  #now: number;

  constructor(start: Date | string | number = '2026-01-01T00:00:00.000Z') {
    this.#now = new Date(start).getTime();
  }

  /** The clock's current instant (a new `Date` each call). */
  now(): Date {
    return new Date(this.#now);
  }

  /** Jumps to an instant (may go backwards, for tests that need it). */
  set(to: Date | string | number): void {
    this.#now = new Date(to).getTime();
  }

  /** Moves forward `ms` milliseconds; returns the new now. */
  advance(ms: number): Date {
    this.#now += ms;
    return this.now();
  }

  /** Moves forward `days` days of 24 hours; returns the new now. */
  advanceDays(days: number): Date {
    return this.advance(days * DAY_MS);
  }
}
