import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Subscription } from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFirstOwner } from '../src/app/auth/accounts.js';
import { loadConfig } from '../src/config/config.js';
import { CUSTOMER_KINDS } from '../src/db/notification-kinds.js';
import { notificationsOf } from '../src/db/notifications.js';
import { openShop, type RunningShop } from '../src/stack/shop.js';
import { TEST_SECRET_KEYS, TEST_START } from './support/shop-under-test.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { startNotifyReplicas, type NotifyReplica, type TelegramSend } from './support/notify-replicas.js';
import type { TakenSchema } from '../../../packages/storage-postgres/test/support/schema-pool.js';
import { takeShopSchema } from './support/pooled-shop-schema.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const GiB = 1024 ** 3;
const HOUR = 3_600_000;

/**
 * Notifications across replicas on a real PostgreSQL server: the web process (with the simulated
 * panels) sells; two worker replicas in their own OS processes run the scheduler, the job worker
 * and the notification rounds at the same moments of a manual month, sending email to a real SMTP
 * server and "Telegram" messages reported over IPC.
 */
describe.skipIf(DATABASE_URL === undefined)(
  `notifications on two worker replicas${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    let taken: TakenSchema | undefined;
    const clock = new ManualClock(TEST_START);
    const dataDir = mkdtempSync(join(tmpdir(), 'panelkit-notify-'));
    const telegram: TelegramSend[] = [];
    const replicas: NotifyReplica[] = [];
    let sink: SmtpSink;
    let web: RunningShop;

    beforeAll(async () => {
      taken = await takeShopSchema(DATABASE_URL as string);
      sink = await startSmtpSink();
      const env = {
        DATABASE_URL: DATABASE_URL as string,
        DATABASE_SCHEMA: taken.schema,
        SHOP_SECRET: 'notify-secret-notify-secret-notify-secret',
        SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
        SMTP_URL: sink.url,
        MAIL_FROM: 'Month RunningShop <shop@example.com>',
        LOG_LEVEL: 'silent',
        DATA_DIR: dataDir,
      };
      web = await openShop(loadConfig({ ...env, DEMO_PANEL: 'on' }), { clock, logger: pino({ level: 'silent' }) });
      await ensureFirstOwner(web, 'owner@example.com', 'owner-password-1234');
      replicas.push(...(await startNotifyReplicas(['replica-a', 'replica-b'], env, TEST_START, (send) => telegram.push(send))));
    }, 120_000);

    afterAll(async () => {
      await Promise.all(replicas.map((r) => r.stop()));
      await web?.close();
      await sink?.close();
      await taken?.giveBack();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('a simulated month delivers each notice exactly once per channel, and nothing when the buyer opted out', async () => {
      const plan = (await web.storage.plans.list()).find((p) => p.name.startsWith('Frankfurt · 1 month · 50'))!;
      // Three buyers fill the plan's target to 90%: the staff hear of it.
      await web.storage.targets.update(plan.placement.preferredTargetIds[0]!, { capacity: 3 });
      const buyers = {
        renews: await web.storage.customers.create({ email: 'renews@example.com', locale: 'en' }),
        poor: await web.storage.customers.create({ email: 'poor@example.com', locale: 'fa' }),
        silent: await web.storage.customers.create({ email: 'silent@example.com', locale: 'en' }),
      };
      await notificationsOf(web).setOptedOut(buyers.silent.id, CUSTOMER_KINDS);
      const subs: Record<string, Subscription> = {};
      for (const [name, customer] of Object.entries(buyers)) {
        const funds = name === 'poor' ? 1 : 2;
        await web.kit.topUp({
          customerId: customer.id,
          amount: { amount: plan.price.amount * funds, currency: plan.price.currency },
          idempotencyKey: `month:${name}`,
        });
        const { subscriptions } = await web.kit.checkout({
          customerId: customer.id,
          items: [{ planId: plan.id, autoRenew: true }],
          idempotencyKey: `month:${name}`,
        });
        subs[name] = subscriptions[0]!;
      }

      const round = (at: Date) => {
        clock.set(at);
        return Promise.all(replicas.map((r) => r.round(at)));
      };
      for (let hours = 0; hours <= 34 * 24; hours += 8) {
        // The poor buyer passes both warning thresholds on day 3 and the limit on day 4: one usage reading
        // past all three could find the subscription already limited by the other replica, and rightly not warn.
        const traffic: Record<string, number> | undefined = {
          [3 * 24]: { renews: 42 * GiB, poor: 48 * GiB, silent: 42 * GiB },
          [4 * 24]: { poor: 3 * GiB },
        }[hours];
        if (traffic !== undefined) {
          const sim = web.demo!.panels.find((p) => p.panel.id === subs['renews']!.panelId)!.sim;
          for (const [name, bytes] of Object.entries(traffic)) {
            const sub = (await web.storage.subscriptions.get(subs[name]!.id))!;
            await sim.addTraffic(sub.remote.username, 0, bytes);
          }
        }
        await round(new Date(TEST_START.getTime() + hours * HOUR));
      }
      // Two more rounds at the end: whatever the last one queued is delivered.
      await round(new Date(TEST_START.getTime() + 35 * 24 * HOUR));
      await round(new Date(TEST_START.getTime() + 35 * 24 * HOUR + HOUR));

      const db = web.db;
      const s = web.shopSchema;
      const { rows: notices } = await db.query<{
        id: string;
        customer_id: string | null;
        kind: string;
        muted: boolean;
        fanned_out_at: Date | null;
      }>(`SELECT id, customer_id, kind, muted, fanned_out_at FROM ${s}.notifications`);
      const { rows: deliveries } = await db.query<{
        notification_id: string;
        channel: string;
        address: string;
        idempotency_key: string;
        status: string;
      }>(`SELECT notification_id, channel, address, idempotency_key, status FROM ${s}.notification_deliveries`);
      const kindsOf = (customerId: string | null) =>
        notices
          .filter((n) => n.customer_id === customerId)
          .map((n) => n.kind)
          .sort();

      // What the month told each of them.
      expect(kindsOf(buyers.renews.id)).toEqual(
        expect.arrayContaining(['subscription_provisioned', 'traffic_warning', 'expiry_soon', 'subscription_renewed']),
      );
      expect(kindsOf(buyers.poor.id)).toEqual(
        expect.arrayContaining([
          'subscription_provisioned',
          'traffic_warning',
          'traffic_warning',
          'subscription_limited',
          'renewal_failed_funds',
          'subscription_expired',
        ]),
      );
      expect(kindsOf(null)).toContain('target_nearly_full');
      expect(kindsOf(buyers.silent.id).length).toBeGreaterThanOrEqual(4);

      // Every notice was fanned out; the opted-out buyer's are muted, with no delivery at all.
      expect(notices.every((n) => n.fanned_out_at !== null)).toBe(true);
      const silentIds = new Set(notices.filter((n) => n.customer_id === buyers.silent.id).map((n) => n.id));
      expect(notices.filter((n) => silentIds.has(n.id)).every((n) => n.muted)).toBe(true);
      expect(deliveries.filter((d) => silentIds.has(d.notification_id))).toEqual([]);
      expect(sink.received.filter((m) => m.to.includes('silent@example.com'))).toEqual([]);
      expect(telegram.filter((m) => m.address === `chat:${buyers.silent.id}`)).toEqual([]);

      // Each other notice has one delivery per channel and address, each sent.
      const audible = notices.filter((n) => !n.muted);
      expect(deliveries).toHaveLength(audible.length * 2 + audible.filter((n) => n.customer_id === null).length);
      expect(deliveries.every((d) => d.status === 'sent')).toBe(true);

      // Exactly once per channel: what arrived is what was recorded, with no key twice.
      const emailKeys = deliveries
        .filter((d) => d.channel === 'email')
        .map((d) => `<${d.idempotency_key}@example.com>`)
        .sort();
      expect(sink.received.map((m) => m.messageId).sort()).toEqual(emailKeys);
      const telegramKeys = deliveries
        .filter((d) => d.channel === 'telegram')
        .map((d) => d.idempotency_key)
        .sort();
      expect(telegram.map((m) => m.idempotencyKey).sort()).toEqual(telegramKeys);

      // In the buyer's language: the Farsi buyer's mail is in Farsi.
      const farsi = sink.received.filter((m) => m.to.includes('poor@example.com'));
      expect(farsi.length).toBeGreaterThanOrEqual(5);
      expect(farsi.every((m) => /[\u0600-\u06FF]/.test(m.subject))).toBe(true);
    }, 600_000);
  },
);
