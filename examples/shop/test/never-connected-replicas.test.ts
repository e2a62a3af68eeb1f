import { deriveRemoteIdentity } from '@panelkit/sdk';
import { describe, expect, it } from 'vitest';
import { signUp } from '../src/app/auth/accounts.js';
import { nudgeNeverConnected, queueNeverConnectedNudge } from '../src/app/growth/never-connected.js';
import { notificationsOf } from '../src/db/notifications.js';
import type { RunningShop } from '../src/stack/shop.js';
import { pooledReplicas } from './support/pooled-replicas.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];

/**
 * Two replicas (two shops, each with its own pool, on one PostgreSQL schema) sweeping for buyers who never connected
 * at the same moment, twice: the sweep is queued once per slot, and the buyer is told once.
 */
describe.skipIf(DATABASE_URL === undefined)('the never-connected nudge across replicas on PostgreSQL', () => {
  const { replicas } = pooledReplicas(DATABASE_URL as string, 'nudge_it');

  it('writes one notice however many replicas sweep at once, and none on the next sweeps', async () => {
    const shop = replicas[0] as RunningShop;
    const signed = await signUp(shop, { email: 'never@example.com', password: 'correct horse battery', locale: 'fa' });
    if (!signed.ok) throw new Error('sign-up failed');
    const customerId = signed.account.customerId;
    const panel = await shop.storage.panels.create({
      kind: 'marzban',
      name: 'nudge',
      baseUrl: 'http://127.0.0.1:9/secret-path',
      credentials: { type: 'password', username: 'admin', password: 'nudge-password' },
    });
    const target = await shop.storage.targets.create({ panelId: panel.id, remoteRef: 'inbound-1', name: 'inbound 1', protocol: 'vless' });
    const plan = await shop.storage.plans.create({
      name: 'Nudged',
      family: 'standard',
      price: { amount: 500, currency: 'USD' },
      durationDays: 30,
      trafficBytes: null,
    });
    const id = 'sub_nevernudgereplicas1';
    const activeSince = new Date(Date.now() - 48 * 3_600_000);
    await shop.storage.subscriptions.create({
      id,
      customerId,
      orderId: null,
      planId: plan.id,
      panelId: panel.id,
      targetId: target.id,
      remote: deriveRemoteIdentity(id, 0, { secret: 'never-connected-replicas' }),
      status: 'active',
      statusChangedAt: activeSince,
      activatedAt: activeSince,
      trafficLimitBytes: null,
      expiresAt: new Date(Date.now() + 28 * 86_400_000),
      durationDays: 30,
      startOnFirstUse: false,
      shareLinks: ['vless://4b3c0a9e-0000-4000-8000-000000000002@198.51.100.7:443?type=tcp&security=none#one'],
    });
    await shop.storage.subscriptions.recordUsage([{ subscriptionId: id, usedBytes: 0, observedAt: new Date() }]);

    const queued = await Promise.all(replicas.map((r) => queueNeverConnectedNudge(r)));
    expect(queued.filter(Boolean)).toHaveLength(1);
    const written = await Promise.all([...replicas, ...replicas].map((r) => nudgeNeverConnected(r)));
    expect(written.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await Promise.all(replicas.map((r) => nudgeNeverConnected(r)))).toEqual([0, 0]);
    const notices = (await notificationsOf(shop).history(customerId, { limit: 10 })).items;
    expect(notices.map((n) => [n.kind, n.params['subscriptionId']])).toEqual([['never_connected', id]]);
  }, 60_000);
});
