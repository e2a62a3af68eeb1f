import { deriveRemoteIdentity } from '@panelkit/sdk';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { shopBesideReplicas } from './support/shop-beside-replicas.js';
import { signUp } from '../src/app/auth/accounts.js';
import { EVENT_NOTICES_TYPE } from '../src/app/notifications/event-notices.js';
import { notificationsOf } from '../src/db/notifications.js';
import { notificationJobs } from '../src/app/notifications/notification-jobs.js';
import { TEST_SECRET_KEYS } from './support/shop-under-test.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];

const PHONE = {
  'user-agent': 'Happ/4.6.0/ios/2603181556604',
  'x-hwid': 'replica-phone',
  'x-device-os': 'iOS',
  'x-device-model': 'iPhone 16',
};
const TABLET = { 'user-agent': 'v2RayTun/5.1 (android)', 'x-hwid': 'replica-tablet', 'x-device-os': 'Android', 'x-device-model': 'Tab S9' };

/**
 * The buyer's device notices from three web replicas (three OS processes on one PostgreSQL) answering one link at
 * once: the first device's requests register it once and tell of it once (its registration's audit event enqueues one
 * job, in the registration's transaction); a second device refused at the limit of
 * one, asking on every replica at once, is told of once. Nothing in one process's memory could hold either.
 */
describe.skipIf(DATABASE_URL === undefined)(
  `device notices across replicas${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    const env = {
      DATABASE_URL: DATABASE_URL as string,
      SHOP_SECRET: 'device-notices-secret-device-notices',
      SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
      SHOP_CURRENCY: 'USD',
      LOG_LEVEL: 'silent',
    };
    const beside = shopBesideReplicas(3, env);

    it('tells of a device added once, and of a device refused at the limit once, whichever replicas its requests reach', async () => {
      const signed = await signUp(beside.shop, { email: 'devices@example.com', password: 'correct horse battery', locale: 'en' });
      if (!signed.ok) throw new Error('sign-up failed');
      const customerId = signed.account.customerId;
      // A subscription of one device, live on a panel (seeded as provisioning would leave it: its links in hand).
      const panel = await beside.shop.storage.panels.create({
        kind: 'marzban',
        name: 'replicas',
        baseUrl: 'https://panel.example.com/secret-path',
        credentials: { type: 'password', username: 'admin', password: 'replicas-password' },
      });
      const target = await beside.shop.storage.targets.create({
        panelId: panel.id,
        remoteRef: 'inbound-1',
        name: 'inbound 1',
        protocol: 'vless',
      });
      const plan = await beside.shop.storage.plans.create({
        name: 'One device',
        family: 'standard',
        price: { amount: 500, currency: 'USD' },
        durationDays: 30,
        trafficBytes: null,
        deviceLimit: 1,
      });
      const id = 'sub_devicenoticereplica1';
      await beside.shop.storage.subscriptions.create({
        id,
        customerId,
        orderId: null,
        planId: plan.id,
        panelId: panel.id,
        targetId: target.id,
        remote: deriveRemoteIdentity(id, 0, { secret: 'device-notices-replicas-secret' }),
        status: 'active',
        trafficLimitBytes: null,
        expiresAt: new Date(Date.now() + 30 * 86_400_000),
        durationDays: 30,
        startOnFirstUse: false,
        deviceLimit: 1,
        shareLinks: ['vless://4b3c0a9e-0000-4000-8000-000000000001@198.51.100.7:443?type=tcp&security=none#one'],
      });
      const link = `/s/${await beside.shop.kit.links.tokenFor(customerId)}`;
      const askAll = (headers: Record<string, string>, times: number) =>
        Promise.all(
          Array.from({ length: times }, (_, i) =>
            supertest(beside.replicas[i % beside.replicas.length] as string)
              .get(link)
              .set(headers),
          ),
        );

      const phone = await askAll(PHONE, 9);
      expect(phone.map((r) => r.status)).toEqual(Array(9).fill(200));
      expect((await beside.shop.kit.devices.list(id)).map((d) => d.hwid)).toEqual([PHONE['x-hwid']]);

      const tablet = await askAll(TABLET, 24);
      expect(tablet.map((r) => r.status)).toEqual(Array(24).fill(200));
      expect(tablet.every((r) => Buffer.from(r.text, 'base64').toString('utf8').includes('0.0.0.0'))).toBe(true);

      // The phone's notice is the job its registration's audit event enqueued in that transaction: one job, however
      // many replicas saw the phone, and two workers running it at once write one notice.
      const eventJobs = await beside.shop.storage.jobs.list({ type: EVENT_NOTICES_TYPE, state: 'queued' }, { limit: 100 });
      expect(eventJobs.items.filter((j) => j.payload['action'] === 'device.registered')).toHaveLength(1);
      const workers = [0, 1].map(() =>
        beside.shop.kit.createWorker({ hostJobs: [...beside.shop.hostJobs, ...notificationJobs(beside.shop, [])], engineJobs: false }),
      );
      await Promise.all(workers.map((w) => w.drain()));

      const notices = (await notificationsOf(beside.shop).history(customerId, { limit: 100 })).items;
      expect(notices.map((n) => n.kind).sort()).toEqual(['device_added', 'device_refused']);
      expect(notices.find((n) => n.kind === 'device_added')?.params).toMatchObject({
        subscriptionId: id,
        limit: 1,
        deviceModel: 'iPhone 16',
        devicePlatform: 'ios',
        deviceApp: 'Happ',
      });
      expect(notices.find((n) => n.kind === 'device_refused')?.params).toMatchObject({ refusal: 'limit_reached', deviceModel: 'Tab S9' });
    });
  },
);
