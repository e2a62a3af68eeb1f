import { describe, expect, it } from 'vitest';
import type { Subscription } from '../../src/index.js';
import { guardRecordsFromAddresses, guardRecordsFromDevices, guardSourceClass } from '../../src/engine/guard/readings.js';
import { GuardPolicySchema, guardHashKey } from '../../src/rules/index.js';

const policy = GuardPolicySchema.parse({ enabled: true });
const at = new Date('2026-11-29T00:00:00Z');
const sub = (id: string, deviceLimit: number | null) => ({ id, deviceLimit }) as Subscription;
const address = (ip: string) => ({ ip, node: null, lastSeenAt: null, connections: null });

describe('guard readings from a panel', () => {
  it('counts distinct networks per client, keeps null as no reading, and skips unknown clients', () => {
    const subs = new Map([
      ['alice', sub('s1', 1)],
      ['bob', sub('s2', null)],
    ]);
    const records = guardRecordsFromAddresses(
      [
        {
          username: 'alice',
          at,
          addresses: ['10.0.0.1', '10.0.0.2', '2001:db8::1', '2001:db8::2', '10.0.0.1'].map(address),
          silentNodes: [],
        },
        { username: 'bob', at, addresses: null, silentNodes: ['n1'] },
        { username: 'stranger', at, addresses: [address('10.0.0.9')], silentNodes: [] },
      ],
      subs,
      { policy, key: guardHashKey('guard-readings-secret-012345'), source: 'live' },
    );
    expect(records).toEqual([
      { subscriptionId: 's1', at, prefixes: 3, over: true },
      { subscriptionId: 's2', at, prefixes: null, over: false },
    ]);
  });

  it("counts the registry's devices against the limit with the registry's slack; a subscription none fetched is null", () => {
    const slack = GuardPolicySchema.parse({ enabled: true, slack: { registry: 1 }, absoluteThreshold: 4 });
    const subs = [sub('s1', 2), sub('s2', 2), sub('s3', null), sub('s4', null), sub('s5', 1)];
    const counts = [
      { subscriptionId: 's1', devices: 3 },
      { subscriptionId: 's2', devices: 4 },
      { subscriptionId: 's3', devices: 4 },
      { subscriptionId: 's4', devices: 5 },
    ];
    expect(guardRecordsFromDevices(subs, counts, { policy: slack, at })).toEqual([
      { subscriptionId: 's1', at, prefixes: 3, over: false },
      { subscriptionId: 's2', at, prefixes: 4, over: true },
      { subscriptionId: 's3', at, prefixes: 4, over: false },
      { subscriptionId: 's4', at, prefixes: 5, over: true },
      { subscriptionId: 's5', at, prefixes: null, over: false },
    ]);
  });

  it('weighs a panel by its declared window', () => {
    expect(guardSourceClass({ bulk: true, windowSeconds: 1800, liveCounts: false })).toBe('windowed');
    expect(guardSourceClass({ bulk: false, windowSeconds: 20, liveCounts: true })).toBe('live');
  });
});
