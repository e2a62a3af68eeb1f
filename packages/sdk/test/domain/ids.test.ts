import { describe, expect, it } from 'vitest';
import { createId } from '../../src/index.js';
import { createSortableId } from '../../src/storage.js';

const SHAPE = /^job_[a-z2-7]{20}$/;

describe('createSortableId', () => {
  it('has createId’s shape', () => {
    expect(createId('job')).toMatch(SHAPE);
    expect(createSortableId('job', Date.UTC(2026, 10, 27))).toMatch(SHAPE);
    expect(createSortableId('job', 0)).toMatch(SHAPE);
    expect(createSortableId('job', Date.UTC(3000, 0, 1))).toMatch(SHAPE);
  });

  it('sorts as made, within a millisecond and across them, and makes each id once', () => {
    const start = Date.UTC(2026, 10, 27, 5, 0, 0);
    const made: string[] = [];
    for (let ms = 0; ms < 50; ms++) for (let i = 0; i < 200; i++) made.push(createSortableId('job', start + ms * 37));
    expect(new Set(made).size).toBe(made.length);
    expect([...made].sort()).toEqual(made);
  });

  it('sorts by the millisecond first, whatever the sequence', () => {
    const a = createSortableId('job', 1_700_000_000_000);
    const b = createSortableId('job', 1_700_000_000_001);
    const c = createSortableId('job', 1_800_000_000_000);
    expect([c, b, a].sort()).toEqual([a, b, c]);
  });
});
