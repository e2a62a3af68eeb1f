import { describe, expect, it } from 'vitest';
import { forEachAtOnce } from '../../src/scheduler/tick-scope.js';

async function* numbers(n: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) yield i;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('forEachAtOnce', () => {
  it('runs every item once, never more than the limit at once', async () => {
    const seen: number[] = [];
    let running = 0;
    let peak = 0;
    await forEachAtOnce(numbers(50), 4, async (i) => {
      peak = Math.max(peak, ++running);
      await tick();
      seen.push(i);
      running--;
    });
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
    expect(peak).toBe(4);
  });

  it('starts no new item after a failure, lets running ones finish, and throws the first error', async () => {
    const finished: number[] = [];
    const run = forEachAtOnce(numbers(100), 3, async (i) => {
      await tick();
      if (i === 4) throw new Error('four');
      finished.push(i);
    });
    await expect(run).rejects.toThrow('four');
    expect(finished.length).toBeLessThan(10);
  });
});
