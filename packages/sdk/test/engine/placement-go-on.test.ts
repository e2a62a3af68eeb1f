import { describe, expect, it } from 'vitest';
import type { Plan, Target } from '../../src/index.js';
import { crossesNearlyFull, mayGoOnAfterPlacing } from '../../src/engine/placement.js';

/** A target as the checkout's context read it: only its id, slots taken and capacity matter here. */
function target(id: string, allocated: number, capacity: number | null): Target {
  return { id, allocated, capacity } as Target;
}

/** A plan as read: only its id, slots taken and most clients matter here. */
function plan(id: string, allocated: number, maxClients: number | null): Plan {
  return { id, allocated, maxClients } as Plan;
}

describe("a checkout's look, from its read, at whether it goes on after its placement", () => {
  it('crossesNearlyFull: the slots taken reach 90 % of the capacity from below, not before, not after', () => {
    // Capacity 10: the threshold is 9.
    expect([8, 9, 10].map((after) => crossesNearlyFull(after, 1, 10))).toEqual([false, true, false]);
    expect(crossesNearlyFull(10, 3, 10)).toBe(true);
    // Capacity 20: the threshold is 18; capacity 7: ceil(6.3) = 7.
    expect([17, 18, 19].map((after) => crossesNearlyFull(after, 1, 20))).toEqual([false, true, false]);
    expect([6, 7].map((after) => crossesNearlyFull(after, 1, 7))).toEqual([false, true]);
    // No capacity (unlimited) or none at all: never.
    expect(crossesNearlyFull(1_000, 1_000, null)).toBe(false);
    expect(crossesNearlyFull(1, 1, 0)).toBe(false);
  });

  it('mayGoOnAfterPlacing: a crossing, a target or plan full or one not read say so; slots below or past 90 % do not', () => {
    const targets = [target('a', 7, 10), target('b', 9, 10), target('c', 3, null), target('d', 10, 10)];
    const plans = new Map([
      ['open', plan('open', 0, null)],
      ['last', plan('last', 4, 5)],
    ]);
    const onTargets = (slots: [string, number][]) =>
      mayGoOnAfterPlacing({ targets: new Map(slots), plans: new Map([['open', 1]]) }, { targets, plans });
    expect(onTargets([['a', 1]])).toBe(false);
    expect(onTargets([['a', 2]])).toBe(true);
    expect(onTargets([['b', 1]])).toBe(false);
    expect(onTargets([['c', 500]])).toBe(false);
    expect(onTargets([['d', 1]])).toBe(true);
    expect(onTargets([['b', 2]])).toBe(true);
    expect(onTargets([['zz', 1]])).toBe(true);
    expect(
      onTargets([
        ['a', 1],
        ['b', 1],
      ]),
    ).toBe(false);
    expect(onTargets([])).toBe(false);
    const onPlans = (slots: [string, number][]) => mayGoOnAfterPlacing({ targets: new Map(), plans: new Map(slots) }, { targets, plans });
    expect(onPlans([['open', 1_000]])).toBe(false);
    expect(onPlans([['last', 1]])).toBe(false);
    expect(onPlans([['last', 2]])).toBe(true);
    expect(onPlans([['gone', 1]])).toBe(true);
  });
});
