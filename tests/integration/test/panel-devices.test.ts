/**
 * The panels' own device lists through the kit, end to end: Remnawave and PasarGuard adapters over HTTP against
 * their simulators, on the memory storage, on PostgreSQL (PGlite) every run, and on the real server when
 * `PANELKIT_TEST_DATABASE_URL` is set. A device that fetched the panel's own link is counted and listed with the
 * registry's; removing it, or resetting the subscription's devices, reaches the panel through a durable job.
 */
import type { PGlite } from '@electric-sql/pglite';
import { JOB_TYPES, parseDeviceHeaders } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import { ManualClock, type PanelTestDevice } from '@panelkit/sdk/testing';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { createPostgresStorage, fromPGlite, fromPgPool, type SqlClient } from '@panelkit/storage-postgres';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PANEL_KINDS } from './support/kinds.js';
import { freshPGlite } from './support/pglite.js';
import { openShop, type Shop } from './support/shop.js';
import { migratedSchemaFor } from '../../../packages/storage-postgres/test/support/schema-pool.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const SKIP_REAL_SERVER = DATABASE_URL === undefined || DATABASE_URL === '' ? 'PANELKIT_TEST_DATABASE_URL is not set' : false;
const KINDS = PANEL_KINDS.filter((kind) => kind.label === 'remnawave' || kind.label === 'pasarguard');

/** A phone whose app reached the panel's own subscription link (before the shop sold through its own). */
const DIRECT: PanelTestDevice = {
  hwid: 'direct0phone0001',
  platform: 'android',
  osVersion: '14',
  model: 'Pixel 8',
  userAgent: 'Happ/3.13.0/Android/1700000000',
};
const appAsking = (hwid: string) =>
  parseDeviceHeaders({
    'x-hwid': hwid,
    'x-device-os': 'iOS',
    'x-ver-os': '18.5',
    'x-device-model': 'iPhone15,2',
    'user-agent': 'Happ/4.6.0/ios',
  });
const BUYER = { type: 'customer' as const, id: 'cus_self' };
const STAFF = { type: 'admin' as const, id: 'adm_1' };

async function panelHwids(shop: Shop, username: string): Promise<string[]> {
  const ref = {
    target: { remoteRef: shop.target.remoteRef, protocol: shop.target.protocol, remoteMeta: shop.target.remoteMeta },
    username,
  };
  const devices = await shop.adapter.listDevices!(ref, { signal: AbortSignal.timeout(5_000), idempotencyKey: 'inspect' });
  return devices.map((d) => d.hwid).sort();
}

async function jobStates(shop: Shop, type: string): Promise<string[]> {
  return (await shop.storage.jobs.list({ type }, { limit: 10 })).items.map((job) => job.state);
}

/** The whole story on one storage and one panel kind. */
async function proveDevices(clock: ManualClock, storage: StoragePort, make: (clock: ManualClock) => Shop['rig']): Promise<void> {
  const shop = await openShop({ clock, storage, rig: make(clock) });
  try {
    expect(shop.adapter.capabilities).toMatchObject({ deviceList: true, deviceRemoval: true });
    const customerId = await shop.customer(10_000);
    const { subscriptions } = await shop.kit.checkout({ customerId, items: [{ planId: shop.plan.id }], idempotencyKey: 'buy-devices' });
    await shop.worker.drain();
    const id = subscriptions[0]!.id;
    const { remote } = (await storage.subscriptions.get(id))!;

    // The plan allows 2: the phone on the panel's link takes one, the first app on the shop's link the other.
    await shop.rig.sim.fetchSubscriptionAs!(remote.username, DIRECT);
    expect(await shop.kit.devices.touch(id, appAsking('shop0tablet00001'))).toMatchObject({ served: true, outcome: 'registered' });
    expect(await shop.kit.devices.touch(id, appAsking('shop0laptop00001'))).toEqual({
      served: false,
      reason: 'limit_reached',
      limit: 2,
      count: 2,
    });

    const listed = await shop.kit.devices.list(id);
    expect(listed.map((d) => [d.hwid, d.source]).sort()).toEqual([
      [DIRECT.hwid, 'panel'],
      ['shop0tablet00001', 'registry'],
    ]);
    const direct = listed.find((d) => d.source === 'panel')!;
    expect(direct).toMatchObject({ platform: 'android', model: 'Pixel 8', subscriptionId: id });

    // The buyer frees the phone's slot: the kit forgets it at once (the laptop gets it), the panel once the job has run.
    await shop.kit.devices.remove(id, direct.id, BUYER);
    expect(await jobStates(shop, JOB_TYPES.removePanelDevice)).toEqual(['queued']);
    expect(await panelHwids(shop, remote.username)).toEqual([DIRECT.hwid]);
    expect(await shop.kit.devices.touch(id, appAsking('shop0laptop00001'))).toMatchObject({ served: true, outcome: 'registered' });
    await shop.worker.drain();
    expect(await jobStates(shop, JOB_TYPES.removePanelDevice)).toEqual(['succeeded']);
    expect(await panelHwids(shop, remote.username)).toEqual([]);

    // Staff reset: the registry's devices and, through one job, the panel's.
    await shop.rig.sim.fetchSubscriptionAs!(remote.username, { ...DIRECT, hwid: 'direct0phone0002' });
    const removed = await shop.kit.devices.reset(id, STAFF, 'buyer changed phones');
    expect(removed.map((d) => d.hwid).sort()).toEqual(['direct0phone0002', 'shop0laptop00001', 'shop0tablet00001']);
    await shop.worker.drain();
    expect(await jobStates(shop, JOB_TYPES.resetPanelDevices)).toEqual(['succeeded']);
    expect(await panelHwids(shop, remote.username)).toEqual([]);
    expect(await shop.kit.devices.list(id)).toEqual([]);
  } finally {
    await shop.close();
  }
}

async function onPostgres(client: SqlClient, make: (clock: ManualClock) => Shop['rig']): Promise<void> {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const { schema, giveBack } = await migratedSchemaFor(client, clock);
  const storage = createPostgresStorage({ client, schema, clock });
  try {
    await proveDevices(clock, storage, make);
  } finally {
    await storage.close();
    await giveBack();
  }
}

describe.each(KINDS)('panel devices through the kit: $label', ({ make }) => {
  let db: PGlite | undefined;
  afterAll(async () => {
    await db?.close();
  });

  it('on the memory storage', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    await proveDevices(clock, createMemoryStorage({ clock }), make);
  });

  it('on PostgreSQL (PGlite)', async () => {
    db = await freshPGlite();
    await onPostgres(fromPGlite(db), make);
  });

  it.skipIf(SKIP_REAL_SERVER !== false)(
    `on a PostgreSQL server${SKIP_REAL_SERVER === false ? '' : ` (skipped: ${SKIP_REAL_SERVER})`}`,
    async () => {
      const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
      try {
        await onPostgres(fromPgPool(pool), make);
      } finally {
        await pool.end().catch(() => undefined);
      }
    },
  );
});
