import { describe, expect, it } from 'vitest';
import { DEFAULT_EXTENSION_POLICY } from '../../src/index.js';
import { DAY_MS, decideExtension, decidePlanChange, decideRenewal, decideTrial } from '../../src/rules/index.js';

const GiB = 1024 ** 3;
const now = new Date('2026-03-10T12:00:00.000Z');
const at = (ms: number) => new Date(now.getTime() + ms);

describe('decideTrial', () => {
  const plan = { trial: { days: 1, trafficBytes: GiB }, family: 'standard', onSale: true };
  it.each([
    ['first trial in the family', plan, [], { allowed: true, trial: { days: 1, trafficBytes: GiB } }],
    ['trial used in another family', plan, ['premium'], { allowed: true, trial: { days: 1, trafficBytes: GiB } }],
    ['trial already used in this family', plan, ['premium', 'standard'], { allowed: false, reason: 'already_used' }],
    ['plan without a trial', { ...plan, trial: null }, [], { allowed: false, reason: 'no_trial' }],
    ['plan off sale', { ...plan, onSale: false }, [], { allowed: false, reason: 'not_on_sale' }],
  ] as const)('%s', (_name, p, used, expected) => {
    expect(decideTrial({ plan: p, usedTrialFamilies: used })).toEqual(expected);
  });

  const phonePlan = { ...plan, trial: { days: 1, trafficBytes: GiB, requirePhone: true } };
  it.each([
    ['another account of the same person had one', plan, { identityUsed: true }, { allowed: false, reason: 'already_used' }],
    ['identity free', plan, { identityUsed: false }, { allowed: true, trial: plan.trial }],
    ['phone asked, none verified', phonePlan, {}, { allowed: false, reason: 'phone_required' }],
    ['phone asked and verified', phonePlan, { phoneVerified: true }, { allowed: true, trial: phonePlan.trial }],
    [
      'phone asked, but the identity was used: the same reason as any other use',
      phonePlan,
      { identityUsed: true },
      { allowed: false, reason: 'already_used' },
    ],
    ['phone not asked, none given', plan, { phoneVerified: false }, { allowed: true, trial: plan.trial }],
    [
      'no trial comes before anything about the person',
      { ...plan, trial: null },
      { identityUsed: true },
      { allowed: false, reason: 'no_trial' },
    ],
  ] as const)('%s', (_name, p, extra, expected) => {
    expect(decideTrial({ plan: p, usedTrialFamilies: [], ...extra })).toEqual(expected);
  });
});

describe('decideRenewal', () => {
  const plan = {
    price: { amount: 500, currency: 'USD' },
    durationDays: 30,
    trafficBytes: 50 * GiB,
    renewable: true,
    extension: DEFAULT_EXTENSION_POLICY,
  };
  const sub = { status: 'active' as const, expiresAt: at(DAY_MS), autoRenew: true, trial: false };
  const lead = DAY_MS;
  const base = { subscription: sub, plan, now, balance: 1000, leadMs: lead };

  it('renews at the lead time, stacking on the current expiry', () => {
    expect(decideRenewal(base)).toEqual({
      renew: true,
      quote: { newExpiresAt: at(31 * DAY_MS), newTrafficLimitBytes: 50 * GiB, resetsUsage: true, price: { amount: 500, currency: 'USD' } },
    });
  });
  it('renews a limited subscription too', () => {
    expect(decideRenewal({ ...base, subscription: { ...sub, status: 'limited' } }).renew).toBe(true);
  });
  it('uses the extension price when the plan sets one', () => {
    const d = decideRenewal({
      ...base,
      plan: { ...plan, extension: { ...DEFAULT_EXTENSION_POLICY, price: { amount: 400, currency: 'USD' } } },
    });
    expect(d.renew && d.quote.price.amount).toBe(400);
  });
  it.each([
    ['1 ms before the lead time', { subscription: { ...sub, expiresAt: at(lead + 1) } }, 'not_due'],
    ['auto-renew off', { subscription: { ...sub, autoRenew: false } }, 'auto_renew_off'],
    ['trial', { subscription: { ...sub, trial: true } }, 'trial'],
    ['plan not renewable', { plan: { ...plan, renewable: false } }, 'plan_not_renewable'],
    ['already expired', { subscription: { ...sub, status: 'expired' as const } }, 'not_renewable_status'],
    ['suspended', { subscription: { ...sub, status: 'suspended' as const } }, 'not_renewable_status'],
    ['on hold', { subscription: { ...sub, status: 'on_hold' as const, expiresAt: null } }, 'not_renewable_status'],
    ['balance one short', { balance: 499 }, 'insufficient_funds'],
  ] as const)('skips: %s', (_name, over, reason) => {
    expect(decideRenewal({ ...base, ...over })).toMatchObject({ renew: false, reason });
  });
  it('quotes the missing amount when funds are short', () => {
    const d = decideRenewal({ ...base, balance: 100 });
    expect(d).toMatchObject({ renew: false, reason: 'insufficient_funds', quote: { price: { amount: 500 } } });
  });
  it('a balance exactly equal to the price renews', () => {
    expect(decideRenewal({ ...base, balance: 500 }).renew).toBe(true);
  });
  it('renews an expired subscription only when a charge paid for it, from now as an extension revives one; never a terminated one', () => {
    const expired = { ...base, subscription: { ...sub, status: 'expired' as const, expiresAt: at(-2 * DAY_MS) } };
    expect(decideRenewal(expired)).toMatchObject({ renew: false, reason: 'not_renewable_status' });
    const paid = decideRenewal({ ...expired, paid: true });
    expect(paid).toEqual({
      renew: true,
      quote: { newExpiresAt: at(30 * DAY_MS), newTrafficLimitBytes: 50 * GiB, resetsUsage: true, price: { amount: 500, currency: 'USD' } },
    });
    // The same terms as the buyer extending it by hand.
    const manual = decideExtension({
      subscription: { ...expired.subscription, trafficLimitBytes: 50 * GiB, usedBytes: 0, activatedAt: at(-32 * DAY_MS) },
      plan,
      now,
    });
    expect(manual).toMatchObject({
      allowed: true,
      quote: { action: 'reset', newExpiresAt: at(30 * DAY_MS), newTrafficLimitBytes: 50 * GiB },
    });
    const terminated = { ...expired, subscription: { ...expired.subscription, status: 'terminated' as const } };
    expect(decideRenewal({ ...terminated, paid: true })).toMatchObject({ renew: false, reason: 'not_renewable_status' });
    expect(decideRenewal({ ...expired, paid: true, subscription: { ...expired.subscription, autoRenew: false } })).toMatchObject({
      renew: false,
      reason: 'auto_renew_off',
    });
  });
});

