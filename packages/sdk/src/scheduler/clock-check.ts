import type { EngineContext } from '../engine/context.js';

/** How often the offset is measured again while nothing suggests it moved: one statement per replica per 5 minutes. */
export const CLOCK_RECHECK_MS = 5 * 60_000;

/** One reading of the storage's time, and where this replica's clocks stood when it was asked for. */
interface Measurement {
  /** This replica's clock minus the storage's, at the midpoint of the round trip (positive: ahead). */
  readonly offsetMs: number;
  /** This replica's clock when the question was sent (ms epoch). */
  readonly wallAt: number;
  /** This process's monotonic clock when the question was sent. */
  readonly monotonicAt: number;
  /** Whether the round trip was too slow to say on which side of the bound the offset is. */
  readonly inconclusive: boolean;
}

/** How far this process's clock is off the storage's, as `Panelkit.clockOffset` and the scheduler measure it. */
export interface ClockOffset {
  /** This process's clock minus the storage's, at the midpoint of the round trip, in ms (positive: ahead). */
  readonly offsetMs: number;
  /** How long the storage took to answer, in ms: the reading's uncertainty is half of it. */
  readonly roundTripMs: number;
  /** `policy.maxClockOffsetMs`, the bound a scheduler ticks within. */
  readonly maxOffsetMs: number;
  /**
   * `within`: surely within the bound whatever the round trip hid; `off`: surely beyond it (a scheduler runs no
   * tick); `unsure`: the round trip was too slow to tell.
   */
  readonly status: 'within' | 'off' | 'unsure';
}

/** One measurement (see {@link measureClockOffset}), with where this process's clocks stood when it was asked. */
export interface ClockOffsetReading extends ClockOffset {
  /** This process's clock when the question was sent (ms epoch). */
  readonly wallAt: number;
  /** The monotonic clock when the question was sent. */
  readonly monotonicAt: number;
}

/** Asks the storage for its time (`ticks.now()`, one statement on PostgreSQL) and compares this process's clock with it. */
export async function measureClockOffset(
  ctx: Pick<EngineContext, 'storage' | 'clock' | 'policy'>,
  monotonic: () => number = () => performance.now(),
): Promise<ClockOffsetReading> {
  const monotonicAt = monotonic();
  const wallAt = ctx.clock.now().getTime();
  const storageAt = (await ctx.storage.ticks.now()).getTime();
  const roundTripMs = monotonic() - monotonicAt;
  const halfTrip = roundTripMs / 2;
  const offsetMs = Math.round(wallAt + halfTrip - storageAt);
  const bound = ctx.policy.maxClockOffsetMs;
  const status = Math.abs(offsetMs) - halfTrip > bound ? 'off' : Math.abs(offsetMs) + halfTrip <= bound ? 'within' : 'unsure';
  return { offsetMs, roundTripMs, maxOffsetMs: bound, status, wallAt, monotonicAt };
}

/**
 * How far this replica's clock is off the storage's, and whether that is within `policy.maxClockOffsetMs`.
 * Measured with `storage.ticks.now()` on the first tick, every {@link CLOCK_RECHECK_MS} after, at once when this
 * replica's clock moved unlike its monotonic clock (a step of half the bound, e.g. NTP or a resumed VM), and on
 * every tick while refused (so ticks resume as soon as the clock is back). The round trip is the measurement's
 * uncertainty: ticks are refused only when the offset is off by more than the bound whatever the round trip
 * hid, and run again only when it is surely within; in between the last verdict stands and the next tick asks again.
 */
export class ClockCheck {
  #last: Measurement | undefined;
  /** The offset ticks were refused for; `null` while they run. */
  #refusedFor: number | null = null;

  constructor(
    private readonly ctx: EngineContext,
    /** This process's monotonic clock, in ms; injected by tests. */
    private readonly monotonic: () => number = () => performance.now(),
  ) {}

  /** `null` when this replica may tick; else how far its clock is off the storage's (ms, positive: ahead). */
  async refusal(): Promise<number | null> {
    if (this.#due()) await this.#measure();
    return this.#refusedFor;
  }

  #due(): boolean {
    const last = this.#last;
    if (last === undefined || last.inconclusive || this.#refusedFor !== null) return true;
    const monotonic = this.monotonic() - last.monotonicAt;
    if (monotonic >= CLOCK_RECHECK_MS) return true;
    const wall = this.ctx.clock.now().getTime() - last.wallAt;
    return Math.abs(wall - monotonic) > this.ctx.policy.maxClockOffsetMs / 2;
  }

  async #measure(): Promise<void> {
    const { ctx } = this;
    const reading = await measureClockOffset(ctx, this.monotonic);
    const { offsetMs, wallAt, monotonicAt } = reading;
    const bound = ctx.policy.maxClockOffsetMs;
    const surelyOff = reading.status === 'off';
    const surelyWithin = reading.status === 'within';
    this.#last = { offsetMs, wallAt, monotonicAt, inconclusive: !surelyOff && !surelyWithin };
    if (surelyOff) {
      if (this.#refusedFor === null) {
        ctx.logger.error(
          { offsetMs, maxOffsetMs: bound },
          "this replica's clock is off the storage's by more than policy.maxClockOffsetMs: its scheduler runs no tick until the clock is back",
        );
      }
      this.#refusedFor = offsetMs;
    } else if (surelyWithin && this.#refusedFor !== null) {
      this.#refusedFor = null;
      ctx.logger.info(
        { offsetMs, maxOffsetMs: bound },
        "this replica's clock is back within policy.maxClockOffsetMs: its scheduler ticks again",
      );
      ctx.events.emit('scheduler:clock_recovered', { offsetMs, at: ctx.clock.now() });
    }
  }
}
