import { describe, expect, it } from 'vitest';
import {
  GuardPolicySchema,
  guardAddressPrefix,
  guardDecision,
  guardHashKey,
  guardHourOf,
  guardPrefixHashes,
  guardReading,
  type GuardBucket,
  type GuardCaseState,
} from '../../src/rules/index.js';

const policy = GuardPolicySchema.parse({ enabled: true });
const NOW = new Date('2026-11-29T12:30:00Z');
const H = guardHourOf(NOW);
const at = (hoursAgo: number) => new Date(NOW.getTime() - hoursAgo * 3_600_000);
/** Buckets `hoursAgo` before now, each one reading, over or not. */
const buckets = (...spec: Array<[hoursAgo: number, over: boolean]>): GuardBucket[] =>
  spec.map(([ago, over]) => ({ hour: H - ago, readings: 1, over: over ? 1 : 0, maxPrefixes: over ? 6 : 1 }));
const decide = (b: GuardBucket[], state: GuardCaseState | null = null, extra: Partial<Parameters<typeof guardDecision>[0]> = {}) =>
  guardDecision({
    policy,
    state,
    buckets: b,
    lastReadingAt: b.length === 0 ? null : at(0),
    lastNullAt: null,
    exempt: false,
    now: NOW,
    ...extra,
  });

describe('guard addresses', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7/32'],
    ['::ffff:203.0.113.7', '203.0.113.7/32'],
    ['2001:db8:0:1:aaaa::1', '2001:0db8:0000:0001::/64'],
    ['[2001:db8:0:1::5]', '2001:0db8:0000:0001::/64'],
    ['fe80::1%eth0', 'fe80:0000:0000:0000::/64'],
    ['not an ip', null],
  ])('%s counts as %s', (address, prefix) => {
    expect(guardAddressPrefix(address)).toBe(prefix);
  });

  it('keeps one keyed hash per network, never the address, and another secret hashes apart', () => {
    const key = guardHashKey('a shop secret of length');
    const hashes = guardPrefixHashes(['2001:db8:0:1::1', '2001:db8:0:1::2', '198.51.100.1', 'junk'], key);
    expect(hashes).toHaveLength(2);
    expect(hashes.join()).not.toContain('198');
    expect(guardPrefixHashes(['198.51.100.1'], guardHashKey('another shop secret!'))[0]).not.toBe(
      guardPrefixHashes(['198.51.100.1'], key)[0],
    );
  });
});

describe('guard reading', () => {
  it.each([
    { prefixes: 3, deviceLimit: 2, source: 'registry', over: true },
    { prefixes: 3, deviceLimit: 2, source: 'live', over: false },
    { prefixes: 4, deviceLimit: 2, source: 'windowed', over: false },
    { prefixes: 5, deviceLimit: 2, source: 'windowed', over: true },
    { prefixes: 5, deviceLimit: null, source: 'live', over: false },
    { prefixes: 6, deviceLimit: null, source: 'live', over: true },
  ] as const)('$prefixes networks, limit $deviceLimit, $source: over $over', ({ over, ...input }) => {
    expect(guardReading({ ...input, policy }).over).toBe(over);
  });
});

