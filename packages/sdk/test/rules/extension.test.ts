import { describe, expect, it } from 'vitest';
import { DEFAULT_EXTENSION_POLICY, type ExtensionPolicy } from '../../src/index.js';
import { DAY_MS, decideExtension, type ExtensionDecision, type ExtensionPlan, type ExtensionSubject } from '../../src/rules/index.js';

const GiB = 1024 ** 3;
const now = new Date('2026-03-10T12:00:00.000Z');
const at = (msFromNow: number) => new Date(now.getTime() + msFromNow);
const days = (n: number) => n * DAY_MS;

const plan: ExtensionPlan = {
  price: { amount: 500, currency: 'USD' },
  durationDays: 30,
  trafficBytes: 50 * GiB,
  renewable: true,
  extension: DEFAULT_EXTENSION_POLICY,
};

const active = (over: Partial<ExtensionSubject> = {}): ExtensionSubject => ({
  status: 'active',
  expiresAt: at(days(10)),
  trafficLimitBytes: 50 * GiB,
  usedBytes: 10 * GiB,
  activatedAt: at(-days(20)),
  trial: false,
  ...over,
});

interface Row {
  name: string;
  sub: ExtensionSubject;
  plan?: Partial<ExtensionPlan>;
  policy?: Partial<ExtensionPolicy>;
  expect:
    | { deny: string; opensAt?: Date }
    | {
        action: 'extend' | 'reset';
        basis: string;
        expiresAt: Date;
        limit: number | null;
        forfeitedMs?: number;
        carried?: number;
        price?: number;
        usageUnknown?: boolean;
      };
}

const rows: Row[] = [
  // Expired: reset from now.
  {
    name: 'status expired',
    sub: active({ status: 'expired', expiresAt: at(-days(2)) }),
    expect: { action: 'reset', basis: 'expired', expiresAt: at(days(30)), limit: 50 * GiB, forfeitedMs: 0 },
  },
  {
    name: 'expiry equal to now',
    sub: active({ expiresAt: now }),
    expect: { action: 'reset', basis: 'expired', expiresAt: at(days(30)), limit: 50 * GiB, forfeitedMs: 0 },
  },
  {
    name: 'expiry 1 ms ago, status not yet updated',
    sub: active({ expiresAt: at(-1) }),
    expect: { action: 'reset', basis: 'expired', expiresAt: at(days(30)), limit: 50 * GiB },
  },
  {
    name: 'expired with usage unknown',
    sub: active({ status: 'expired', expiresAt: at(-days(1)), usedBytes: null }),
    expect: { action: 'reset', basis: 'expired', expiresAt: at(days(30)), limit: 50 * GiB, usageUnknown: true },
  },
  // Exhausted: reset from now, giving up the time left (the quote says how much).
  {
    name: 'usage equal to limit',
    sub: active({ usedBytes: 50 * GiB }),
    expect: { action: 'reset', basis: 'traffic_exhausted', expiresAt: at(days(30)), limit: 50 * GiB, forfeitedMs: days(10) },
  },
  {
    name: 'usage past limit',
    sub: active({ usedBytes: 51 * GiB }),
    expect: { action: 'reset', basis: 'traffic_exhausted', expiresAt: at(days(30)), limit: 50 * GiB },
  },
  {
    name: 'status limited',
    sub: active({ status: 'limited', usedBytes: 10 * GiB }),
    expect: { action: 'reset', basis: 'traffic_exhausted', expiresAt: at(days(30)), limit: 50 * GiB },
  },
  { name: 'one byte left, 10 days left', sub: active({ usedBytes: 50 * GiB - 1 }), expect: { deny: 'too_early', opensAt: at(days(7)) } },
  // Window.
  {
    name: 'exactly at the window edge',
    sub: active({ expiresAt: at(days(3)) }),
    expect: { action: 'extend', basis: 'within_window', expiresAt: at(days(33)), limit: 50 * GiB, forfeitedMs: 0, carried: 0 },
  },
  { name: '1 ms before the window opens', sub: active({ expiresAt: at(days(3) + 1) }), expect: { deny: 'too_early', opensAt: at(1) } },
  {
    name: 'inside the window',
    sub: active({ expiresAt: at(days(1)) }),
    expect: { action: 'extend', basis: 'within_window', expiresAt: at(days(31)), limit: 50 * GiB },
  },
  {
    name: 'window of 0 days, 1 ms left',
    sub: active({ expiresAt: at(1) }),
    policy: { windowDays: 0 },
    expect: { deny: 'too_early', opensAt: at(1) },
  },
  {
    name: 'wider window of 7 days',
    sub: active({ expiresAt: at(days(6)) }),
    policy: { windowDays: 7 },
    expect: { action: 'extend', basis: 'within_window', expiresAt: at(days(36)), limit: 50 * GiB },
  },
  // Unlimited traffic.
  {
    name: 'unlimited subscription, unlimited plan, in window',
    sub: active({ trafficLimitBytes: null, usedBytes: 900 * GiB, expiresAt: at(days(2)) }),
    plan: { trafficBytes: null },
    expect: { action: 'extend', basis: 'within_window', expiresAt: at(days(32)), limit: null },
  },
  {
    name: 'unlimited is never exhausted',
    sub: active({ trafficLimitBytes: null, usedBytes: 900 * GiB }),
    plan: { trafficBytes: null },
    expect: { deny: 'too_early', opensAt: at(days(7)) },
  },
  {
    name: 'unlimited with unknown usage, early',
    sub: active({ trafficLimitBytes: null, usedBytes: null }),
    plan: { trafficBytes: null },
    expect: { deny: 'too_early', opensAt: at(days(7)) },
  },
  // Unknown usage.
  {
    name: 'unknown usage inside the window',
    sub: active({ usedBytes: null, expiresAt: at(days(2)) }),
    expect: { action: 'extend', basis: 'within_window', expiresAt: at(days(32)), limit: 50 * GiB, usageUnknown: true },
  },
  { name: 'unknown usage outside the window', sub: active({ usedBytes: null }), expect: { deny: 'usage_unknown' } },
  {
    name: 'unknown usage with carry-over carries nothing',
    sub: active({ usedBytes: null, expiresAt: at(days(2)) }),
    policy: { trafficOnExtend: 'carry_over' },
    expect: { action: 'extend', basis: 'within_window', expiresAt: at(days(32)), limit: 50 * GiB, carried: 0, usageUnknown: true },
  },
  // Policy shapes.
  {
    name: 'carry over unused traffic',
    sub: active({ expiresAt: at(days(2)), usedBytes: 20 * GiB }),
    policy: { trafficOnExtend: 'carry_over' },
    expect: { action: 'extend', basis: 'within_window', expiresAt: at(days(32)), limit: 80 * GiB, carried: 30 * GiB },
  },
  {
    name: 'restart the period',
    sub: active({ expiresAt: at(days(2)) }),
    policy: { daysOnExtend: 'restart' },
    expect: { action: 'extend', basis: 'within_window', expiresAt: at(days(30)), limit: 50 * GiB, forfeitedMs: days(2) },
  },
  {
    name: 'policy price overrides plan price',
    sub: active({ expiresAt: at(days(2)) }),
    policy: { price: { amount: 450, currency: 'USD' } },
    expect: { action: 'extend', basis: 'within_window', expiresAt: at(days(32)), limit: 50 * GiB, price: 450 },
  },
  // States that cannot extend.
  {
    name: 'start-on-first-use not started',
    sub: active({ status: 'on_hold', expiresAt: null, activatedAt: null, usedBytes: 0 }),
    expect: { deny: 'not_started' },
  },
  {
    name: 'non-renewable plan',
    sub: active({ expiresAt: at(days(1)) }),
    plan: { renewable: false },
    expect: { deny: 'plan_not_renewable' },
  },
  {
    name: 'non-renewable plan even when expired',
    sub: active({ status: 'expired', expiresAt: at(-days(1)) }),
    plan: { renewable: false },
    expect: { deny: 'plan_not_renewable' },
  },
  { name: 'suspended', sub: active({ status: 'suspended', expiresAt: at(days(1)) }), expect: { deny: 'suspended' } },
  { name: 'suspended and expired', sub: active({ status: 'suspended', expiresAt: at(-days(1)) }), expect: { deny: 'suspended' } },
  { name: 'terminated', sub: active({ status: 'terminated', expiresAt: at(-days(9)) }), expect: { deny: 'terminated' } },
  { name: 'pending', sub: active({ status: 'pending', expiresAt: at(days(30)), usedBytes: null }), expect: { deny: 'not_provisioned' } },
  { name: 'failed', sub: active({ status: 'failed', expiresAt: null, usedBytes: null }), expect: { deny: 'not_provisioned' } },
  // Trials convert to a fresh paid period.
  {
    name: 'trial with time left',
    sub: active({ trial: true, expiresAt: at(days(1)), trafficLimitBytes: GiB, usedBytes: 0 }),
    expect: { action: 'reset', basis: 'trial_conversion', expiresAt: at(days(30)), limit: 50 * GiB, forfeitedMs: days(1) },
  },
];