describe('decidePlanChange', () => {
  const current = { id: 'pln_basic', price: { amount: 3000, currency: 'USD' }, durationDays: 30 };
  const bigger = { id: 'pln_pro', price: { amount: 6000, currency: 'USD' }, durationDays: 30, trafficBytes: 200 * GiB, onSale: true };
  const sub = { status: 'active' as const, expiresAt: at(15 * DAY_MS), trafficLimitBytes: 100 * GiB, usedBytes: 20 * GiB, trial: false };
  const base = { subscription: sub, currentPlan: current, newPlan: bigger, now };

  it('credits the smaller of time left and traffic left, rounded down', () => {
    // half the time is left, 80% of traffic is left: credit is half the price.
    const d = decidePlanChange(base);
    expect(d).toEqual({
      allowed: true,
      quote: {
        newPlanId: 'pln_pro',
        credit: { amount: 1500, currency: 'USD' },
        charge: { amount: 4500, currency: 'USD' },
        refund: { amount: 0, currency: 'USD' },
        newExpiresAt: at(30 * DAY_MS),
        newTrafficLimitBytes: 200 * GiB,
        maxMembers: null,
        resetsUsage: true,
      },
    });
  });
  it('a group head keeps its members only on a plan that seats them all; the quote names the seats', () => {
    const shared = { ...bigger, sharing: { maxMembers: 3 } };
    expect(decidePlanChange({ ...base, newPlan: shared, members: 3 })).toMatchObject({ allowed: true, quote: { maxMembers: 3 } });
    expect(decidePlanChange({ ...base, newPlan: shared, members: 4 })).toEqual({ allowed: false, reason: 'too_many_members' });
    expect(decidePlanChange({ ...base, members: 1 })).toEqual({ allowed: false, reason: 'too_many_members' });
    expect(decidePlanChange({ ...base, members: 0 })).toMatchObject({ allowed: true, quote: { maxMembers: null } });
  });
  it('traffic left can be the smaller share', () => {
    const d = decidePlanChange({ ...base, subscription: { ...sub, usedBytes: 90 * GiB } });
    expect(d.allowed && d.quote.credit.amount).toBe(300);
  });
  it('rounds a fractional credit down', () => {
    const d = decidePlanChange({ ...base, subscription: { ...sub, expiresAt: at(10 * DAY_MS), trafficLimitBytes: null } });
    expect(d.allowed && d.quote.credit.amount).toBe(1000);
    const odd = decidePlanChange({
      ...base,
      currentPlan: { ...current, price: { amount: 1001, currency: 'USD' } },
      subscription: { ...sub, expiresAt: at(10 * DAY_MS), trafficLimitBytes: null },
    });
    expect(odd.allowed && odd.quote.credit.amount).toBe(333);
  });
  it('a downgrade charges nothing and returns the unused credit', () => {
    const cheap = { ...bigger, id: 'pln_mini', price: { amount: 1000, currency: 'USD' } };
    const d = decidePlanChange({ ...base, newPlan: cheap });
    expect(d.allowed && [d.quote.charge.amount, d.quote.refund.amount]).toEqual([0, 500]);
  });
  it('an on-hold subscription is credited in full', () => {
    const d = decidePlanChange({ ...base, subscription: { ...sub, status: 'on_hold', expiresAt: null, usedBytes: 0 } });
    expect(d.allowed && d.quote.credit.amount).toBe(3000);
  });
  it('a limited subscription has no credit', () => {
    const d = decidePlanChange({ ...base, subscription: { ...sub, status: 'limited' } });
    expect(d.allowed && d.quote.charge.amount).toBe(6000);
  });
  it.each([
    ['same plan', { newPlan: { ...bigger, id: 'pln_basic' } }, 'same_plan'],
    ['new plan off sale', { newPlan: { ...bigger, onSale: false } }, 'not_on_sale'],
    ['currency differs', { newPlan: { ...bigger, price: { amount: 6000, currency: 'EUR' } } }, 'currency_mismatch'],
    ['expired', { subscription: { ...sub, status: 'expired' as const } }, 'not_changeable_status'],
    ['suspended', { subscription: { ...sub, status: 'suspended' as const } }, 'not_changeable_status'],
    ['trial', { subscription: { ...sub, trial: true } }, 'trial'],
    ['usage unknown', { subscription: { ...sub, usedBytes: null } }, 'usage_unknown'],
  ] as const)('denies: %s', (_name, over, reason) => {
    expect(decidePlanChange({ ...base, ...over })).toEqual({ allowed: false, reason });
  });
});
