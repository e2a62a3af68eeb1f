import type { Clock } from '@panelkit/sdk';
import type { MovableClock } from './walkthrough.js';

/**
 * The story's clock: any object with `now()` is a panelkit `Clock`; this one only moves when the
 * story moves it. (`ManualClock` from `@panelkit/sdk/testing` is the same for tests, but that entry
 * needs the vitest runner.)
 */
export class DemoClock implements Clock, MovableClock {
  #now: number;

  constructor(start: Date) {
    this.#now = start.getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  advance(ms: number): Date {
    this.#now += ms;
    return this.now();
  }
}