function check(decision: ExtensionDecision, row: Row): void {
  const want = row.expect;
  if ('deny' in want) {
    expect(decision).toMatchObject({ allowed: false, reason: want.deny });
    if (want.opensAt && !decision.allowed) expect(decision.details.opensAt).toEqual(want.opensAt);
    return;
  }
  if (!decision.allowed) throw new Error(`expected ${want.action}, got deny: ${decision.reason}`);
  const q = decision.quote;
  expect(q.action).toBe(want.action);
  expect(q.basis).toBe(want.basis);
  expect(q.newExpiresAt).toEqual(want.expiresAt);
  expect(q.newTrafficLimitBytes).toBe(want.limit);
  expect(q.resetsUsage).toBe(true);
  expect(q.durationDays).toBe(30);
  expect(q.price).toEqual({ amount: want.price ?? 500, currency: 'USD' });
  if (want.forfeitedMs !== undefined) expect(q.forfeitedMs).toBe(want.forfeitedMs);
  if (want.carried !== undefined) expect(q.carriedOverBytes).toBe(want.carried);
  expect(q.usageUnknown).toBe(want.usageUnknown ?? false);
}

describe('decideExtension', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const policy = { ...DEFAULT_EXTENSION_POLICY, ...row.policy };
    const decision = decideExtension({ subscription: row.sub, plan: { ...plan, ...row.plan, extension: policy }, now });
    check(decision, row);
  });

  it('an explicit policy argument overrides the plan’s', () => {
    const decision = decideExtension({
      subscription: active({ expiresAt: at(days(6)) }),
      plan,
      now,
      policy: { ...DEFAULT_EXTENSION_POLICY, windowDays: 7 },
    });
    expect(decision.allowed).toBe(true);
  });

  it('is pure: the same input gives the same answer and nothing is mutated', () => {
    const sub = active({ expiresAt: at(days(2)) });
    const frozen = structuredClone(sub);
    const a = decideExtension({ subscription: sub, plan, now });
    const b = decideExtension({ subscription: sub, plan, now });
    expect(a).toEqual(b);
    expect(sub).toEqual(frozen);
  });
});
