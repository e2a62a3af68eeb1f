/**
 * Device packs through an early renewal on PostgreSQL (issue 67): a buyer who renews before the end of the period
 * their extra devices were paid for keeps them until that end, here and on the panel; the durable lapse job the
 * renewal queued then takes them off once. On PGlite every run, and on the real server (when
 * `PANELKIT_TEST_DATABASE_URL` is set) with two engines, each on a pool of its own, draining at the period end at once.
 */
import { randomBytes } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import { createPanelkit, JOB_TYPES } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import { FakePanelAdapter, ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage, fromPGlite, fromPgPool, type SqlClient } from '@panelkit/storage-postgres';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freshPGlite } from './support/pglite.js';
import { migratedSchemaFor } from '../../../packages/storage-postgres/test/support/schema-pool.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const SKIP_REAL_SERVER = DATABASE_URL === undefined || DATABASE_URL === '' ? 'PANELKIT_TEST_DATABASE_URL is not set' : false;
const DAY = 86_400_000;

/** The story on one schema, seen through one engine per storage (replicas sharing the database and the panel). */
async function proveLapse(clock: ManualClock, storages: readonly StoragePort[]): Promise<void> {
  const fake = new FakePanelAdapter({ clock });
  const engines = storages.map((storage) => {
    const kit = createPanelkit({
      storage,
      clock,
      panels: () => fake,
      policy: { identity: { secret: 'device-pack-lapse-secret-0123456789', prefix: 'pk' } },
      random: () => 0.5,
    });
    return { kit, worker: kit.createWorker({ heartbeatIntervalMs: 3_600_000 }) };
  });
  const storage = storages[0]!;
  const { kit, worker } = engines[0]!;
  const panel = await storage.panels.create({
    kind: 'fake',
    name: `lapse ${randomBytes(3).toString('hex')}`,
    baseUrl: 'https://panel.example.com/',
    credentials: { type: 'token', token: 't' },
    locationTags: ['de'],
  });
  await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 'vless', protocol: 'vless', capacity: null, isDefault: true });
  const plan = await storage.plans.create({
    name: 'monthly, 2 devices',
    family: 'standard',
    price: { amount: 1000, currency: 'USD' },
    durationDays: 30,
    trafficBytes: null,
    deviceLimit: 2,
    devicePack: { pricePer30Days: { amount: 300, currency: 'USD' }, maxExtraDevices: 3 },
  });
  const customer = await storage.customers.create({ email: `lapse-${randomBytes(3).toString('hex')}@example.com` });
  await kit.topUp({ customerId: customer.id, amount: { amount: 5000, currency: 'USD' }, idempotencyKey: 'seed' });
  const { subscriptions } = await kit.checkout({ customerId: customer.id, items: [{ planId: plan.id }], idempotencyKey: 'buy' });
  await worker.drain();
  const id = subscriptions[0]!.id;
  const username = (await storage.subscriptions.get(id))!.remote.username;

  clock.advance(20 * DAY);
  await kit.devices.buyPack({ subscriptionId: id, devices: 2, idempotencyKey: 'pack' });
  await worker.drain();
  clock.advance(8 * DAY);
  const paidUntil = (await storage.subscriptions.get(id))!.expiresAt!;
  expect(await kit.extend({ subscriptionId: id, idempotencyKey: 'renew' })).toMatchObject({ keptDevices: null, entry: { amount: -1000 } });
  await worker.drain();
  expect(await storage.subscriptions.get(id)).toMatchObject({ deviceLimit: 4, expiresAt: new Date(paidUntil.getTime() + 30 * DAY) });
  expect(fake.client(username)!.deviceLimit).toBe(4);
  const lapses = () => storage.jobs.list({ type: JOB_TYPES.devicePackLapse }, { limit: 5 }).then((p) => p.items);
  expect(await lapses()).toMatchObject([{ state: 'queued', runAt: paidUntil, payload: { subscriptionId: id, devices: 2 } }]);

  clock.set(paidUntil.getTime() - 1);
  await Promise.all(engines.map((e) => e.worker.drain()));
  expect((await storage.subscriptions.get(id))!.deviceLimit).toBe(4);
  clock.set(paidUntil);
  await Promise.all(engines.map((e) => e.worker.drain()));
  await Promise.all(engines.map((e) => e.worker.drain()));
  expect((await storage.subscriptions.get(id))!.deviceLimit).toBe(2);
  expect(fake.client(username)!.deviceLimit).toBe(2);
  expect((await lapses()).map((j) => j.state)).toEqual(['succeeded']);
  const audit = await storage.audit.list({ subjectType: 'subscription', subjectId: id }, { limit: 50 });
  expect(audit.items.filter((a) => a.action === 'subscription.devices_removed').map((a) => a.data)).toMatchObject([
    { devices: 2, deviceLimit: 2, reason: 'period_ended' },
  ]);
  await Promise.all(engines.map((e) => e.worker.stop({ timeoutMs: 1_000 })));
}

/** A migrated schema (`migratedSchemaFor`: from the pool on the server, fresh on PGlite), one storage per client. */
async function onPostgres(clients: readonly SqlClient[]): Promise<void> {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const { schema, giveBack } = await migratedSchemaFor(clients[0]!, clock);
  const storages = clients.map((client) => createPostgresStorage({ client, schema, clock }));
  try {
    await proveLapse(clock, storages);
  } finally {
    await Promise.all(storages.map((s) => s.close()));
    await giveBack();
  }
}

describe('device packs kept through an early renewal, on PostgreSQL', () => {
  let db: PGlite | undefined;
  afterAll(async () => {
    await db?.close();
  });

  it('on PGlite', { timeout: 120_000 }, async () => {
    db = await freshPGlite();
    await onPostgres([fromPGlite(db)]);
  });

  it.skipIf(SKIP_REAL_SERVER !== false)(
    `on a PostgreSQL server, two engines at the period end${SKIP_REAL_SERVER === false ? '' : ` (skipped: ${SKIP_REAL_SERVER})`}`,
    { timeout: 120_000 },
    async () => {
      const pools = [0, 1].map(() => new pg.Pool({ connectionString: DATABASE_URL, max: 4 }));
      try {
        await onPostgres(pools.map((pool) => fromPgPool(pool)));
      } finally {
        await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
      }
    },
  );
});