describe('the window rule', () => {
  it.each([
    { name: 'no readings', b: [] as GuardBucket[], step: null },
    { name: 'one over reading', b: buckets([0, true]), step: null },
    { name: 'K over readings inside S', b: buckets([1, true], [0, true], [0, true]), step: null },
    { name: 'K over readings spanning S', b: buckets([3, true], [2, true], [1, true]), step: 'warn' },
    {
      name: 'over under the fraction p',
      b: buckets([5, true], [4, false], [3, true], [2, false], [1, true], [1, false], [0, false]),
      step: null,
    },
    { name: 'over readings older than W', b: buckets([30, true], [28, true], [26, true]), step: null },
  ])('$name → $step', ({ b, step }) => {
    const d = decide(b);
    expect(d.kind === 'step' ? d.step : null).toBe(step);
  });

  it('never acts when the policy is off, the subscription is exempt, or the last reading is older than W', () => {
    const b = buckets([3, true], [2, true], [1, true]);
    expect(decide(b, null, { policy: { ...policy, enabled: false } }).kind).toBe('none');
    expect(decide(b, null, { exempt: true }).kind).toBe('none');
    expect(decide(b, null, { lastReadingAt: at(25) }).kind).toBe('none');
    expect(decide(b, null, { lastReadingAt: null }).kind).toBe('none');
  });

  it('never acts when the source gave no reading after the last one, though the readings before are due', () => {
    const b = buckets([3, true], [2, true], [1, true]);
    expect(decide(b, null, { lastReadingAt: at(1), lastNullAt: at(0) }).kind).toBe('none');
    expect(decide(b, { step: 'warn', stepAt: at(40), quietUntil: null }, { lastReadingAt: at(1), lastNullAt: at(0) }).kind).toBe('none');
    const auto = { ...policy, liftAfterCleanHours: 6 };
    const limited: GuardCaseState = { step: 'limit', stepAt: at(12), quietUntil: null };
    expect(decide(buckets([5, false], [1, false]), limited, { policy: auto, lastReadingAt: at(1), lastNullAt: at(0) }).kind).toBe('none');
    // A reading after the silence decides again.
    expect(decide(b, null, { lastReadingAt: at(0), lastNullAt: at(1) })).toMatchObject({ kind: 'step', step: 'warn' });
  });

  it('escalates only on fresh over readings after the previous step and its grace', () => {
    const b = buckets([20, true], [18, true], [16, true], [3, true], [2, true], [1, true]);
    const warnedLongAgo: GuardCaseState = { step: 'warn', stepAt: at(30), quietUntil: null };
    expect(decide(b, warnedLongAgo)).toMatchObject({ kind: 'step', step: 'limit' });
    const warnedRecently: GuardCaseState = { step: 'warn', stepAt: at(10), quietUntil: null };
    expect(decide(b, warnedRecently).kind).toBe('none');
    const shortGrace = {
      ...policy,
      steps: [
        { step: 'warn' as const, graceHours: 6 },
        { step: 'limit' as const, graceHours: 24 },
      ],
    };
    expect(decide(b, { step: 'warn', stepAt: at(10), quietUntil: null }, { policy: shortGrace })).toMatchObject({ step: 'limit' });
  });

  it('follows the owner order, stops at its last step, and stays quiet after a lift', () => {
    const b = buckets([3, true], [2, true], [1, true]);
    const suspendOnly = GuardPolicySchema.parse({ enabled: true, steps: [{ step: 'suspend', graceHours: 0 }] });
    expect(decide(b, null, { policy: suspendOnly })).toMatchObject({ step: 'suspend' });
    expect(decide(b, { step: 'limit', stepAt: at(40), quietUntil: null }).kind).toBe('none');
    expect(decide(b, { step: 'watching', stepAt: at(1), quietUntil: at(-5) }).kind).toBe('none');
  });

  it('lifts a limit after clean hours with readings, never on silence', () => {
    const auto = { ...policy, liftAfterCleanHours: 6 };
    const limited: GuardCaseState = { step: 'limit', stepAt: at(12), quietUntil: null };
    expect(decide(buckets([5, false], [1, false]), limited, { policy: auto }).kind).toBe('lift');
    expect(decide(buckets([5, false], [1, true]), limited, { policy: auto }).kind).toBe('none');
    expect(decide([], limited, { policy: auto, lastReadingAt: at(1) }).kind).toBe('none');
  });

  it('refuses steps out of order in a policy', () => {
    expect(() => GuardPolicySchema.parse({ steps: [{ step: 'limit' }, { step: 'warn' }] })).toThrow();
  });
});
