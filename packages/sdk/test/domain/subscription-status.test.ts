import { describe, expect, it } from 'vitest';
import {
  InvalidTransitionError,
  SUBSCRIPTION_STATUSES,
  assertTransition,
  canTransition,
  type SubscriptionStatus,
} from '../../src/index.js';

// The whole table written out, so any change to the state machine shows up here as a diff.
const legal: Record<SubscriptionStatus, SubscriptionStatus[]> = {
  pending: ['active', 'on_hold', 'failed', 'terminated'],
  active: ['limited', 'expired', 'suspended', 'terminated'],
  on_hold: ['active', 'expired', 'suspended', 'terminated'],
  limited: ['active', 'expired', 'suspended', 'terminated'],
  expired: ['active', 'suspended', 'terminated'],
  suspended: ['active', 'on_hold', 'limited', 'expired', 'terminated'],
  failed: ['pending', 'terminated'],
  terminated: [],
};

const pairs = SUBSCRIPTION_STATUSES.flatMap((from) => SUBSCRIPTION_STATUSES.map((to) => [from, to] as const));

describe('subscription state machine', () => {
  it.each(pairs)('%s → %s', (from, to) => {
    const allowed = legal[from].includes(to);
    expect(canTransition(from, to)).toBe(allowed);
    if (allowed) {
      expect(() => assertTransition(from, to)).not.toThrow();
    } else {
      let thrown: unknown;
      try {
        assertTransition(from, to);
      } catch (error) {
        thrown = error;
      }
      expect(InvalidTransitionError.is(thrown)).toBe(true);
      expect(thrown).toMatchObject({ code: 'INVALID_TRANSITION', from, to, retryable: false });
    }
  });

  it('terminated is final and nothing stays in place', () => {
    for (const s of SUBSCRIPTION_STATUSES) expect(canTransition(s, s)).toBe(false);
    expect(SUBSCRIPTION_STATUSES.some((s) => canTransition('terminated', s))).toBe(false);
  });
});
