import { describe, expect, it } from 'vitest';
import { decideReferral, referralReward } from '../../src/rules/index.js';
import type { ReferralProgram } from '../../src/index.js';
import type { ReferralInput } from '../../src/rules/index.js';

const base: ReferralInput = {
  referrerId: 'cus_a',
  referredId: 'cus_b',
  referrerExists: true,
  alreadyReferred: false,
  hasOrders: false,
  program: { enabled: true },
};
const decide = (over: Partial<ReferralInput>) => {
  const d = decideReferral({ ...base, ...over });
  return d.allowed ? true : d.reason;
};

describe('decideReferral', () => {
  it.each([
    ["a new customer through another customer's link", {}, true],
    ['its own link', { referrerId: 'cus_b' }, 'self_referral'],
    ['no referrer', { referrerId: null }, 'unknown_referrer'],
    ['an unknown referrer', { referrerExists: false }, 'unknown_referrer'],
    ['referred already', { alreadyReferred: true }, 'already_referred'],
    ['has ordered: not at sign-up', { hasOrders: true }, 'not_new_customer'],
    ['program off', { program: { enabled: false } }, 'program_off'],
    ['no program', { program: null }, 'program_off'],
  ] as const)('%s', (_n, over, expected) => expect(decide(over)).toBe(expected));
});

describe('referralReward', () => {
  const usd = (amount: number) => ({ amount, currency: 'USD' });
  const fixed: ReferralProgram = { enabled: true, reward: { type: 'fixed', amount: usd(500) }, refundWindowDays: 30 };
  const share = (percent: number, maxAmount: number | null = null): ReferralProgram => ({
    enabled: true,
    reward: { type: 'share', percent, maxAmount: maxAmount === null ? null : usd(maxAmount) },
    refundWindowDays: 30,
  });
  it.each([
    ['fixed', fixed, usd(2000), 500],
    ['fixed, whatever the order cost', fixed, usd(1), 500],
    ['fixed in another currency', fixed, { amount: 2000, currency: 'EUR' }, 0],
    ['a share', share(10), usd(2000), 200],
    ['a share rounds down', share(10), usd(1999), 199],
    ['a share under its cap', share(10, 300), usd(2000), 200],
    ['a share at its cap', share(10, 300), usd(5000), 300],
    ['a free order earns nothing', fixed, usd(0), 0],
    ['off', { ...fixed, enabled: false }, usd(2000), 0],
    ['no program', null, usd(2000), 0],
  ] as const)('%s', (_n, program, total, expected) => expect(referralReward(program, total).amount).toBe(expected));
});
