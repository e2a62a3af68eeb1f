import { deriveRemoteIdentity } from '@panelkit/sdk';
import { describe, expect, it } from 'vitest';
import { signUp } from '../src/app/auth/accounts.js';
import { saveGrowthSettings } from '../src/app/growth/growth-settings.js';
import { sendWinBackOffers, winBackCode } from '../src/app/growth/win-back.js';
import { notificationsOf } from '../src/db/notifications.js';
import type { RunningShop } from '../src/stack/shop.js';
import { pooledReplicas } from './support/pooled-replicas.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const DAY = 86_400_000;

/**
 * Two replicas (two shops, each with its own pool, on one PostgreSQL schema) sending the win-back offers at the same
 * moment, twice over: the lapsed buyer gets one code and one notice, and no sweep fails for the race.
 */
describe.skipIf(DATABASE_URL === undefined)('the win-back offer across replicas on PostgreSQL', () => {
  const { replicas } = pooledReplicas(DATABASE_URL as string, 'winback_it');

  it('sends one offer however many replicas sweep at once', async () => {
    const shop = replicas[0] as RunningShop;
    await saveGrowthSettings(
      shop,
      { channel: null, channelJoinUrl: null, neverConnectedHours: 0, winBackDays: 3, winBackPercent: 30, winBackValidDays: 7 },
      { type: 'system', id: 'test-owner' },
    );
    const signed = await signUp(shop, { email: 'lapsed@example.com', password: 'correct horse battery', locale: 'zh' });
    if (!signed.ok) throw new Error('sign-up failed');
    const customerId = signed.account.customerId;
    const panel = await shop.storage.panels.create({
      kind: 'marzban',
      name: 'win-back',
      baseUrl: 'http://127.0.0.1:9/secret-path',
      credentials: { type: 'password', username: 'admin', password: 'win-back-password' },
    });
    const target = await shop.storage.targets.create({ panelId: panel.id, remoteRef: 'inbound-1', name: 'inbound 1', protocol: 'vless' });
    const plan = await shop.storage.plans.create({
      name: 'Lapsed',
      family: 'standard',
      price: { amount: 500, currency: 'USD' },
      durationDays: 30,
      trafficBytes: null,
    });
    const id = 'sub_winbackreplicas0001';
    const lapsedAt = new Date(Date.now() - 4 * DAY);
    const sub = await shop.storage.subscriptions.create({
      id,
      customerId,
      orderId: null,
      planId: plan.id,
      panelId: panel.id,
      targetId: target.id,
      remote: deriveRemoteIdentity(id, 0, { secret: 'win-back-replicas' }),
      status: 'expired',
      statusChangedAt: lapsedAt,
      activatedAt: new Date(lapsedAt.getTime() - 30 * DAY),
      trafficLimitBytes: null,
      expiresAt: lapsedAt,
      durationDays: 30,
      startOnFirstUse: false,
      shareLinks: [],
    });

    const sent = await Promise.all([...replicas, ...replicas].map((r) => sendWinBackOffers(r)));
    expect(sent.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await Promise.all(replicas.map((r) => sendWinBackOffers(r)))).toEqual([0, 0]);
    const notices = (await notificationsOf(shop).history(customerId, { limit: 10 })).items;
    expect(notices.map((n) => [n.kind, n.params['code']])).toEqual([['win_back', winBackCode(sub)]]);
    expect(await shop.storage.discounts.getByCode(winBackCode(sub))).toMatchObject({ maxUses: 1, value: { type: 'percent', percent: 30 } });
  }, 60_000);
});
