/**
 * A process whose system clock is off: `new Date()` and `Date.now()` shifted by a skew the process may change
 * while it runs, as on a host whose clock drifted and was later corrected. The monotonic clock
 * (`performance.now()`) is left alone, as the host's would be.
 */

/** Shifts `Date` in this process by `skewMs` (positive: ahead); the returned function sets a new skew. */
export function skewDate(skewMs: number): (nextSkewMs: number) => void {
  let skew = skewMs;
  const RealDate = Date;
  class SkewedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + skew);
      else super(...(args as [string]));
    }
    static override now(): number {
      return RealDate.now() + skew;
    }
  }
  globalThis.Date = SkewedDate as DateConstructor;
  return (nextSkewMs) => {
    skew = nextSkewMs;
  };
}
