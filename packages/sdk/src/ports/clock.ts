/** The only source of "now" in domain code, so tests can move time. */
export interface Clock {
  /** The current instant (UTC). Leases, expiries and timestamps are all taken from it. */
  now(): Date;
}

/** The real clock (`new Date()`); the default everywhere a clock is optional. */
export const systemClock: Clock = Object.freeze({ now: () => new Date() });
