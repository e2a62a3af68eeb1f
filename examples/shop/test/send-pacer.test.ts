import { describe, expect, it } from 'vitest';
import { createSendPacer, DEFAULT_SEND_GAP_MS, type PacerTime } from '../src/telegram/send-pacer.js';

/** A clock that moves only when told: `sleep` advances it by what was asked plus `overshoot` (a late timer). */
function fakeTime(overshoot = 0): PacerTime & { advance(ms: number): void } {
  let t = 1_000_000;
  return {
    now: () => t,
    sleep: async (ms) => {
      t += ms + overshoot;
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

/** The most starts any one-second window holds. */
function busiestSecond(starts: readonly number[]): number {
  let most = 0;
  for (let i = 0, j = 0; i < starts.length; i++) {
    while (starts[i]! - starts[j]! >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('the Telegram send pacer', () => {
  it('spaces starts a gap apart, the send’s own work inside the gap, not added to it', async () => {
    const time = fakeTime();
    const pacer = createSendPacer(DEFAULT_SEND_GAP_MS, time);
    const starts: number[] = [];
    for (let i = 0; i < 290; i++) {
      await pacer.next();
      starts.push(time.now());
      time.advance(20); // the send and its bookkeeping
    }
    // 290 starts 1000/29 ms apart: 289 gaps = 9 966 ms (with the 20 ms a send takes added, it would be 15 746).
    expect(starts.at(-1)! - starts[0]!).toBeCloseTo(289 * DEFAULT_SEND_GAP_MS, 6);
    expect(busiestSecond(starts)).toBeLessThanOrEqual(30);
  });

  it('does not drift on late timers, yet never holds more than 30 starts in a second', async () => {
    const time = fakeTime(3);
    const pacer = createSendPacer(DEFAULT_SEND_GAP_MS, time);
    const starts: number[] = [];
    for (let i = 0; i < 290; i++) {
      await pacer.next();
      starts.push(time.now());
      time.advance(5);
    }
    expect(starts.at(-1)! - starts[0]!).toBeLessThan(289 * DEFAULT_SEND_GAP_MS + 3 + 1e-6);
    expect(busiestSecond(starts)).toBeLessThanOrEqual(30);
  });

  it('after a slow send catches no backlog up in a burst', async () => {
    const time = fakeTime();
    const pacer = createSendPacer(DEFAULT_SEND_GAP_MS, time);
    const starts: number[] = [];
    for (let i = 0; i < 120; i++) {
      await pacer.next();
      starts.push(time.now());
      // Every tenth send is slow (a busy database), the others take a few ms; some are just under a gap late.
      time.advance(i % 10 === 9 ? 400 : i % 7 === 0 ? DEFAULT_SEND_GAP_MS * 1.9 : 4);
    }
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThan(0);
    expect(busiestSecond(starts)).toBeLessThanOrEqual(30);
  });

  it('gives callers that ask at once their turns one after another', async () => {
    const time = fakeTime();
    const pacer = createSendPacer(100, time);
    const starts: number[] = [];
    await Promise.all([1, 2, 3].map(() => pacer.next().then(() => starts.push(time.now()))));
    expect(starts).toEqual([starts[0], starts[0]! + 100, starts[0]! + 200]);
  });
});
