/**
 * Upgrading a shop whose notifications ran on its own lease queue and audit relay (releases before shop
 * migration 13): what that queue left undone is handed to the SDK's queue at start, once, and the old
 * queue is dropped.
 */
import { createPostgresStorage } from '@panelkit/storage-postgres';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationChannel } from '../src/app/notifications/channel.js';
import { deliveriesOf } from '../src/db/notification-deliveries.js';
import { notificationJobs } from '../src/app/notifications/notification-jobs.js';
import { notificationsOf } from '../src/db/notifications.js';
import { openShop, type RunningShop } from '../src/stack/shop.js';
import { fundedBuyer } from './support/admin-support.js';
import { boughtAndProvisioned, planNamed } from './support/buying.js';
import { startShop, TEST_SECRET_KEYS, type ShopUnderTest } from './support/shop-under-test.js';

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startShop({ env: { SHOP_SECRET_KEYS: TEST_SECRET_KEYS } });
});
afterAll(() => t.close());

/** Puts the shop's tables back to release 12: the lease columns, the relay tables, its link table, and no migrations from 13. */
async function backToRelease12(shop: RunningShop): Promise<void> {
  const s = shop.shopSchema;
  for (const statement of [
    `CREATE TABLE ${s}.notification_relay (name text PRIMARY KEY, position_at timestamptz NOT NULL)`,
    `CREATE TABLE ${s}.notification_relayed_events (event_id text PRIMARY KEY, at timestamptz NOT NULL)`,
    `ALTER TABLE ${s}.notification_deliveries DROP CONSTRAINT notification_deliveries_status_check`,
    `ALTER TABLE ${s}.notification_deliveries ADD CONSTRAINT notification_deliveries_status_check CHECK (status IN ('pending', 'sending', 'sent', 'failed'))`,
    `ALTER TABLE ${s}.notification_deliveries ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(), ADD COLUMN lease_token text, ADD COLUMN lease_expires_at timestamptz`,
    `DROP TABLE ${s}.telegram_prompts`,
    `ALTER TABLE ${s}.telegram_links DROP COLUMN username`,
    // Link tokens were the shop's own then (moved to the SDK's table by migration 24).
    `CREATE TABLE ${s}.subscription_links (customer_id text PRIMARY KEY, nonce text NOT NULL, token_hash text NOT NULL UNIQUE, created_at timestamptz NOT NULL, rotated_at timestamptz NOT NULL)`,
    `DELETE FROM ${s}.shop_migrations WHERE version >= 13`,
  ]) {
    await shop.db.query(statement);
  }
}

/** Another process of the new release starting on the same database. */
function reopened(): Promise<RunningShop> {
  // The same settings (its keys open the panels' sealed credentials), without a second set of demo panels.
  return openShop(
    { ...t.config, demoPanel: false },
    { clock: t.clock, logger: pino({ level: 'silent' }), database: { client: t.shop.db, close: async () => {} } },
  );
}

describe('upgrading from the shop’s own notification queue', () => {
  it('hands every event the relay had not read, every notification not fanned out and every delivery not sent to the SDK’s queue, once', async () => {
    const b = await fundedBuyer(t, t.app, 10_000);
    const subId = await boughtAndProvisioned(t, b, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    const [provisioned] = (await notificationsOf(t.shop).history(b.customerId, { limit: 1 })).items;
    await backToRelease12(t.shop);
    const s = t.shop.shopSchema;

    // What the old release left: an event its relay had not reached (its storage had no outbox) …
    const old = createPostgresStorage({ client: t.shop.db, schema: t.config.schema, clock: t.clock });
    await t.shop.db.query(`INSERT INTO ${s}.notification_relay (name, position_at) VALUES ('audit', $1)`, [
      new Date(t.clock.now().getTime() - 60_000),
    ]);
    await old.audit.append({
      actor: { type: 'scheduler', id: null },
      action: 'subscription.expired',
      subjectType: 'subscription',
      subjectId: subId,
      data: { from: 'active' },
    });
    // … a notification not fanned out, and a delivery a dead worker held under its lease.
    const insertNotification = (id: string, fannedOut: Date | null) =>
      t.shop.db.query(
        `INSERT INTO ${s}.notifications (id, customer_id, kind, source, params, created_at, fanned_out_at)
         VALUES ($1, $2, 'subscription_renewed', $3, $4, $5, $6)`,
        [id, b.customerId, `old:${id}`, JSON.stringify({ ...provisioned!.params, amount: 500 }), t.clock.now(), fannedOut],
      );
    await insertNotification('ntf_old_unfanned', null);
    await insertNotification('ntf_old_leased', t.clock.now());
    await t.shop.db.query(
      `INSERT INTO ${s}.notification_deliveries (id, notification_id, channel, address, idempotency_key, status, attempts, next_attempt_at, lease_token, lease_expires_at, created_at)
       VALUES ('dlv_old_leased', 'ntf_old_leased', 'recording', 'rec:old', 'old-key', 'sending', 1, $1, 'dead-worker', $1, $1)`,
      [t.clock.now()],
    );

    // Two processes of the new release start at once: the leftovers are queued once, and the old queue goes.
    const [first, second] = await Promise.all([reopened(), reopened()]);
    const tables = await t.shop.db.query<{ name: string | null }>(`SELECT to_regclass($1)::text AS name`, [`${s}.notification_relay`]);
    expect(tables.rows[0]?.name).toBeNull();
    const columns = await t.shop.db.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'notification_deliveries'`,
      [s.replaceAll('"', '')],
    );
    expect(columns.rows.map((r) => r.column_name)).not.toContain('lease_token');

    const sent: Array<{ address: string; subject: string; key: string }> = [];
    const recording: NotificationChannel = {
      name: 'recording',
      addressesOf: async (r) => (r.kind === 'customer' ? [`rec:${r.customerId}`] : []),
      send: async (address, message, key) => void sent.push({ address, subject: message.subject, key }),
    };
    for (const shop of [first, second]) {
      const worker = shop.kit.createWorker({ hostJobs: [...shop.hostJobs, ...notificationJobs(shop, [recording])] });
      await worker.drain();
      await worker.drain();
    }
    const mine = sent.filter((m) => m.address === `rec:${b.customerId}`);
    expect(sent.filter((m) => m.key === 'old-key')).toHaveLength(1);
    expect(mine.filter((m) => m.subject.includes('has ended') || /expired/i.test(m.subject))).toHaveLength(1);
    const unfanned = await deliveriesOf(t.shop).ofNotification('ntf_old_unfanned');
    expect(unfanned.map((d) => [d.channel, d.status])).toEqual([['recording', 'sent']]);
    expect(mine.filter((m) => m.key === unfanned[0]!.idempotencyKey)).toHaveLength(1);
    expect((await deliveriesOf(t.shop).get('dlv_old_leased'))?.status).toBe('sent');
    // Every send went out once.
    expect(new Set(sent.map((m) => m.key)).size).toBe(sent.length);
    await Promise.all([first.close(), second.close()]);
  });
});
