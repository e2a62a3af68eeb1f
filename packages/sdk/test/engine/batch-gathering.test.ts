import { describe, expect, it } from 'vitest';
import { BatchGathering } from '../../src/engine/batch-gathering.js';

describe('BatchGathering', () => {
  it('holds a partial batch while one is unanswered, but starts a full one at once', async () => {
    const launched: number[][] = [];
    const answers: (() => void)[] = [];
    const gathering = new BatchGathering<number>(3, (_key, items, called) => {
      launched.push(items);
      return new Promise<void>((resolve) => answers.push(() => (called(), resolve())));
    });
    const done = [gathering.add('t', 1)];
    gathering.flush('t');
    expect(launched).toEqual([[1]]);
    // The first is at the panel: two more wait, then a full batch of three arrives and goes beside it.
    for (const n of [2, 3]) done.push(gathering.add('t', n));
    gathering.flush('t');
    expect(launched).toEqual([[1]]);
    for (const n of [4, 5, 6]) done.push(gathering.add('t', n));
    gathering.flush('t');
    expect(launched).toEqual([[1], [2, 3, 4]]);
    // 5 and 6 wait until no batch of the key is unanswered.
    answers[0]!();
    await done[0];
    expect(launched).toEqual([[1], [2, 3, 4]]);
    answers[1]!();
    await done[1];
    expect(launched).toEqual([[1], [2, 3, 4], [5, 6]]);
    answers[2]!();
    await Promise.all(done);
    expect(gathering.size).toBe(0);
  });
});
