import { SecretKeyError, createSecretBox, deriveRemoteIdentity, generateSecretKey } from '@panelkit/sdk';
import type { SecretBox, Subscription } from '@panelkit/sdk';
import { describe, expect, it, vi } from 'vitest';
import { subscriptionFromRow } from '../src/repositories/subscription-rows.js';
import { sealSubscriptionSecrets } from '../src/repositories/subscription-secrets.js';

const at = new Date('2026-11-27T10:00:00.000Z');
const credentials = {
  remote: deriveRemoteIdentity('sub_1', 0, { secret: 'identity-secret-of-the-test' }),
  remoteClientId: '5f0c0b7e-0000-4000-8000-000000000001',
  subscriptionUrl: 'https://panel.example/sub/abc',
  shareLinks: ['vless://5f0c0b7e-0000-4000-8000-000000000001@edge.example:443?security=reality#a', 'trojan://pw@edge.example:443#b'],
};
const SECRET_FIELDS = ['remote', 'remoteClientId', 'subscriptionUrl', 'shareLinks'] as const;

/** A subscriptions row as a driver returns it, its credentials sealed with `box` (or plain without one). */
function rowOf(id: string, box: SecretBox | undefined): Record<string, unknown> {
  const sealed = sealSubscriptionSecrets(box, { id, ...credentials } as unknown as Subscription);
  return {
    id,
    customer_id: 'cus_1',
    order_id: null,
    plan_id: 'pln_1',
    panel_id: 'pnl_1',
    target_id: 'tgt_1',
    status: 'active',
    status_changed_at: at,
    remote: JSON.parse(sealed.remote),
    remote_client_id: sealed.remote_client_id,
    traffic_limit_bytes: '1000',
    used_bytes: '10',
    usage_observed_at: null,
    expires_at: at,
    duration_days: 30,
    start_on_first_use: false,
    activated_at: at,
    device_limit: 2,
    subscription_url: sealed.subscription_url,
    share_links: JSON.parse(sealed.share_links),
    auto_renew: false,
    trial: false,
    notices: {},
    failure_reason: null,
    terms: null,
    label: null,
    bundle_id: null,
    kind: 'xray',
    revision: 1,
    created_at: at,
    updated_at: at,
  };
}

/** A box whose `open` is counted. */
function countedBox() {
  const real = createSecretBox([generateSecretKey('k1')]);
  const open = vi.fn((sealed: string, context: string) => real.open(sealed, context));
  const box: SecretBox = { ...real, seal: real.seal, keyIdOf: real.keyIdOf, open };
  return { box, open };
}

describe('a subscription read from its row: the credentials opened when read', () => {
  it('opens nothing until a credential is read, each credential once however often it is read', () => {
    const { box, open } = countedBox();
    const sub = subscriptionFromRow(rowOf('sub_1', box), box);
    expect([sub.id, sub.status, sub.deviceLimit, sub.expiresAt]).toEqual(['sub_1', 'active', 2, at]);
    expect(open).not.toHaveBeenCalled();
    expect(sub.shareLinks).toEqual(credentials.shareLinks);
    expect(sub.shareLinks).toBe(sub.shareLinks);
    expect(open).toHaveBeenCalledTimes(1);
    expect(sub.remote).toEqual(credentials.remote);
    expect(sub.remoteClientId).toBe(credentials.remoteClientId);
    expect(sub.subscriptionUrl).toBe(credentials.subscriptionUrl);
    expect(open).toHaveBeenCalledTimes(4);
  });

  it('shows the credentials as plain enumerable fields after the others: keys, spread, JSON and equality', () => {
    for (const box of [createSecretBox([generateSecretKey('k1')]), undefined]) {
      const sub = subscriptionFromRow(rowOf('sub_1', box), box);
      expect(Object.keys(sub).slice(-4)).toEqual(SECRET_FIELDS);
      expect(Object.keys(sub)).toHaveLength(31);
      const spread = { ...sub };
      for (const field of SECRET_FIELDS) expect(Object.getOwnPropertyDescriptor(spread, field)?.value).toEqual(credentials[field]);
      expect(JSON.parse(JSON.stringify(sub))).toEqual(JSON.parse(JSON.stringify(spread)));
      expect(sub).toEqual(spread);
      expect(sub).toStrictEqual(spread);
      expect(Object.getOwnPropertySymbols(spread)).toEqual([]);
    }
  });

  it('a value that does not open throws SecretKeyError each time it is read, the rest of the row still reads', () => {
    const box = createSecretBox([generateSecretKey('k1')]);
    // Another row's share links: bound to that row's id, they do not open here.
    const row = { ...rowOf('sub_2', box), share_links: rowOf('sub_1', box)['share_links'] };
    const sub = subscriptionFromRow(row, box);
    expect(() => sub.shareLinks).toThrow(SecretKeyError);
    expect(() => sub.shareLinks).toThrow(SecretKeyError);
    expect(sub.remote).toEqual(credentials.remote);
    // Sealed, without keys: the same error.
    expect(() => subscriptionFromRow(rowOf('sub_3', box), undefined).remoteClientId).toThrow(SecretKeyError);
  });

  it('a credential set is a plain field of that object alone; a copy by descriptor opens the same values', () => {
    const { box, open } = countedBox();
    const sub = subscriptionFromRow(rowOf('sub_1', box), box);
    const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(sub)) as Subscription;
    sub.shareLinks = ['ss://replaced'];
    expect(sub.shareLinks).toEqual(['ss://replaced']);
    expect(Object.getOwnPropertyDescriptor(sub, 'shareLinks')).toMatchObject({
      value: ['ss://replaced'],
      writable: true,
      enumerable: true,
    });
    expect(open).not.toHaveBeenCalled();
    expect(copy.shareLinks).toEqual(credentials.shareLinks);
    expect(copy.remote).toEqual(credentials.remote);
    expect(sub.remote).toBe(copy.remote);
    expect(open).toHaveBeenCalledTimes(2);
    copy.remote = { ...credentials.remote, username: 'other' };
    expect(sub.remote.username).toBe(credentials.remote.username);
  });

  it('a frozen subscription still opens its credentials when read', () => {
    const box = createSecretBox([generateSecretKey('k1')]);
    const sub = Object.freeze(subscriptionFromRow(rowOf('sub_1', box), box));
    expect(sub.shareLinks).toEqual(credentials.shareLinks);
    expect({ ...sub }).toMatchObject(credentials);
  });

  it('two subscriptions read from two rows open each their own values', () => {
    const box = createSecretBox([generateSecretKey('k1')]);
    const first = subscriptionFromRow(rowOf('sub_1', box), box);
    const otherRow = rowOf('sub_2', box);
    const second = subscriptionFromRow(otherRow, box);
    expect(first.shareLinks).not.toBe(second.shareLinks);
    expect([first.id, second.id]).toEqual(['sub_1', 'sub_2']);
    expect(second.remote).toEqual(credentials.remote);
  });
});
